"""The SLA's missed-deadline rule as one SQL condition, for the list's filter and badge.

Compiled from ``sla.DEADLINE_RULES`` and ``domain.status.CLOSED_VALUES``, the
definitions the detail reads too: a complaint is overdue when it is not
closed, its clock has started, and some rule's step started before that
rule's first on-time start date without the step that meets it. The
working-day arithmetic happens here in Python; the database only compares
timestamps.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, false, or_

from lapor_desktop.domain.status import CLOSED_VALUES, Status
from lapor_desktop.services.sla import (
    CLOCK_STARTS,
    DEADLINE_RULES,
    DeadlineRule,
    WorkingCalendar,
)
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import Complaint, StatusEvent


def overdue_condition(office: OfficeSettings, today: dt.date) -> ColumnElement[bool]:
    """Missed a deadline as of the office day ``today``, as ``sla.overdue`` counts them."""
    sla, zone = office.sla, ZoneInfo(office.timezone)
    calendar = WorkingCalendar.for_settings(sla)

    def local_midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)

    missed: list[ColumnElement[bool]] = []
    # Column-only rules first: SQLite stops at the first true term of an OR.
    for rule in sorted(DEADLINE_RULES, key=lambda r: r.met_by is not None):
        cutoff = local_midnight(rule.first_start_on_time(today, sla, calendar))
        missed.append(rule_missed(rule, cutoff))
    return and_(
        Complaint.submitted_at.is_not(None),
        Complaint.status.not_in(CLOSED_VALUES),
        or_(false(), *missed),
    )


def rule_missed(rule: DeadlineRule, cutoff: dt.datetime) -> ColumnElement[bool]:
    """The rule's clock started before ``cutoff`` and the step that meets it has not happened.

    Not closed is the caller's part: the list ORs every rule under one such test.
    """
    late = _started_before(rule.starts_with, cutoff)
    if rule.met_by is not None:
        late = and_(late, ~_happened(rule.met_by))
    return late


def _started_before(step: Status, moment: dt.datetime) -> ColumnElement[bool]:
    """The step first happened before ``moment``.

    The clock's start is kept on the row too (intake writes ``submitted_at``
    with the queued event): a column beats a subquery over a million rows.
    """
    if step is CLOCK_STARTS:
        return Complaint.submitted_at < moment
    return exists().where(
        StatusEvent.complaint_id == Complaint.id,
        StatusEvent.status == step.value,
        StatusEvent.occurred_at < moment,
    )


def _happened(step: Status) -> ColumnElement[bool]:
    return exists().where(
        StatusEvent.complaint_id == Complaint.id, StatusEvent.status == step.value
    )
