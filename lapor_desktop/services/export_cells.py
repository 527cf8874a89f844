"""Export cells that a spreadsheet cannot turn into a formula or a rounded number.

A complaint's title is typed by the public: ``=HYPERLINK(...)`` or ``@SUM(...)``
in it must stay text when the monthly report is opened in Excel or
LibreOffice (OWASP's CSV-injection rule: a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe). A NIK
has 16 digits, more than a spreadsheet's number keeps, and a phone number's
``+`` would be read as a sign: both always go out as text (in CSV with the
same apostrophe, which spreadsheets take as "this is text").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = frozenset({"nik", "phone"})
"""Columns whose digits a spreadsheet must not read as a number."""
TEXT_MARK = "'"


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as typed: formula-looking text gets a leading apostrophe."""
    return TEXT_MARK + value if value.startswith(FORMULA_STARTS) else value


def csv_cell(column: str, value: object) -> object:
    """The value as written to a CSV cell."""
    if column in TEXT_COLUMNS and isinstance(value, str) and value:
        return TEXT_MARK + value
    if isinstance(value, str):
        return neutralise(value)
    return value


def xlsx_writer(
    handle: BinaryIO, columns: Sequence[str]
) -> tuple[Callable[[dict[str, object]], None], Callable[[], None]]:
    """A row writer into a streamed workbook, and the function that finishes it.

    Every text cell is stored as a string cell (never a formula, whatever it
    starts with, and marked quote-prefixed when it looks like one); NIK and
    phone also get the text number format.
    """
    import openpyxl  # only an XLSX export needs it: every window start and command would pay

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("LAPOR")
    sheet.append([_text_cell(sheet, name, name) for name in columns])

    def write(row: dict[str, object]) -> None:
        sheet.append([_cell(sheet, name, row.get(name)) for name in columns])

    def finish() -> None:
        workbook.save(handle)

    return write, finish


def _cell(sheet: WriteOnlyWorksheet, column: str, value: object) -> WriteOnlyCell | object:
    if value is None or (isinstance(value, bool | int) and column not in TEXT_COLUMNS):
        return value
    return _text_cell(sheet, column, str(value))


def _text_cell(sheet: WriteOnlyWorksheet, column: str, text: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would store "=..." as a formula
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    if column in TEXT_COLUMNS:
        cell.number_format = "@"
    return cell
