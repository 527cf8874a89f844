"""The Bundles page in the window, and "in bundle N since ..." on the list's rows.

Built here so that the window only adds it: the page, its key (Ctrl+U, in ``WINDOW_KEYS``),
its refresh after a sync pass (a relay sends its bundles then), its sentence of what is in
transit on the sync panel too, and the status bar's count after a bundle settled entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import N_
from lapor_desktop.services.bundle_views import carried_rows
from lapor_desktop.services.context import Actor
from ui.bundle_page import BundlePage
from ui.complaint_model import LookupSource

if TYPE_CHECKING:
    from ui.main_window import MainWindow

BUNDLES_TAB = N_("Bundles (Ctrl+U)")


def list_source(desk: Desk, actor: Actor) -> LookupSource:
    """The list's rows as the person may see them, those a bundle carries marked."""
    timezone = desk.context.office.timezone
    return LookupSource(desk.lookup, actor, carried_rows(desk.database, timezone))


def add_bundle_page(window: MainWindow) -> BundlePage:
    """The page as a tab of ``window``, kept current by the bridge and the sync passes."""
    page = BundlePage(window.texts, window.desk, window.actor, window.runner)
    window.add_page(page, BUNDLES_TAB)
    window.bridge.changes.connect(page.show_changes)
    window.sync.pass_finished.connect(lambda _summary: page.reload())
    for answered in (page.exported, page.imported, page.answered):
        answered.connect(lambda _answer: window.sync.refresh_counts())  # the status bar's count
    page.transit.connect(window.sync_panel.show_bundles)
    page.reload()
    return page


def show_bundles(window: MainWindow) -> None:
    window.tabs.setCurrentWidget(window.bundles)
    window.bundles.focus()
