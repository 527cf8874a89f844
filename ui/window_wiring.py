"""The window's keys and the sync indicator's wiring, kept apart from its pages and reactions.

Every key that works anywhere in the window is in ``WINDOW_KEYS`` (with the menus' Ctrl+L,
Ctrl+Q and F1), so a new page picks a free one here: page keys such as Ctrl+1 are bound to
their page only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QKeySequence, QShortcut

from lapor_desktop.domain.status import SyncState
from lapor_desktop.services.quarantine import Resent
from ui.bundle_tab import show_bundles
from ui.duplicate_warning import DuplicateWarning
from ui.spool_watch import watch_spool

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


def connect_operator(window: MainWindow) -> None:
    """The front desk's ways from one screen to another: a likely duplicate to its complaint,
    the sync panel's count of waiting complaints to the list of them, and the spool's badge."""
    intake = window.intake
    if intake is not None:

        def warned(dialog: object) -> None:
            if isinstance(dialog, DuplicateWarning):
                dialog.open_requested.connect(window.open_complaint)

        intake.duplicates_shown.connect(warned)
    window.sync_panel.show_waiting.connect(lambda: show_waiting(window))
    watch_spool(window)


def show_waiting(window: MainWindow) -> None:
    """The list of the complaints still waiting to be sent, every other filter off."""
    complaints = window.list
    with QSignalBlocker(complaints.search):
        complaints.search.clear()
    for combo in (
        complaints.status_filter,
        complaints.classification_filter,
        complaints.period_filter,
    ):
        combo.setCurrentIndex(0)
    complaints.agency_filter.set_code("")
    complaints.category_filter.set_code("")
    with QSignalBlocker(complaints.overdue_filter):
        complaints.overdue_filter.setChecked(False)
    sync = complaints.sync_filter
    sync.setCurrentIndex(max(sync.findData(SyncState.PENDING.value), 0))
    window.show_list()
    complaints.apply_filters()
    complaints.table.setFocus()
