"""The period's complaints late now, most days late first; each row can open its complaint.

The database finds, deadline by deadline, the open complaints whose clock
started before that deadline's first on-time start day (the overdue
filter's rule) and hands back the earliest-started ones; each is then
judged by the detail's own functions (``compute_deadlines``,
``deadline_states``), so a row says exactly what the detail says. A
rahasia complaint shows its registration number, never its title.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from lapor_desktop.domain.status import CLOSED_VALUES
from lapor_desktop.services.overdue_filter import rule_missed
from lapor_desktop.services.reports.areas import Area
from lapor_desktop.services.reports.figures import received_in
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.sla_figures import step_columns
from lapor_desktop.services.sla import (
    CLOCK_STARTS,
    DEADLINE_RULES,
    Deadline,
    DeadlineRule,
    WorkingCalendar,
    compute_deadlines,
    deadline_states,
)
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import Complaint

DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class OverdueRow:
    """One late complaint; no identity, and no title when it is rahasia."""

    uuid: str
    """To open the complaint's detail."""
    registration_number: str
    title: str | None
    """None for a rahasia complaint: counted, never described."""
    rahasia: bool
    agency_code: str
    received_on: dt.date
    missed: tuple[Deadline, ...]
    due_on: dt.date
    """The due date of its most overdue deadline."""
    days_late: int
    """Calendar days past that date, as the detail counts them."""


@dataclass(frozen=True)
class OverdueList:
    rows: tuple[OverdueRow, ...]
    """Most days late first; at most the limit asked for."""
    total: int
    """Complaints late now (every one, not only the rows)."""


def overdue_list(
    session: Session,
    period: Period,
    office: OfficeSettings,
    as_of: dt.date,
    *,
    total: int,
    limit: int = DEFAULT_LIMIT,
    calendar: WorkingCalendar | None = None,
    area: Area | None = None,
) -> OverdueList:
    """The ``limit`` most overdue complaints received in ``period``; ``total`` is passed through.

    Days late grow as the clock's start gets earlier, so the earliest-started
    ``limit`` of each deadline hold the ``limit`` most overdue overall.
    """
    calendar = calendar or WorkingCalendar.for_settings(office.sla)
    zone = ZoneInfo(office.timezone)
    moments = step_columns(office.timezone, session.get_bind().dialect.name)
    found: dict[str, Any] = {}
    for rule in DEADLINE_RULES:
        cutoff = dt.datetime.combine(
            rule.first_start_on_time(as_of, office.sla, calendar), dt.time(), zone
        ).astimezone(dt.UTC)
        started = _start(rule, moments)
        query = (
            select(
                Complaint.uuid,
                Complaint.registration_number,
                Complaint.title,
                Complaint.rahasia,
                Complaint.agency_code,
                *(column.label(name) for name, column in moments.items()),
            )
            .where(received_in(period, office.timezone, area), _late(rule, cutoff))
            .order_by(started, Complaint.id)
            .limit(limit)
        )
        for row in session.execute(query):
            found[row.uuid] = row
    rows = [r for r in (_row(each, as_of, office, calendar, zone) for each in found.values()) if r]
    rows.sort(key=lambda r: (-r.days_late, r.received_on, r.registration_number))
    return OverdueList(rows=tuple(rows[:limit]), total=total)


def _start(rule: DeadlineRule, moments: dict[str, Any]) -> Any:
    return moments["received"] if rule.starts_with is CLOCK_STARTS else moments["forwarded"]


def _late(rule: DeadlineRule, cutoff: dt.datetime) -> ColumnElement[bool]:
    """Open and missed, by the rule the list's overdue filter uses (``overdue_filter``)."""
    return Complaint.status.not_in(CLOSED_VALUES) & rule_missed(rule, cutoff)


def _row(
    row: Any, as_of: dt.date, office: OfficeSettings, calendar: WorkingCalendar, zone: ZoneInfo
) -> OverdueRow | None:
    def day(moment: dt.datetime | None) -> dt.date | None:
        return moment.astimezone(zone).date() if moment is not None else None

    received = day(row.received)
    if received is None:
        return None
    deadlines = compute_deadlines(
        received,
        office.sla,
        calendar,
        forwarded_on=day(row.forwarded),
        followed_up_on=day(row.followed_up),
    )
    missed = [s for s in deadline_states(deadlines, as_of) if s.missed]
    if not missed:
        return None
    worst = max(missed, key=lambda s: s.days_late)
    return OverdueRow(
        uuid=row.uuid,
        registration_number=row.registration_number or "",
        title=None if row.rahasia else row.title,
        rahasia=bool(row.rahasia),
        agency_code=row.agency_code or "",
        received_on=received,
        missed=tuple(s.deadline for s in missed),
        due_on=worst.due_on,
        days_late=worst.days_late,
    )
