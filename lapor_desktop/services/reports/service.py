"""The office report of a period: every figure the dashboard and the monthly recap show.

Read-only, so anyone who may look complaints up may see it (the front desk
too); writing the recap file is the recap's own permission check.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lapor_desktop.domain.roles import Permission
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.permissions import require
from lapor_desktop.services.reports.comparison import Comparison, PeriodSummary, summary
from lapor_desktop.services.reports.figures import ReceivedFigures, received_figures
from lapor_desktop.services.reports.overdue_list import DEFAULT_LIMIT, OverdueList, overdue_list
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.sla_figures import SlaFigures, sla_figures
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


class ReportService:
    def __init__(self, context: DeskContext) -> None:
        self._ctx = context

    def report(
        self,
        period: Period,
        *,
        actor: Actor,
        as_of: dt.date | None = None,
        overdue_limit: int = DEFAULT_LIMIT,
    ) -> OfficeReport:
        """The figures of ``period``, as of the office's today unless ``as_of`` says otherwise."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        office, references = self._ctx.office, self._ctx.references
        day = as_of or self._ctx.office_today()
        calendar = WorkingCalendar.for_settings(office.sla)
        earlier = period.a_year_earlier()
        others = [period.previous()] + ([earlier] if earlier != period.previous() else [])

        def beside(other: Period) -> PeriodSummary:
            with self._ctx.database.read() as session:  # a session of its own thread
                return summary(session, other, office, references, day, calendar)

        # The periods beside it are counted on other connections meanwhile: SQLite and
        # PostgreSQL both read in parallel, and the driver lets go of the GIL while they do.
        with ThreadPoolExecutor(max_workers=len(others), thread_name_prefix="lapor-report") as pool:
            pending = [pool.submit(beside, other) for other in others]
            with self._ctx.database.read() as session:
                received = received_figures(session, period, office.timezone, references)
                sla = sla_figures(session, period, office, day, calendar)
                late = overdue_list(
                    session,
                    period,
                    office,
                    day,
                    total=sla.complaints_overdue,
                    limit=overdue_limit,
                    calendar=calendar,
                )
            summaries = [future.result() for future in pending]
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
        )
