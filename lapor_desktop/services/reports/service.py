"""The office report of a period: every figure the dashboard and the monthly recap show.

Read-only, so anyone who may look complaints up may see it (the front desk
too); writing the recap file is the recap's own permission check.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lapor_desktop.domain.roles import Permission
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.permissions import require
from lapor_desktop.services.reports.areas import Area, districts, villages
from lapor_desktop.services.reports.comparison import Comparison, PeriodSummary, summary
from lapor_desktop.services.reports.figures import ReceivedFigures, received_figures
from lapor_desktop.services.reports.overdue_list import DEFAULT_LIMIT, OverdueList, overdue_list
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.sla_figures import SlaFigures, grouped_steps
from lapor_desktop.services.reports.weekly import WeekFigures, weekly_figures
from lapor_desktop.services.sla import WorkingCalendar


@dataclass(frozen=True)
class OfficeReport:
    """One period's figures, judged as of ``as_of`` (an office day)."""

    office_name: str
    period: Period
    as_of: dt.date
    received: ReceivedFigures
    sla: SlaFigures
    overdue: OverdueList
    comparison: Comparison
    weekly: tuple[WeekFigures, ...] = ()
    """Complaints received and on-time shares, week by week."""
    area: Area | None = None
    """The district or village counted; None: the whole office."""


class ReportService:
    def __init__(self, context: DeskContext) -> None:
        self._ctx = context

    def districts(self) -> tuple[Area, ...]:
        """The office's districts a report can be limited to."""
        return districts(self._ctx.references, self._ctx.office.office_code)

    def villages(self, district: Area) -> tuple[Area, ...]:
        return villages(self._ctx.references, district)

    def report(
        self,
        period: Period,
        *,
        actor: Actor,
        as_of: dt.date | None = None,
        overdue_limit: int = DEFAULT_LIMIT,
        area: Area | None = None,
    ) -> OfficeReport:
        """The figures of ``period``, as of the office's today unless ``as_of`` says otherwise.

        ``area``: only the complaints of one district or village.
        """
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        office, references = self._ctx.office, self._ctx.references
        timezone = office.timezone
        day = as_of or self._ctx.office_today()
        calendar = WorkingCalendar.for_settings(office.sla)
        earlier = period.a_year_earlier()
        others = [period.previous()] + ([earlier] if earlier != period.previous() else [])

        def beside(other: Period) -> PeriodSummary:
            with self._ctx.database.read() as session:  # a session of its own thread
                return summary(session, other, office, day, calendar, area)

        def counted() -> tuple[ReceivedFigures, OverdueList]:
            with self._ctx.database.read() as session:
                received = received_figures(session, period, timezone, references, area)
                late = overdue_list(
                    session,
                    period,
                    office,
                    day,
                    total=0,
                    limit=overdue_limit,
                    calendar=calendar,
                    area=area,
                )
            return received, late

        def judged() -> tuple[tuple[WeekFigures, ...], SlaFigures]:
            with self._ctx.database.read() as session:
                groups = grouped_steps(session, period, timezone, area)
            return weekly_figures(groups, period, office, day, calendar)

        # The tables, the deadlines and the periods beside them are counted on connections
        # of their own at the same time: SQLite and PostgreSQL both read in parallel, and
        # the driver lets go of the GIL while they do.
        workers = 2 + len(others)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lapor-report") as pool:
            judging = pool.submit(judged)
            counting = pool.submit(counted)
            pending = [pool.submit(beside, other) for other in others]
            weekly, sla = judging.result()
            received, listed = counting.result()
            summaries = [future.result() for future in pending]
        late = dataclasses.replace(listed, total=sla.complaints_overdue)
        comparison = Comparison(
            current=PeriodSummary.of(received, sla),
            previous=summaries[0],
            a_year_earlier=summaries[-1],
        )
        return OfficeReport(
            office_name=office.office_name,
            period=period,
            as_of=day,
            received=received,
            sla=sla,
            overdue=late,
            comparison=comparison,
            weekly=weekly,
            area=area,
        )
