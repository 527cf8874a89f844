"""The report's figures against a hand-counted August 2026, on SQLite and PostgreSQL.

The fixture (``tests/test_report_fixtures.py``) has a month with two public
holidays and a leave day, complaints on both sides of the month's midnight
in WIB, steps done on their deadline day, a reopened complaint, both routes
to LAPOR!, a rahasia complaint and a draft.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.services.reports.figures import Count
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.service import OfficeReport, ReportService
from lapor_desktop.services.reports.sla_figures import DeadlineFigures
from lapor_desktop.services.sla import Deadline
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.test_report_fixtures import AS_OF, ZONE, lingga_office, store_all

AUGUST = Period.month(2026, 8)


@pytest.fixture
def office() -> OfficeSettings:
    return lingga_office()


@pytest.fixture
def august(desk: Desk, supervisor: Principal) -> tuple[OfficeReport, dict[str, str]]:
    uuids = store_all(desk)
    return ReportService(desk.context).report(AUGUST, actor=supervisor.actor, as_of=AS_OF), uuids


def counts(lines: tuple[Count, ...]) -> dict[str, int]:
    return {line.key: line.count for line in lines}


def test_only_complaints_received_on_augusts_office_days_are_counted(
    august: tuple[OfficeReport, dict[str, str]],
) -> None:
    report, _ = august
    received = report.received
    assert received.total == 6  # A B F G H I; not C (1 Sep WIB), D (July), E (draft)
    assert received.rahasia == 1
    assert received.anonim == 1
    assert counts(received.by_classification) == {"pengaduan": 5, "aspirasi": 1}
    assert counts(received.by_channel) == {"tatap_muka": 3, "telepon": 1, "whatsapp": 1, "surat": 1}
    assert counts(received.by_agency) == {"2104-DPUPR": 4, "2104-DINKES": 2}
    assert counts(received.by_district) == {"210402": 6}
    assert counts(received.by_category) == {"": 6}
    assert counts(received.by_status) == dict.fromkeys(
        ("finished", "queued", "followed_up", "forwarded", "archived", "sent"), 1
    )
    assert received.by_channel[0].label == "Walk-in"
    assert received.by_agency[0].label != "2104-DPUPR"  # the agency's name


def test_both_routes_are_counted_and_bundles_show_zero(
    august: tuple[OfficeReport, dict[str, str]],
) -> None:
    report, _ = august
    assert counts(report.received.reached_lapor) == {"protocol": 4, "website": 1, "bundle": 0}
    assert report.received.not_yet_at_lapor == 1


def figures(report: OfficeReport, deadline: Deadline) -> DeadlineFigures:
    return next(d for d in report.sla.deadlines if d.deadline is deadline)


def test_each_deadline_is_judged_with_the_holidays_and_the_leave_day(
    august: tuple[OfficeReport, dict[str, str]],
) -> None:
    report, _ = august
    verify = figures(report, Deadline.VERIFY_BY)
    assert (verify.on_time, verify.late, verify.overdue) == (2, 1, 2)  # A F on time, G late
    assert (verify.pending, verify.closed_before, verify.not_started) == (0, 1, 0)  # H archived
    assert verify.on_time_percent == 40.0
    follow_up = figures(report, Deadline.FOLLOW_UP_BY)
    assert (follow_up.on_time, follow_up.late, follow_up.overdue) == (1, 1, 1)  # F, A, G
    assert follow_up.not_started == 3
    assert follow_up.on_time_percent == 33.3
    legal = figures(report, Deadline.LEGAL_CEILING)
    # A and H settled in time; F was reopened, so its settlement is overdue since 2 October.
    assert (legal.on_time, legal.late, legal.overdue, legal.pending) == (2, 0, 1, 3)
    assert legal.on_time_percent == 66.7
    assert report.sla.complaints_overdue == 4


def test_the_overdue_list_is_sorted_by_days_late_and_never_describes_rahasia(
    august: tuple[OfficeReport, dict[str, str]],
) -> None:
    report, uuids = august
    rows = report.overdue.rows
    assert [(r.uuid, r.days_late, r.due_on) for r in rows] == [
        (uuids["I"], 53, dt.date(2026, 8, 13)),
        (uuids["G"], 33, dt.date(2026, 9, 2)),
        (uuids["B"], 32, dt.date(2026, 9, 3)),
        (uuids["F"], 3, dt.date(2026, 10, 2)),
    ]
    assert rows[1].rahasia and rows[1].title is None
    assert rows[0].title == "Puskesmas tutup"
    assert rows[1].missed == (Deadline.FOLLOW_UP_BY,)
    assert report.overdue.total == 4


def test_the_overdue_list_says_what_each_complaints_detail_says(
    desk: Desk, supervisor: Principal, clock: FakeClock, office: OfficeSettings
) -> None:
    uuids = store_all(desk)
    clock.current = dt.datetime.combine(AS_OF, dt.time(12), ZONE).astimezone(dt.UTC)
    report = ReportService(desk.context).report(AUGUST, actor=supervisor.actor)
    assert report.as_of == AS_OF
    listed = {row.uuid: row.missed for row in report.overdue.rows}
    for key in "ABFGHI":
        view = desk.lookup.view(uuids[key], actor=supervisor.actor)
        assert view is not None
        assert view.missed == listed.get(uuids[key], ()), key


def test_the_period_before_and_a_year_earlier_stand_beside_it(
    august: tuple[OfficeReport, dict[str, str]],
) -> None:
    report, _ = august
    comparison = report.comparison
    assert comparison.previous.period == Period.month(2026, 7)
    assert comparison.previous.received == 1  # D
    assert dict(comparison.previous.on_time_percent)[Deadline.VERIFY_BY] == 100.0
    assert comparison.a_year_earlier.period == Period.month(2025, 8)
    assert comparison.a_year_earlier.received == 1  # K
    assert dict(comparison.a_year_earlier.on_time_percent)[Deadline.VERIFY_BY] == 0.0
    assert comparison.current.received == 6
    assert comparison.current.reached_lapor == 5


def test_a_period_of_any_length_and_an_empty_one(desk: Desk, supervisor: Principal) -> None:
    store_all(desk)
    service = ReportService(desk.context)
    around_midnight = Period(dt.date(2026, 8, 31), dt.date(2026, 9, 1))
    report = service.report(around_midnight, actor=supervisor.actor, as_of=AS_OF)
    assert report.received.total == 2  # B and C
    assert report.comparison.previous.period == Period(dt.date(2026, 8, 29), dt.date(2026, 8, 30))
    empty = service.report(Period.month(2027, 2), actor=supervisor.actor, as_of=AS_OF)
    assert empty.received.total == 0
    assert all(d.on_time_percent is None for d in empty.sla.deadlines)
    assert empty.overdue.rows == ()


def test_the_front_desk_may_see_the_figures(desk: Desk, supervisor: Principal) -> None:
    clerk: Actor = accounts.add_user(desk, supervisor, "ani", Role.FRONT_DESK).actor
    report = ReportService(desk.context).report(AUGUST, actor=clerk, as_of=AS_OF)
    assert report.received.total == 0


def test_month_parsing_and_labels() -> None:
    assert Period.parse_month("2026-11") == Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert Period.parse_month("2026-13") is None
    assert Period.parse_month("November") is None
    assert Period.month(2026, 11).label() == "November 2026"
    assert Period.month(2024, 3).previous() == Period.month(2024, 2)
    assert Period.year(2025).previous() == Period.year(2024) == Period.year(2025).a_year_earlier()
    assert Period.year(2025).label() == "2025"
    assert Period(dt.date(2024, 2, 29), dt.date(2024, 3, 1)).a_year_earlier() == Period(
        dt.date(2023, 2, 28), dt.date(2023, 3, 1)
    )
