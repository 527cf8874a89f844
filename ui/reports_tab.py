"""The Reports page in the window: the dashboard, and the recap buttons for a supervisor.

Built here so that the window only adds it; counted the first time it is shown (the
figures of a big desk take a moment), then whenever the operator asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lapor_desktop.domain.roles import Role
from lapor_desktop.i18n import N_
from lapor_desktop.services.reports.service import ReportService
from ui.dashboard_page import DashboardPage
from ui.recap_export import RecapExport

if TYPE_CHECKING:
    from ui.main_window import MainWindow

REPORTS_TAB = N_("Reports (Ctrl+R)")


def add_reports_page(window: MainWindow) -> DashboardPage:
    """The page as a tab of ``window``; a late complaint's row opens it in the list."""
    desk, actor, language = window.desk, window.actor, window.texts.language
    recap = None
    if actor.role is Role.SUPERVISOR:
        recap = RecapExport(desk.context, actor, window.runner, language)
    page = DashboardPage(
        language,
        ReportService(desk.context),
        actor,
        window.runner,
        desk.context.office_today(),
        recap=recap,
    )
    window.add_page(page, REPORTS_TAB)
    page.open_requested.connect(window.open_complaint)
    counted: list[bool] = []

    def first_shown(index: int) -> None:
        if window.tabs.widget(index) is page and not counted:
            counted.append(True)
            page.refresh()

    window.tabs.currentChanged.connect(first_shown)
    return page
