"""The period week by week: complaints received, and each deadline's on-time share, per week.

Counted from the very groups the SLA figures judge (``sla_figures.grouped_steps``:
the period's complaints grouped by the office days of their steps), so the
weeks cost no second query and always add up to the period's figures. A
week runs Monday to Sunday, cut at the period's first and last day; a
complaint belongs to the week it was received in, and its deadlines are
judged as of the same day as the rest of the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.sla_figures import SlaFigures, StepDays, combined, summarise
from lapor_desktop.services.sla import Deadline, WorkingCalendar
from lapor_desktop.settings import OfficeSettings

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class WeekFigures:
    week: Period
    """Monday to Sunday, or less at the period's edges."""
    received: int
    on_time_percent: tuple[tuple[Deadline, float | None], ...]
    """Each deadline's on-time share of the week's complaints (None: none judged yet)."""

    @property
    def label(self) -> str:
        """``03/08``: the week's first day, short enough for a chart's axis."""
        return f"{self.week.first:%d/%m}"


def weeks(period: Period) -> tuple[Period, ...]:
    """The weeks of ``period`` in order, the first and last cut at its edges."""
    found: list[Period] = []
    start = period.first
    while start <= period.last:
        sunday = start + dt.timedelta(days=6 - start.weekday())
        found.append(Period(start, min(sunday, period.last)))
        start = sunday + dt.timedelta(days=1)
    return tuple(found)


def weekly_figures(
    groups: Iterable[tuple[StepDays, int]],
    period: Period,
    office: OfficeSettings,
    as_of: dt.date,
    calendar: WorkingCalendar,
) -> tuple[tuple[WeekFigures, ...], SlaFigures]:
    """The weeks, and the whole period's SLA figures added up from them (each group judged once)."""
    each_week = weeks(period)
    monday = period.first - dt.timedelta(days=period.first.weekday())
    buckets: list[list[tuple[StepDays, int]]] = [[] for _ in each_week]
    for steps, count in groups:
        index = (steps.received - monday) // WEEK
        if not 0 <= index < len(buckets):
            raise ValueError(
                f"received on {steps.received}, outside {period}: the filter is broken"
            )
        buckets[index].append((steps, count))
    figures: list[WeekFigures] = []
    parts: list[SlaFigures] = []
    for week, bucket in zip(each_week, buckets, strict=True):
        sla = summarise(bucket, week, office, as_of, calendar)
        parts.append(sla)
        figures.append(
            WeekFigures(
                week=week,
                received=sum(count for _steps, count in bucket),
                on_time_percent=tuple((d.deadline, d.on_time_percent) for d in sla.deadlines),
            )
        )
    return tuple(figures), combined(parts, period, as_of)
