"""The same figures for the period before and for the same period a year earlier, side by side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from lapor_desktop.services.reports.areas import Area
from lapor_desktop.services.reports.figures import ROUTES, ReceivedFigures, received_in
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.sla_figures import SlaFigures, sla_figures
from lapor_desktop.services.sla import Deadline, WorkingCalendar
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import Complaint


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
    as_of: dt.date,
    calendar: WorkingCalendar,
    area: Area | None = None,
) -> PeriodSummary:
    """Only the headline: three sums in one scan, not the tables' GROUP BY over every dimension."""
    received, rahasia, reached = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Complaint.rahasia.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Complaint.delivered_via.in_(ROUTES), 1), else_=0)), 0),
        ).where(received_in(period, office.timezone, area))
    ).one()
    sla = sla_figures(session, period, office, as_of, calendar, area)
    return PeriodSummary(
        period=period,
        received=int(received),
        reached_lapor=int(reached),
        rahasia=int(rahasia),
        on_time_percent=tuple((d.deadline, d.on_time_percent) for d in sla.deadlines),
        complaints_overdue=sla.complaints_overdue,
    )
