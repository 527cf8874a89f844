"""The same figures for the period before and for the same period a year earlier, side by side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.services.reports.figures import ReceivedFigures, received_figures
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.sla_figures import SlaFigures, sla_figures
from lapor_desktop.services.sla import Deadline, WorkingCalendar
from lapor_desktop.settings import OfficeSettings


@dataclass(frozen=True)
class PeriodSummary:
    """The headline figures of one period."""

    period: Period
    received: int
    reached_lapor: int
    rahasia: int
    on_time_percent: tuple[tuple[Deadline, float | None], ...]
    """Each deadline's on-time share, in lifecycle order."""
    complaints_overdue: int

    @classmethod
    def of(cls, received: ReceivedFigures, sla: SlaFigures) -> PeriodSummary:
        return cls(
            period=received.period,
            received=received.total,
            reached_lapor=sum(c.count for c in received.reached_lapor),
            rahasia=received.rahasia,
            on_time_percent=tuple((d.deadline, d.on_time_percent) for d in sla.deadlines),
            complaints_overdue=sla.complaints_overdue,
        )


@dataclass(frozen=True)
class Comparison:
    current: PeriodSummary
    previous: PeriodSummary
    """The month before (for a month), else as many days just before."""
    a_year_earlier: PeriodSummary


def summary(
    session: Session,
    period: Period,
    office: OfficeSettings,
    references: ReferenceLookup,
    as_of: dt.date,
    calendar: WorkingCalendar,
) -> PeriodSummary:
    received = received_figures(session, period, office.timezone, references)
    return PeriodSummary.of(received, sla_figures(session, period, office, as_of, calendar))
