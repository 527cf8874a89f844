"""One deadline rule: the list's SQL filter, the detail's view and ``show`` always agree.

Complaints with hand-made timelines go straight into a real SQLite file; each
office day is judged twice, by ``LookupService`` in SQL (the overdue filter
and the list's badge) and in Python (``LookupService.view``), around
weekends, public holidays, office leave days and complaints closed on
their deadline day.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid as uuid_module
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.domain.status import CLOSED_STATES, Status, is_closed
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor, system_clock
from lapor_desktop.services.lookup import ComplaintQuery, ComplaintView, LookupService
from lapor_desktop.services.sla import Deadline
from lapor_desktop.settings import OfficeSettings, SlaSettings
from lapor_desktop.storage.models import Complaint, StatusEvent
from tests.support import accounts, samples
from tests.support.cli import Run, in_process, open_desk, set_up_desk
from tests.support.clock import FakeClock

ZONE = ZoneInfo("Asia/Jakarta")
LEAVE_DAYS = (dt.date(2026, 8, 18), dt.date(2026, 11, 30), dt.date(2026, 12, 24))
"""Office leave: the day after Independence Day, a Monday, Christmas Eve."""
FRIDAY = dt.date(2026, 11, 27)
INDEPENDENCE_EVE = dt.date(2026, 8, 14)  # a Friday; Monday 17 August is a holiday


@dataclass(frozen=True)
class Step:
    status: str
    day: dt.date
    hour: int = 10
    minute: int = 0

    def moment(self) -> dt.datetime:
        local = dt.datetime.combine(self.day, dt.time(self.hour, self.minute), ZONE)
        return local.astimezone(dt.UTC)


@pytest.fixture
def leave_desk(data_paths: DataPaths, clock: FakeClock) -> Iterator[Desk]:
    office = OfficeSettings(
        office_code=samples.OFFICE_CODE,
        office_name=samples.OFFICE_NAME,
        sla=SlaSettings(leave_days=LEAVE_DAYS),
    )
    desk = accounts.initialise_desk(data_paths, office, clock)
    yield desk
    desk.close()


@pytest.fixture
def it_actor(leave_desk: Desk) -> Actor:
    """IT staff look complaints up without opening identities (no audit write per read)."""
    boss = accounts.sign_in_supervisor(leave_desk)
    return accounts.add_user(leave_desk, boss, "budi_it", Role.IT).actor


def store(desk: Desk, timelines: Sequence[Sequence[Step]]) -> list[str]:
    """Complaints whose timelines are exactly these steps; their status is the last one."""
    uuids: list[str] = []
    with desk.database.write() as session:
        for number, steps in enumerate(timelines):
            first = steps[0].moment()
            queued = next((s.moment() for s in steps if s.status == Status.QUEUED.value), None)
            uuid = uuid_module.uuid4()
            complaint = Complaint(
                uuid=str(uuid),
                registration_number=f"{samples.OFFICE_CODE}-20260101-TEST-{uuid.hex[:8]}",
                office_code=samples.OFFICE_CODE,
                station_id="TEST",
                classification="pengaduan",
                title=f"Keluhan {number}",
                description="",
                channel="tatap_muka",
                status=steps[-1].status,
                sync_state="sent",
                created_by="test",
                created_at=first,
                updated_at=steps[-1].moment(),
                submitted_at=queued,
            )
            complaint.events = [
                StatusEvent(
                    status=s.status, occurred_at=s.moment(), actor="test", source="national"
                )
                for s in steps
            ]
            session.add(complaint)
            uuids.append(complaint.uuid)
    return uuids


def edge_cases() -> list[list[Step]]:
    q = Status.QUEUED.value
    fwd, fol = Status.FORWARDED.value, Status.FOLLOWED_UP.value
    # Friday 27 November with leave on Monday 30: verification is due Thursday 3 December.
    due = dt.date(2026, 12, 3)
    return [
        [Step(q, FRIDAY)],
        [Step(q, FRIDAY, 23, 30)],  # late evening WIB: still Friday, already Friday in UTC
        [Step(q, FRIDAY, 0, 10)],  # just after midnight WIB: Thursday in UTC
        [Step(q, dt.date(2026, 11, 26), 23, 59)],
        [Step(q, INDEPENDENCE_EVE)],
        [Step(q, dt.date(2026, 12, 23))],  # Christmas Eve leave, Christmas, the weekend
        [Step(q, FRIDAY), Step(Status.FINISHED.value, due)],  # closed on its deadline day
        [Step(q, FRIDAY), Step(Status.REJECTED.value, due + dt.timedelta(days=1))],
        [Step(q, FRIDAY), Step(fwd, due)],  # forwarded on its deadline day: on time
        [Step(q, FRIDAY), Step(fwd, due + dt.timedelta(days=1))],  # forwarded late: met
        [Step(q, FRIDAY), Step(fwd, dt.date(2026, 12, 1)), Step(fol, dt.date(2026, 12, 8))],
        [Step(q, FRIDAY), Step(fwd, dt.date(2026, 12, 1)), Step(Status.DEFERRED.value, due)],
        [Step(q, FRIDAY), Step(Status.VERIFIED.value, dt.date(2026, 12, 2))],
        [Step(q, FRIDAY), Step(fol, dt.date(2026, 12, 1))],  # the feed skipped "forwarded"
        [Step(q, FRIDAY), Step("escalated", dt.date(2026, 12, 1))],  # a newer server's state
        [Step(Status.DRAFT.value, FRIDAY)],  # no clock runs for a draft
        [Step(q, dt.date(2026, 10, 27))],  # the legal ceiling's day is 26 December
        [Step(q, dt.date(2026, 10, 26)), Step(fwd, dt.date(2026, 10, 27))],
        [Step(q, dt.date(2026, 10, 27)), Step(Status.FINISHED.value, dt.date(2026, 12, 26))],
    ]


def random_timelines(count: int, seed: int) -> list[list[Step]]:
    """Timelines around Independence Day and the year's end, closed or not, some steps skipped."""
    rng = random.Random(seed)
    starts = (dt.date(2026, 8, 3), dt.date(2026, 11, 16), dt.date(2026, 12, 14))
    closing = sorted(s.value for s in CLOSED_STATES)
    timelines: list[list[Step]] = []
    for _ in range(count):
        day = rng.choice(starts) + dt.timedelta(days=rng.randrange(28))
        steps = [Step(Status.QUEUED.value, day, rng.randrange(24), rng.randrange(60))]
        for status in (Status.VERIFIED, Status.FORWARDED, Status.FOLLOWED_UP):
            if rng.random() < 0.6:
                day += dt.timedelta(days=rng.randrange(8))
                steps.append(Step(status.value, day, rng.randrange(24), rng.randrange(60)))
        if rng.random() < 0.3:
            day += dt.timedelta(days=rng.randrange(8))
            steps.append(Step(rng.choice(closing), day, rng.randrange(24)))
        timelines.append(steps)
    return timelines


def judged_in_sql(lookup: LookupService, today: dt.date, actor: Actor) -> tuple[set[str], set[str]]:
    """The overdue filter's complaints, and the ones the list's badge marks."""
    filtered = lookup.find(ComplaintQuery(overdue_on=today, limit=10_000), actor=actor)
    badged, _ = lookup.find_page(ComplaintQuery(flag_overdue_on=today, limit=10_000), actor=actor)
    return {c.uuid for c in filtered}, {c.uuid for c in badged if getattr(c, "overdue", False)}


def judged_in_python(lookup: LookupService, uuids: Sequence[str], actor: Actor) -> set[str]:
    views = [lookup.view(uuid, actor=actor) for uuid in uuids]
    return {v.detail.summary.uuid for v in views if v is not None and v.missed}


def set_office_day(clock: FakeClock, day: dt.date) -> None:
    clock.current = dt.datetime.combine(day, dt.time(12), ZONE).astimezone(dt.UTC)


def test_the_sql_filter_and_the_view_agree_on_edge_cases(
    leave_desk: Desk, it_actor: Actor, clock: FakeClock
) -> None:
    uuids = store(leave_desk, edge_cases())
    days = [FRIDAY + dt.timedelta(days=n) for n in range(40)]
    days += [INDEPENDENCE_EVE + dt.timedelta(days=n) for n in range(8)]
    seen_overdue = 0
    for today in days:
        set_office_day(clock, today)
        filtered, badged = judged_in_sql(leave_desk.lookup, today, it_actor)
        in_python = judged_in_python(leave_desk.lookup, uuids, it_actor)
        assert filtered == in_python, today
        assert badged == in_python, today
        seen_overdue += len(in_python)
    assert seen_overdue > 0


def test_the_sql_filter_and_the_view_agree_on_generated_complaints(
    leave_desk: Desk, it_actor: Actor, clock: FakeClock
) -> None:
    uuids = store(leave_desk, random_timelines(150, seed=12))
    year_end = [dt.date(2026, 12, 21) + dt.timedelta(days=n) for n in range(0, 22, 3)]
    for today in [dt.date(2026, 8, 20), dt.date(2026, 9, 4), dt.date(2026, 12, 2), *year_end]:
        set_office_day(clock, today)
        filtered, badged = judged_in_sql(leave_desk.lookup, today, it_actor)
        in_python = judged_in_python(leave_desk.lookup, uuids, it_actor)
        assert filtered == in_python, today
        assert badged == in_python, today
        assert 0 < len(in_python) < len(uuids), today


def view_of(desk: Desk, steps: list[Step], actor: Actor) -> ComplaintView:
    [uuid] = store(desk, [steps])
    view = desk.lookup.view(uuid, actor=actor)
    assert view is not None
    return view


def test_the_view_says_which_deadline_is_missed_and_by_how_many_days(
    leave_desk: Desk, it_actor: Actor, clock: FakeClock
) -> None:
    set_office_day(clock, dt.date(2026, 12, 7))  # a Monday
    view = view_of(leave_desk, [Step(Status.QUEUED.value, FRIDAY)], it_actor)

    [verify, legal] = view.deadline_views
    assert verify.deadline is Deadline.VERIFY_BY
    assert verify.due_on == dt.date(2026, 12, 3)  # the leave day on 30 November shifts it
    assert verify.missed and verify.days_late == 4
    assert legal.deadline is Deadline.LEGAL_CEILING
    assert not legal.missed and legal.days_late == 0
    assert view.missed == (Deadline.VERIFY_BY,)
    assert not view.closed and view.today == dt.date(2026, 12, 7)


def test_a_complaint_closed_on_its_deadline_day_misses_nothing(
    leave_desk: Desk, it_actor: Actor, clock: FakeClock
) -> None:
    set_office_day(clock, dt.date(2027, 3, 1))
    steps = [Step(Status.QUEUED.value, FRIDAY), Step(Status.FINISHED.value, dt.date(2026, 12, 3))]
    view = view_of(leave_desk, steps, it_actor)

    assert view.closed
    assert view.missed == ()
    assert all(d.days_late == 0 for d in view.deadline_views)


def test_a_state_unknown_to_this_desk_is_not_closed() -> None:
    assert not is_closed("escalated")
    assert all(is_closed(s.value) == s.is_closed for s in Status)
    assert {s for s in Status if s.is_closed} == CLOSED_STATES


def test_the_view_resolves_region_and_agency_names(sqlite_desk: Desk, sqlite_clerk: Actor) -> None:
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    view = sqlite_desk.lookup.view(saved.uuid, actor=sqlite_clerk)

    assert view is not None
    assert view.region_name == "Lingga, Kabupaten Lingga, Kepulauan Riau"
    assert "Dinas Pekerjaan Umum" in view.agency_name
    assert view.deadlines is not None and view.missed == ()
    assert sqlite_desk.lookup.view("2104-20990101-AAAA-0001", actor=sqlite_clerk) is None


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


def test_show_prints_the_deadlines_the_service_judged(tmp_path: Path, run: Run) -> None:
    data_dir = set_up_desk(tmp_path)
    queued_on = system_clock().astimezone(ZONE).date() - dt.timedelta(days=30)
    desk = open_desk(data_dir)
    try:
        [uuid] = store(desk, [[Step(Status.QUEUED.value, queued_on)]])
    finally:
        desk.close()

    text = run(data_dir, "show", uuid)
    shown = run(data_dir, "show", uuid, "--json")

    assert text.code == 0, text.stderr
    document = json.loads(shown.stdout)
    [verify, legal] = document["deadlines"]
    assert verify["deadline"] == "verify_by" and verify["missed"] is True
    assert f"overdue by {verify['days_late']} days" in text.stdout
    assert legal["missed"] is False and document["closed"] is False
