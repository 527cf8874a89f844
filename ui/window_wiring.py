"""The window's keys and the sync indicator's wiring, kept apart from its pages and reactions.

Every key that works anywhere in the window is in ``WINDOW_KEYS`` (with the menus' Ctrl+L,
Ctrl+Q and F1), so a new page picks a free one here: page keys such as Ctrl+1 are bound to
their page only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence, QShortcut

from lapor_desktop.services.quarantine import Resent
from ui.bundle_tab import show_bundles

if TYPE_CHECKING:
    from ui.main_window import MainWindow

WINDOW_KEYS = ("Ctrl+N", "Ctrl+F", "Ctrl+W", "Ctrl+R", "F5", "F6", "Ctrl+U", "Ctrl+,")
"""Record, find, the LAPOR! website lane, reports, sync now, the sync panel, bundles, settings."""
MENU_KEYS = ("Ctrl+L", "Ctrl+Q", "F1")


def add_window_keys(window: MainWindow) -> None:
    """The page keys of the tab texts, and F5 (sync now) for everyone."""
    actions = (
        window.show_intake,
        window.show_list,
        window.show_website,
        window.show_reports,
        window.sync.sync_now,
        window.show_sync_panel,
        lambda: show_bundles(window),
        window.show_settings,
    )
    for keys, action in zip(WINDOW_KEYS, actions, strict=True):
        QShortcut(QKeySequence(keys), window, action)


def connect_sync(window: MainWindow) -> None:
    """The indicator, the panel and the quarantine to the sync controller, both ways."""
    sync = window.sync
    sync.changed.connect(window.sync_bar.show_view)
    sync.changed.connect(window.sync_panel.show_view)
    sync.reconciled_after_absence.connect(lambda _summary: window.show_sync_panel())
    window.sync_bar.open_panel.connect(window.show_sync_panel)
    window.sync_bar.sync_now.connect(sync.sync_now)
    window.sync_panel.sync_now.connect(sync.sync_now)
    window.sync_panel.cancel.connect(sync.cancel)
    window.quarantine.fixed.connect(lambda _saved: sync.sync_now())  # queued again: go

    def resent(outcome: object) -> None:
        if isinstance(outcome, Resent):
            sync.sync_now()

    window.quarantine.resent.connect(resent)
