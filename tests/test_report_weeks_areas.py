"""The report week by week and for one district or village, against the hand-counted August 2026.

Weeks of August 2026 (Monday to Sunday, cut at the month's edges): 1-2,
3-9, 10-16, 17-23, 24-30, 31. Received: F on the 3rd; A, H, I on the
10th-14th; G on the 19th; B on the 31st. For the areas, I is moved to the
village of Daik (2104021010) and H to the district of Singkep (210401).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.reports.areas import Area, districts, find_area, villages
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.service import OfficeReport, ReportService
from lapor_desktop.services.reports.weekly import weeks
from lapor_desktop.services.sla import Deadline
from lapor_desktop.settings import OfficeSettings
from tests.support import samples
from tests.test_report_fixtures import AS_OF, AUGUST, DRAFT, OUTSIDE, Fake, lingga_office, store

AUGUST_2026 = Period.month(2026, 8)
DAIK = "2104021010"
SINGKEP = "210401"
LINGGA = samples.LINGGA_DISTRICT
V, F, L = Deadline.VERIFY_BY, Deadline.FOLLOW_UP_BY, Deadline.LEGAL_CEILING


@pytest.fixture
def office() -> OfficeSettings:
    return lingga_office()


def moved(fakes: Sequence[Fake]) -> list[Fake]:
    places = {"I": DAIK, "H": SINGKEP}
    return [dataclasses.replace(f, region=places.get(f.key, f.region)) for f in fakes]


def report_of(desk: Desk, supervisor: Principal, area: Area | None = None) -> OfficeReport:
    return ReportService(desk.context).report(
        AUGUST_2026, actor=supervisor.actor, as_of=AS_OF, area=area
    )


def test_augusts_weeks_are_cut_at_the_months_edges() -> None:
    assert [(w.first.day, w.last.day) for w in weeks(AUGUST_2026)] == [
        (1, 2),
        (3, 9),
        (10, 16),
        (17, 23),
        (24, 30),
        (31, 31),
    ]
    assert len(weeks(Period.year(2025))) == 53  # Wed 1 Jan to Wed 31 Dec


def test_complaints_per_week_and_each_weeks_on_time_share(
    desk: Desk, supervisor: Principal
) -> None:
    store(desk, (*AUGUST, *OUTSIDE, DRAFT))
    report = report_of(desk, supervisor)
    weekly = report.weekly
    assert [w.label for w in weekly] == ["01/08", "03/08", "10/08", "17/08", "24/08", "31/08"]
    assert [w.received for w in weekly] == [0, 1, 3, 1, 0, 1]  # not C, D, E
    assert sum(w.received for w in weekly) == report.received.total
    shares = [dict(w.on_time_percent) for w in weekly]
    assert shares[0] == {V: None, F: None, L: None}
    # F: forwarded and followed up in time, reopened so its settlement is overdue.
    assert shares[1] == {V: 100.0, F: 100.0, L: 0.0}
    # A forwarded in time, I never (H archived first); A followed up late; A and H settled.
    assert shares[2] == {V: 50.0, F: 0.0, L: 100.0}
    # G (rahasia) forwarded late and never followed up; its settlement not yet due.
    assert shares[3] == {V: 0.0, F: 0.0, L: None}
    # B never verified, due 3 September.
    assert shares[5] == {V: 0.0, F: None, L: None}


def test_a_district_counts_only_its_complaints_and_shows_its_villages(
    desk: Desk, supervisor: Principal
) -> None:
    store(desk, moved((*AUGUST, *OUTSIDE, DRAFT)))
    lingga = find_area(desk.context.references, LINGGA)
    assert lingga == Area(LINGGA, "Lingga")
    report = report_of(desk, supervisor, lingga)
    received = report.received
    assert report.area == lingga
    assert received.total == 5  # A B F G I; H is in Singkep
    assert {c.key: c.count for c in received.by_district} == {LINGGA: 5}
    assert {c.key: c.count for c in received.by_village} == {DAIK: 1, "": 4}
    assert received.by_village[0].label == "Daik"
    verify = next(d for d in report.sla.deadlines if d.deadline is V)
    assert (verify.on_time, verify.late, verify.overdue, verify.closed_before) == (2, 1, 2, 0)
    assert report.sla.complaints_overdue == 4
    assert len(report.overdue.rows) == 4
    assert report.comparison.previous.received == 1  # D, July, in Lingga
    assert report.comparison.a_year_earlier.received == 1  # K
    assert [w.received for w in report.weekly] == [0, 1, 2, 1, 0, 1]


def test_a_village_and_the_whole_office(desk: Desk, supervisor: Principal) -> None:
    uuids = store(desk, moved((*AUGUST, *OUTSIDE, DRAFT)))
    daik = find_area(desk.context.references, DAIK)
    assert daik is not None and not daik.is_district
    report = report_of(desk, supervisor, daik)
    assert report.received.total == 1  # I
    assert {c.key: c.count for c in report.received.by_village} == {DAIK: 1}
    assert [r.uuid for r in report.overdue.rows] == [uuids["I"]]
    assert report.comparison.previous.received == 0
    whole = report_of(desk, supervisor)
    assert whole.received.total == 6
    assert whole.received.by_village == ()
    assert {c.key: c.count for c in whole.received.by_district} == {LINGGA: 5, SINGKEP: 1}
    singkep = report_of(desk, supervisor, Area(SINGKEP, "Singkep"))
    assert singkep.received.total == 1 and singkep.overdue.rows == ()


def test_the_areas_offered_are_the_offices_districts_and_their_villages(desk: Desk) -> None:
    references = desk.context.references
    offered = districts(references, samples.OFFICE_CODE)
    assert len(offered) == 13 and all(a.code.startswith("2104") for a in offered)
    assert [a.name for a in offered][:2] == ["Bakung Serumpun", "Katang Bidare"]
    lingga = next(a for a in offered if a.code == LINGGA)
    daik_villages = villages(references, lingga)
    assert DAIK in {a.code for a in daik_villages} and len(daik_villages) == 12
    assert find_area(references, "9999") is None
