"""The dashboard's weeks, its district and village pickers and its received tables, on a real desk.

The hand-counted August 2026 (``tests/test_report_fixtures.py``) with I moved
to the village of Daik and H to the district of Singkep: the whole office
received 6, Lingga 5, Daik 1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QGroupBox
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.i18n import N_, translate
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.service import OfficeReport, ReportService
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.test_report_fixtures import AS_OF, AUGUST, DRAFT, OUTSIDE, ZONE, lingga_office, store
from ui.dashboard_page import DashboardPage
from ui.i18n import Language
from ui.tasks import TaskRunner

DAIK, SINGKEP = "2104021010", "210401"
VILLAGE = translate(N_("Village"), "id")


@pytest.fixture
def office() -> OfficeSettings:
    return lingga_office()


@pytest.fixture
def page(
    qtbot: QtBot, sqlite_desk: Desk, language: Language, runner: TaskRunner, clock: FakeClock
) -> DashboardPage:
    places = {"I": DAIK, "H": SINGKEP}
    fakes = [
        dataclasses.replace(f, region=places.get(f.key, f.region))
        for f in (*AUGUST, *OUTSIDE, DRAFT)
    ]
    store(sqlite_desk, fakes)
    clock.current = dt.datetime.combine(AS_OF, dt.time(9), ZONE).astimezone(dt.UTC)
    boss = accounts.sign_in_supervisor(sqlite_desk)
    clerk = accounts.add_user(sqlite_desk, boss, "ani", Role.FRONT_DESK).actor
    shown = DashboardPage(language, ReportService(sqlite_desk.context), clerk, runner, AS_OF)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    return shown


def shown_after(qtbot: QtBot, page: DashboardPage, change: object) -> OfficeReport:
    with qtbot.waitSignal(page.shown, timeout=10_000) as shown:
        assert callable(change)
        change()
    report = shown.args[0]
    assert isinstance(report, OfficeReport)
    return report


def august(page: DashboardPage) -> None:
    page.period_box.setCurrentIndex(page.periods.index(Period.month(2026, 8)))


def test_the_weeks_chart_and_the_on_time_lines_show_the_cores_weeks(
    qtbot: QtBot, page: DashboardPage
) -> None:
    report = shown_after(qtbot, page, lambda: august(page))
    assert report.area is None and report.received.total == 6
    assert page.weekly_chart.labels == ["01/08", "03/08", "10/08", "17/08", "24/08", "31/08"]
    assert page.weekly_chart.series == [[0, 1, 3, 1, 0, 1]]
    verify, follow_up, _ceiling = page.sla_time_chart.series
    assert verify == [None, 100.0, 50.0, 0.0, None, 0.0]
    assert follow_up == [None, 100.0, 0.0, 0.0, None, None]
    assert page.sla_time_chart.names[0] == "Verifikasi dan penerusan (disposisi)"
    tabs = [page.count_tabs.tabText(i) for i in range(page.count_tabs.count())]
    assert tabs[0] == "Klasifikasi" and VILLAGE not in tabs
    district_table = page.count_tabs.tables[tabs.index("Kecamatan")]
    districts = {
        district_table.item(r, 0).text(): district_table.item(r, 1).text()  # type: ignore[union-attr]
        for r in range(district_table.rowCount())
    }
    assert districts == {"Lingga": "5", "Singkep": "1"}


def test_choosing_a_district_then_a_village_counts_only_there(
    qtbot: QtBot, page: DashboardPage
) -> None:
    shown_after(qtbot, page, lambda: august(page))
    picker = page.area_picker
    assert not picker.village_box.isEnabled()
    lingga = next(i for i, a in enumerate(picker.districts) if a.name == "Lingga")
    report = shown_after(qtbot, page, lambda: picker.district_box.setCurrentIndex(lingga + 1))
    assert report.received.total == 5
    assert page.summary.item(0, 0).text() == "5"  # type: ignore[union-attr]
    assert page.overdue_table.rowCount() == 4
    assert picker.village_box.isEnabled() and picker.village_box.count() == 13
    tabs = [page.count_tabs.tabText(i) for i in range(page.count_tabs.count())]
    assert VILLAGE in tabs
    daik = next(i for i, a in enumerate(picker.villages) if a.code == DAIK)
    report = shown_after(qtbot, page, lambda: picker.village_box.setCurrentIndex(daik + 1))
    assert report.area is not None and report.area.code == DAIK
    assert report.received.total == 1
    assert page.weekly_chart.series == [[0, 0, 1, 0, 0, 0]]
    assert page.overdue_table.rowCount() == 1
    report = shown_after(qtbot, page, lambda: picker.district_box.setCurrentIndex(0))
    assert report.area is None and report.received.total == 6
    assert not picker.village_box.isEnabled()


def test_the_dashboard_with_a_district_renders_at_1366_by_768(
    qtbot: QtBot, page: DashboardPage, tmp_path: Path
) -> None:
    page.show()
    shown_after(qtbot, page, lambda: august(page))
    shown_after(qtbot, page, lambda: page.area_picker.choose("210402"))
    boxes = page.body.findChildren(QGroupBox)
    qtbot.waitUntil(lambda: all(b.height() >= b.minimumSizeHint().height() for b in boxes))
    assert page.weekly_chart.height() >= 180
    picture = tmp_path / "dashboard-district.png"
    assert page.grab().save(str(picture))
    assert page.body.grab().save(str(tmp_path / "dashboard-body.png"))  # the whole scrolled page
    assert picture.stat().st_size > 10_000
