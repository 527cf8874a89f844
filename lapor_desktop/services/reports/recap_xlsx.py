"""The recap as a workbook: a cover sheet, then one sheet per table with its native chart.

openpyxl writes the charts as spreadsheet charts (they redraw when a
number is corrected). Every text cell is stored as text, never a formula,
like the register export (``export_cells``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from lapor_desktop.i18n import N_, translate
from lapor_desktop.services.export_cells import FORMULA_STARTS
from lapor_desktop.services.reports.recap_meta import RecapMeta, cover_lines
from lapor_desktop.services.reports.recap_tables import Cell, RecapTable, recap_tables
from lapor_desktop.services.reports.service import OfficeReport

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_NAME_LIMIT = 31
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def write_xlsx(report: OfficeReport, meta: RecapMeta, handle: BinaryIO) -> None:
    import openpyxl  # only a recap needs it; every window start would pay for it otherwise
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = _sheet_name(translate(N_("Recap"), meta.language))
    for number, line in enumerate(cover_lines(report, meta), start=1):
        _put(cover, number, 1, line)
    cover["A1"].font = Font(bold=True, size=14)
    cover.column_dimensions["A"].width = 90
    for table in recap_tables(report, meta.language):
        _table_sheet(workbook.create_sheet(_sheet_name(table.name)), table)
    workbook.save(handle)


def _table_sheet(sheet: Worksheet, table: RecapTable) -> None:
    from openpyxl.styles import Font

    for column, header in enumerate(table.headers, start=1):
        _put(sheet, 1, column, header).font = Font(bold=True)
    for number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet, number, column, value)
    if table.note:
        _put(sheet, len(table.rows) + 3, 1, table.note).font = Font(italic=True)
    sheet.column_dimensions["A"].width = 48
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 16
    if table.chart and table.rows:
        _chart(sheet, table)


def _chart(sheet: Worksheet, table: RecapTable) -> None:
    from openpyxl.chart import BarChart, PieChart, Reference

    last = len(table.rows) + 1
    labels = Reference(sheet, min_col=1, min_row=2, max_row=last)
    chart: BarChart | PieChart
    if table.chart == "pie":
        chart = PieChart()
        values = Reference(sheet, min_col=2, min_row=1, max_row=last)
    else:
        chart = BarChart()
        chart.type = "bar"
        # The SLA table charts its outcomes side by side; the others their counts.
        widest = 4 if len(table.headers) > 4 else 2
        values = Reference(sheet, min_col=2, max_col=widest, min_row=1, max_row=last)
        chart.y_axis.title = table.headers[1]
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(labels)
    chart.title = table.name
    chart.height, chart.width = 8, 16
    sheet.add_chart(chart, f"{'J' if len(table.headers) > 4 else 'E'}2")


def _put(sheet: Worksheet, row: int, column: int, value: Cell) -> SheetCell:
    cell: SheetCell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif isinstance(value, float):
        cell.number_format = "0.0"
    return cell


def _sheet_name(name: str) -> str:
    return name.translate(_FORBIDDEN_IN_SHEET_NAMES)[:SHEET_NAME_LIMIT]
