"""The dashboard page on a real desk: it shows the core's figures and opens a late complaint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.recap import recap_was_made
from lapor_desktop.services.reports.service import OfficeReport, ReportService
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.test_report_fixtures import AS_OF, ZONE, lingga_office, store_all
from ui.dashboard_page import DashboardPage
from ui.i18n import Language
from ui.recap_export import RecapExport
from ui.tasks import TaskRunner


@pytest.fixture
def office() -> OfficeSettings:
    """The fixture's office, with its leave day on 18 August."""
    return lingga_office()


def dashboard(
    qtbot: QtBot, desk: Desk, language: Language, runner: TaskRunner, clock: FakeClock
) -> tuple[DashboardPage, dict[str, str]]:
    uuids = store_all(desk)
    clock.current = dt.datetime.combine(AS_OF, dt.time(9), ZONE).astimezone(dt.UTC)
    boss = accounts.sign_in_supervisor(desk)
    clerk = accounts.add_user(desk, boss, "ani", Role.FRONT_DESK).actor
    page = DashboardPage(language, ReportService(desk.context), clerk, runner, AS_OF)
    qtbot.addWidget(page)
    page.resize(1366, 900)
    return page, uuids


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def show_august(qtbot: QtBot, page: DashboardPage) -> OfficeReport:
    with qtbot.waitSignal(page.shown, timeout=10_000) as shown:
        page.period_box.setCurrentIndex(page.periods.index(Period.month(2026, 8)))
    report = shown.args[0]
    assert isinstance(report, OfficeReport)
    return report


def test_the_front_desk_sees_augusts_figures_as_the_core_counts_them(
    qtbot: QtBot, sqlite_desk: Desk, language: Language, runner: TaskRunner, clock: FakeClock
) -> None:
    page, _ = dashboard(qtbot, sqlite_desk, language, runner, clock)
    report = show_august(qtbot, page)
    assert report.received.total == 6
    assert cell(page.summary, 0, 0) == "6"  # received, August
    assert cell(page.summary, 0, 1) == "1"  # July
    assert page.sla_table.rowCount() == 3
    assert cell(page.sla_table, 0, 5) == "40.0"
    assert page.overdue_table.rowCount() == 4
    assert cell(page.overdue_table, 0, 4) == "53"
    titles = [cell(page.overdue_table, r, 1) for r in range(4)]
    assert not any("XYZZY" in title for title in titles)  # rahasia: never described
    assert page.sla_chart.series[0][0] == 40.0
    assert sum(v or 0 for v in page.channel_chart.series[0]) == 6


def test_double_clicking_a_late_complaint_asks_to_open_it(
    qtbot: QtBot, sqlite_desk: Desk, language: Language, runner: TaskRunner, clock: FakeClock
) -> None:
    page, uuids = dashboard(qtbot, sqlite_desk, language, runner, clock)
    show_august(qtbot, page)
    item = page.overdue_table.item(0, 1)
    with qtbot.waitSignal(page.open_requested) as opened:
        page.overdue_table.itemDoubleClicked.emit(item)
    assert opened.args == [uuids["I"]]


def test_the_dashboard_renders_at_1366_by_768(
    qtbot: QtBot,
    sqlite_desk: Desk,
    language: Language,
    runner: TaskRunner,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    page, _ = dashboard(qtbot, sqlite_desk, language, runner, clock)
    page.resize(1366, 768)
    page.show()
    show_august(qtbot, page)
    group = page.channel_chart.parentWidget()
    assert group is not None
    qtbot.waitUntil(lambda: group.height() >= group.minimumSizeHint().height() > 100)
    picture = tmp_path / "dashboard.png"
    assert page.grab().save(str(picture))
    assert picture.stat().st_size > 10_000


def test_a_supervisor_makes_the_recap_from_the_dashboard(
    qtbot: QtBot,
    sqlite_desk: Desk,
    language: Language,
    runner: TaskRunner,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    front_desk_page, _ = dashboard(qtbot, sqlite_desk, language, runner, clock)
    assert front_desk_page.xlsx_button.isHidden() and front_desk_page.pdf_button.isHidden()
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    asked: list[str] = []

    def choose(_parent: object, suggested: str, _filter: str) -> Path:
        asked.append(suggested)
        return tmp_path / suggested

    export = RecapExport(sqlite_desk.context, boss, runner, language, choose)
    page = DashboardPage(
        language, ReportService(sqlite_desk.context), boss, runner, AS_OF, recap=export
    )
    qtbot.addWidget(page)
    show_august(qtbot, page)
    with qtbot.waitSignal(export.made, timeout=10_000) as made:
        page.pdf_button.click()
    assert asked == ["rekap-2026-08.pdf"]
    assert made.args[0].received == 6
    assert (tmp_path / "rekap-2026-08.pdf").read_bytes().startswith(b"%PDF")
    assert recap_was_made(sqlite_desk.database, Period.month(2026, 8))
