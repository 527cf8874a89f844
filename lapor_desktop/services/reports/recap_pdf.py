"""The recap as a printable A4 PDF in Indonesian, ending with the head of office's signature block.

Drawn with reportlab (BSD, pure Python) in the core, so the command line
makes the same PDF as the window without loading Qt. The text is set in
Bitstream Vera, which reportlab ships and embeds, so a title typed with any
Latin letter prints as typed and the PDF's text can be searched.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from lapor_desktop.i18n import N_, translate
from lapor_desktop.services.reports.recap_meta import RecapMeta, cover_lines
from lapor_desktop.services.reports.recap_tables import Cell, RecapTable, recap_tables
from lapor_desktop.services.reports.service import OfficeReport

FONT, BOLD = "LaporVera", "LaporVera-Bold"
CHART_BARS = 12
"""A chart of more lines than this is unreadable on A4: the table says it all."""


def write_pdf(report: OfficeReport, meta: RecapMeta, handle: BinaryIO) -> None:
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.units import mm  # type: ignore[import-untyped]
    from reportlab.platypus import (  # type: ignore[import-untyped]
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )

    styles = _styles()
    t = functools.partial(translate, language=meta.language)
    lines = cover_lines(report, meta)
    story: list[Any] = [
        Paragraph(escape(lines[0].upper()), styles["title"]),
        Paragraph(escape(lines[1]), styles["title"]),
        Spacer(1, 3 * mm),
        *(Paragraph(escape(line), styles["small"]) for line in lines[2:]),
        Spacer(1, 4 * mm),
    ]
    for table in recap_tables(report, meta.language):
        story.append(KeepTogether(_section(table, styles, colors, mm)))
    story.append(KeepTogether(_signature(report, meta, styles, mm)))
    document = SimpleDocTemplate(
        handle,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{lines[0]} {report.period.label()}",
        author=meta.made_by,
        subject=report.office_name,
    )
    footer = t(N_("{office} · {period} · page {page}"))

    def number_pages(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        text = footer.format(office=report.office_name, period=report.period.label(), page=doc.page)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, text)
        canvas.restoreState()

    document.build(story, onFirstPage=number_pages, onLaterPages=number_pages)


def _section(table: RecapTable, styles: dict[str, Any], colors: Any, mm: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    def cell(value: Cell, header: bool = False) -> Any:
        style = styles["head"] if header else styles["cell"]
        return Paragraph(escape(_text(value)), style)

    data = [[cell(h, header=True) for h in table.headers]]
    data += [[cell(v) for v in row] for row in table.rows]
    if not table.rows:
        empty = translate(N_("None in this period."))
        data.append([cell(empty), *([cell("")] * (len(table.headers) - 1))])
    first = 62 * mm if len(table.headers) <= 4 else 38 * mm
    rest = (174 * mm - first) / max(1, len(table.headers) - 1)
    if len(table.headers) == 6:  # the overdue list: the title gets the room
        widths = [44 * mm, 32 * mm, 22 * mm, 32 * mm, 22 * mm, 22 * mm]
    else:
        widths = [first, *([rest] * (len(table.headers) - 1))]
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe7ef")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    parts: list[Any] = [Paragraph(escape(table.name), styles["section"]), grid]
    if table.note:
        parts.append(Paragraph(escape(table.note), styles["note"]))
    if table.chart == "bar" and 0 < len(table.rows) <= CHART_BARS and len(table.headers) <= 4:
        parts.append(_bar_chart(table, colors, mm))
    parts.append(Spacer(1, 4 * mm))
    return parts


def _bar_chart(table: RecapTable, colors: Any, mm: float) -> Any:
    """A horizontal bar per line of the table: the count column."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart  # type: ignore[import-untyped]
    from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped]

    values = [float(row[1]) if isinstance(row[1], int | float) else 0.0 for row in table.rows]
    height = 8 * mm + 6 * mm * len(values)
    drawing = Drawing(174 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 62 * mm, 4 * mm
    chart.width, chart.height = 100 * mm, height - 6 * mm
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [_text(row[0])[:40] for row in reversed(table.rows)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, math.ceil(max(values, default=1) / 6))
    chart.valueAxis.labelTextFormat = "%d"
    chart.bars[0].fillColor = colors.HexColor("#3f6e9a")
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabelFormat = "%d"
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    return drawing


def _signature(
    report: OfficeReport, meta: RecapMeta, styles: dict[str, Any], mm: float
) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer, Table

    t = functools.partial(translate, language=meta.language)
    block = [
        Paragraph(escape(meta.made_at_text().rsplit(" ", 2)[0]), styles["cell"]),
        Paragraph(escape(t(N_("Head of office"))), styles["cell"]),
        Paragraph(escape(report.office_name), styles["cell"]),
        Spacer(1, 22 * mm),
        Paragraph("(" + "." * 48 + ")", styles["cell"]),
        Paragraph(escape(t(N_("NIP."))) + " " + "." * 40, styles["cell"]),
    ]
    grid = Table([["", block]], colWidths=[94 * mm, 80 * mm])
    return [Spacer(1, 8 * mm), grid]


def _text(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


@functools.cache
def _styles() -> dict[str, Any]:
    import reportlab  # type: ignore[import-untyped]
    from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "VeraBd.ttf")))
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=17, alignment=1),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11, alignment=1),
        "section": ParagraphStyle(
            "section", fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=2, spaceAfter=3
        ),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=7, leading=9),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
        "note": ParagraphStyle("note", fontName=FONT, fontSize=7, leading=9, spaceBefore=2),
    }
