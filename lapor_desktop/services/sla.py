"""Working-day deadlines of the LAPOR! lifecycle (hari kerja).

Counting rule, as LAPOR! counts: the day something happens is day 0 and
the deadline is the n-th working day *after* it, whatever time of day it
arrived. A complaint received on a Friday with 3 working days is due on
Wednesday (Monday 1, Tuesday 2, Wednesday 3). A deadline date is the last
day on which the step is on time; it is overdue from the next day.

Working days are Monday to Friday, minus Indonesian public holidays (the
``holidays`` package, which also estimates lunar holidays for years beyond
its published data) and the office's own leave days (cuti bersama, local
days off).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_
from lapor_desktop.settings import SlaSettings

COUNTRY = "ID"
SATURDAY = 5


class WorkingCalendar:
    """Which days count as working days for one office.

    Holidays are loaded a year at a time, the first time a date in that year
    is asked about, and kept; ``years`` loads some up front. Safe to share
    between threads.
    """

    def __init__(
        self,
        leave_days: Iterable[dt.date] = (),
        years: Iterable[int] | None = None,
        *,
        joint_leave: bool = False,
    ) -> None:
        """``joint_leave`` also takes the national cuti bersama the package knows.

        Off by default: the domain has each office enter its own leave days,
        because regional offices do not always follow the national list.
        """
        self._leave = frozenset(leave_days)
        self._categories = ("public", "government") if joint_leave else ("public",)
        self._years: dict[int, frozenset[dt.date]] = {}
        self._lock = threading.Lock()
        for year in years or ():
            self._holidays(year)

    @classmethod
    def for_settings(cls, sla: SlaSettings) -> WorkingCalendar:
        return cls(sla.leave_days)

    @property
    def loaded_years(self) -> frozenset[int]:
        """The years whose holidays have been loaded so far."""
        return frozenset(self._years)

    def is_working_day(self, day: dt.date) -> bool:
        return (
            day.weekday() < SATURDAY
            and day not in self._leave
            and day not in self._holidays(day.year)
        )

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start``; ``start`` itself never counts (n=0 gives it)."""
        if n < 0:
            raise ValueError(f"working days must not be negative: {n}")
        day = start
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d <= b; negative when b is before a.

        The inverse of :meth:`add_working_days`: ``add_working_days(a, n)``
        gives b, and this gives n back.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def _holidays(self, year: int) -> frozenset[dt.date]:
        known = self._years.get(year)
        if known is not None:
            return known
        with self._lock:
            if year not in self._years:
                days = holidays.country_holidays(COUNTRY, years=year, categories=self._categories)
                self._years[year] = frozenset(days)
            return self._years[year]


class Deadline(StrEnum):
    """A deadline that can be missed, as the list views name it."""

    VERIFY_BY = "verify_by"
    FOLLOW_UP_BY = "follow_up_by"
    LEGAL_CEILING = "legal_ceiling"


DEADLINE_LABELS: dict[Deadline, str] = {
    Deadline.VERIFY_BY: N_("Verification and forwarding"),
    Deadline.FOLLOW_UP_BY: N_("Follow-up by the agency"),
    Deadline.LEGAL_CEILING: N_("Legal time limit for settlement"),
}
"""msgids for the list views; render them with :func:`lapor_desktop.i18n.translate`."""

CLOCK_STARTS = Status.QUEUED
"""No deadline runs before the complaint is queued (a draft has none)."""


@dataclass(frozen=True)
class DeadlineRule:
    """One deadline of the lifecycle: the step that starts its clock, the step that meets it.

    The one definition both the detail (Python) and the list's overdue filter
    (SQL, ``services/overdue_filter.py``) read, so they cannot disagree.
    ``met_by`` None: only closing the complaint meets it.
    """

    deadline: Deadline
    starts_with: Status
    met_by: Status | None
    length: Callable[[SlaSettings], int]
    working_days: bool

    def due(self, started_on: dt.date, sla: SlaSettings, calendar: WorkingCalendar) -> dt.date:
        """The last day on which the step is on time, for a clock started on ``started_on``."""
        if self.working_days:
            return calendar.add_working_days(started_on, self.length(sla))
        return started_on + dt.timedelta(days=self.length(sla))

    def first_start_on_time(
        self, today: dt.date, sla: SlaSettings, calendar: WorkingCalendar
    ) -> dt.date:
        """The earliest start date whose deadline has not passed by ``today``.

        A clock started before it has missed this deadline (unless its step is
        done); the SQL filter compares timestamps with it, so the database
        never counts working days itself.
        """
        day = today
        while self.due(day - dt.timedelta(days=1), sla, calendar) >= today:
            day -= dt.timedelta(days=1)
        return day


DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        Deadline.VERIFY_BY,
        starts_with=CLOCK_STARTS,
        met_by=Status.FORWARDED,
        length=lambda sla: sla.verification_working_days,
        working_days=True,
    ),
    DeadlineRule(
        Deadline.FOLLOW_UP_BY,
        starts_with=Status.FORWARDED,
        met_by=Status.FOLLOWED_UP,
        length=lambda sla: sla.follow_up_working_days,
        working_days=True,
    ),
    DeadlineRule(
        # Perpres 76/2013: settled within 60 *calendar* days of the complaint file being
        # complete, counted from submission, the earliest date the desk knows.
        Deadline.LEGAL_CEILING,
        starts_with=CLOCK_STARTS,
        met_by=None,
        length=lambda sla: sla.legal_ceiling_days,
        working_days=False,
    ),
)
"""Every deadline that can be missed, in lifecycle order."""


@dataclass(frozen=True)
class Deadlines:
    """The dates of one complaint; each is the last day on which its step is on time.

    ``follow_up_by`` exists once the complaint is forwarded; ``auto_close_on``
    once the agency has followed up: the last day of the complainant's reply
    window, after which the report may be closed as finished.
    """

    submitted_on: dt.date
    verify_by: dt.date
    legal_ceiling: dt.date
    forwarded_on: dt.date | None = None
    follow_up_by: dt.date | None = None
    followed_up_on: dt.date | None = None
    auto_close_on: dt.date | None = None

    def due(self, deadline: Deadline) -> dt.date | None:
        """The date of one deadline; None while its clock has not started."""
        return {
            Deadline.VERIFY_BY: self.verify_by,
            Deadline.FOLLOW_UP_BY: self.follow_up_by,
            Deadline.LEGAL_CEILING: self.legal_ceiling,
        }[deadline]

    def step_on(self, step: Status) -> dt.date | None:
        """The day a step of the lifecycle first happened; None before it."""
        return {
            CLOCK_STARTS: self.submitted_on,
            Status.FORWARDED: self.forwarded_on,
            Status.FOLLOWED_UP: self.followed_up_on,
        }.get(step)


def compute_deadlines(
    submitted_on: dt.date,
    sla: SlaSettings,
    calendar: WorkingCalendar,
    forwarded_on: dt.date | None = None,
    followed_up_on: dt.date | None = None,
) -> Deadlines:
    """Every deadline that applies so far, from the dates the steps happened.

    The dates come from :data:`DEADLINE_RULES`; ``SlaSettings`` sets their lengths.
    """
    steps = {CLOCK_STARTS: submitted_on, Status.FORWARDED: forwarded_on}
    due = {
        rule.deadline: rule.due(started, sla, calendar)
        for rule in DEADLINE_RULES
        if (started := steps.get(rule.starts_with)) is not None
    }
    return Deadlines(
        submitted_on=submitted_on,
        verify_by=due[Deadline.VERIFY_BY],
        legal_ceiling=due[Deadline.LEGAL_CEILING],
        forwarded_on=forwarded_on,
        follow_up_by=due.get(Deadline.FOLLOW_UP_BY),
        followed_up_on=followed_up_on,
        auto_close_on=(
            calendar.add_working_days(followed_up_on, sla.auto_close_working_days)
            if followed_up_on is not None
            else None
        ),
    )


@dataclass(frozen=True)
class DeadlineState:
    """One deadline of one complaint as of a day: its date, whether missed, and by how much."""

    deadline: Deadline
    due_on: dt.date
    missed: bool
    days_late: int
    """Calendar days since ``due_on`` when missed; 0 otherwise."""


def deadline_states(
    deadlines: Deadlines, today: dt.date, *, closed: bool = False
) -> tuple[DeadlineState, ...]:
    """Each deadline whose clock has started, in lifecycle order; none missed once closed.

    Missed: the day is past its date and the step that meets it has not happened.
    """
    states: list[DeadlineState] = []
    for rule in DEADLINE_RULES:
        due = deadlines.due(rule.deadline)
        if due is None:
            continue
        met = rule.met_by is not None and deadlines.step_on(rule.met_by) is not None
        missed = not closed and not met and today > due
        late = (today - due).days if missed else 0
        states.append(DeadlineState(rule.deadline, due, missed, late))
    return tuple(states)


def overdue(deadlines: Deadlines, today: dt.date, *, closed: bool = False) -> list[Deadline]:
    """The deadlines passed without their step done, in lifecycle order; none once closed."""
    return [s.deadline for s in deadline_states(deadlines, today, closed=closed) if s.missed]


def may_auto_close(deadlines: Deadlines, today: dt.date) -> bool:
    """True once the reply window after a follow-up is over (no reply is tracked here)."""
    return deadlines.auto_close_on is not None and today > deadlines.auto_close_on


def deadlines_for_timeline(
    events: Sequence[tuple[str, dt.datetime]], sla: SlaSettings, timezone: str
) -> Deadlines | None:
    """Deadlines of a complaint from its timeline ``(status, when)``; None before it is queued.

    Days are the office's local days: a complaint queued at 23:30 WIB counts from that day.
    """
    zone = ZoneInfo(timezone)

    def first(status: str) -> dt.date | None:
        for name, when in events:
            if name == status:
                return when.astimezone(zone).date()
        return None

    submitted = first(CLOCK_STARTS.value)
    if submitted is None:
        return None
    return compute_deadlines(
        submitted,
        sla,
        WorkingCalendar.for_settings(sla),
        forwarded_on=first(Status.FORWARDED.value),
        followed_up_on=first(Status.FOLLOWED_UP.value),
    )
