"""The monthly recap's tables, once, in the words of one language: the XLSX and PDF both draw them.

Every cell is a figure, a label or a registration number. The only typed
text is a complaint's title in the overdue list, and a rahasia complaint's
title is replaced by the word "confidential"; no identity field is read
anywhere in the reports package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lapor_desktop.i18n import N_, translate
from lapor_desktop.services.reports.comparison import PeriodSummary
from lapor_desktop.services.reports.figures import Count
from lapor_desktop.services.reports.period import day_label
from lapor_desktop.services.reports.service import OfficeReport
from lapor_desktop.services.sla import DEADLINE_LABELS

Cell = str | int | float | None

CONFIDENTIAL = N_("(confidential)")


@dataclass(frozen=True)
class RecapTable:
    """One table: a sheet of the workbook, a section of the PDF."""

    name: str
    """Its title (a sheet name: at most 31 characters)."""
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart: str | None = None
    """``bar`` or ``pie``: column 0 labels against column 1 values; None: no chart."""
    note: str = ""


def count_tables(report: OfficeReport, language: str = "id") -> tuple[RecapTable, ...]:
    """The complaints received, one table per dimension, then the routes to LAPOR!.

    The villages' table only when the report is limited to an area.
    """

    def t(msgid: str) -> str:
        return translate(msgid, language)

    received = report.received
    count_headers = (t(N_("Count")), t(N_("Share (%)")))

    def counted(name: str, first: str, lines: Sequence[Count], chart: str | None) -> RecapTable:
        rows = tuple((t(c.label), c.count, _share(c.count, received.total)) for c in lines)
        return RecapTable(t(name), (t(first), *count_headers), rows, chart)

    villages = (
        (counted(N_("Village"), N_("Village"), received.by_village, "bar"),)
        if report.area is not None
        else ()
    )
    return (
        counted(N_("Classification"), N_("Classification"), received.by_classification, "pie"),
        counted(N_("Category"), N_("Category"), received.by_category, "bar"),
        counted(N_("Target agency"), N_("Agency"), received.by_agency, "bar"),
        counted(N_("Channel"), N_("Channel"), received.by_channel, "bar"),
        counted(N_("District"), N_("District"), received.by_district, "bar"),
        *villages,
        counted(N_("Status"), N_("Status"), received.by_status, "bar"),
        RecapTable(
            t(N_("Route to LAPOR!")),
            (t(N_("Route")), t(N_("Count"))),
            (
                *((t(c.label), c.count) for c in received.reached_lapor),
                (t(N_("Not yet at LAPOR!")), received.not_yet_at_lapor),
            ),
            "bar",
            note=t(N_("Relayed bundles are not in use yet: their line is 0.")),
        ),
    )


def recap_tables(report: OfficeReport, language: str = "id") -> tuple[RecapTable, ...]:
    def t(msgid: str) -> str:
        return translate(msgid, language)

    comparison = report.comparison
    summaries = (comparison.current, comparison.previous, comparison.a_year_earlier)
    return (
        RecapTable(
            t(N_("Summary")),
            (t(N_("Figure")), report.period.label(), *(s.period.label() for s in summaries[1:])),
            _summary_rows(summaries, t),
            note=t(
                N_("Beside the period: the period before it and the same period a year earlier.")
            ),
        ),
        *count_tables(report, language),
        RecapTable(
            t(N_("SLA compliance")),
            (
                t(N_("Deadline")),
                t(N_("On time")),
                t(N_("Late")),
                t(N_("Overdue, still open")),
                t(N_("Not yet due")),
                t(N_("Closed before this step")),
                t(N_("Not started")),
                t(N_("On time (%)")),
            ),
            tuple(
                (
                    t(d.label),
                    d.on_time,
                    d.late,
                    d.overdue,
                    d.pending,
                    d.closed_before,
                    d.not_started,
                    d.on_time_percent,
                )
                for d in report.sla.deadlines
            ),
            "bar",
            note=t(
                N_("Judged as of {day} with the office's working days and SLA settings.")
            ).format(day=day_label(report.as_of)),
        ),
        RecapTable(
            t(N_("Overdue")),
            (
                t(N_("Registration number")),
                t(N_("Title")),
                t(N_("Received")),
                t(N_("Deadline missed")),
                t(N_("Due on")),
                t(N_("Days late")),
            ),
            tuple(
                (
                    row.registration_number,
                    t(CONFIDENTIAL) if row.rahasia or row.title is None else row.title,
                    row.received_on.isoformat(),
                    ", ".join(t(DEADLINE_LABELS[d]) for d in row.missed),
                    row.due_on.isoformat(),
                    row.days_late,
                )
                for row in report.overdue.rows
            ),
            note=t(N_("{shown} of {total} late complaints, most days late first.")).format(
                shown=len(report.overdue.rows), total=report.overdue.total
            ),
        ),
    )


def _summary_rows(
    summaries: Sequence[PeriodSummary], t: Callable[[str], str]
) -> tuple[tuple[Cell, ...], ...]:
    lines: list[tuple[Cell, ...]] = [
        (t(N_("Complaints received")), *(s.received for s in summaries)),
        (t(N_("Confidential (rahasia), counted only")), *(s.rahasia for s in summaries)),
        (t(N_("Reached LAPOR!")), *(s.reached_lapor for s in summaries)),
        (t(N_("Late now (any deadline)")), *(s.complaints_overdue for s in summaries)),
    ]
    for index, (deadline, _share_now) in enumerate(summaries[0].on_time_percent):
        label = t(N_("On time (%): {deadline}")).format(deadline=t(DEADLINE_LABELS[deadline]))
        lines.append((label, *(s.on_time_percent[index][1] for s in summaries)))
    return tuple(lines)


def _share(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None
