"""Reading complaint registers (CSV, JSON, XLSX) into plain rows of cells, and their columns.

The format is decided by content first (a ZIP signature is a workbook, a
leading bracket is JSON) and by extension second, because registers mailed
between offices are often renamed. Every way a file can be broken ends in a
:class:`RegisterFormatError` carrying a message for the operator, never in a
traceback: the readers face whatever a USB stick holds. Headers are matched
loosely (case, spaces, punctuation) against the form's field names and the
Indonesian names registers use. What reading may cost (unzipped size,
columns, cell size, rows) is capped in ``register_budgets``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import enum
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.register_budgets import (
    MAX_COLUMNS,
    cell_too_large,
    mixed_encoding,
    too_many_columns,
    zip_over_budget,
)

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Far above any real register (1,000 complaints are about 2 MB); split bigger files."""
MAX_ROWS = 100_000
_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (",", ";", "\t")  # Excel in an Indonesian locale writes ";"
_JSON_LIST_KEYS = ("complaints", "pengaduan", "rows", "data")

UUID_COLUMN = "uuid"
REQUIRED_FIELDS = ("classification", "title", "description")
ALIASES: dict[str, tuple[str, ...]] = {
    "classification": ("klasifikasi", "jenis", "jenis_laporan"),
    "title": ("judul", "judul_laporan"),
    "description": ("isi_laporan", "isi", "uraian", "kronologi"),
    "incident_date": ("tanggal_kejadian", "tgl_kejadian"),
    "region_code": ("kode_wilayah", "wilayah", "kode_kecamatan", "region"),
    "location_text": ("lokasi", "lokasi_kejadian", "location"),
    "category_code": ("kategori", "kode_kategori", "category"),
    "agency_code": ("instansi", "instansi_tujuan", "kode_instansi", "agency"),
    "channel": ("kanal", "saluran"),
    "anonim": ("anonymous",),
    "rahasia": ("confidential",),
    "urgent": ("mendesak",),
    "full_name": ("nama", "nama_lengkap", "nama_pelapor", "name"),
    "nik": ("no_nik", "nomor_nik"),
    "phone": ("telepon", "no_hp", "nomor_hp", "hp", "no_telepon", "telp", "phone_number"),
    "email": ("surel", "e_mail"),
    "address": ("alamat",),
    UUID_COLUMN: (),
}
"""Each column's field name and the Indonesian names registers use for it."""
_NON_WORD = re.compile(r"[^0-9a-z]+")

Cell = str | bool | None
"""A cell as read: text (numbers and dates already as text), a real boolean, or empty."""


class RegisterKind(enum.StrEnum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


@dataclass(frozen=True)
class RawRow:
    number: int
    """Where the operator finds the row: the spreadsheet row (header = 1) or the JSON entry."""
    cells: dict[str, Cell]
    extra_cells: int = 0
    """Filled cells beyond the header's last column (usually an unquoted comma in a CSV)."""


@dataclass(frozen=True)
class RawRegister:
    kind: RegisterKind
    columns: tuple[str, ...]
    rows: tuple[RawRow, ...]


class RegisterFormatError(ValueError):
    """The file is not a register this desk can read; ``message`` says why, bilingually."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render("en"))


def read_register(path: Path) -> RawRegister:
    """Read a register of any supported format, or raise :class:`RegisterFormatError`."""
    data = _read_bytes(path)
    if data.startswith(_ZIP_SIGNATURE):
        return _read_xlsx(data)
    if data.startswith(_OLE_SIGNATURE) or path.suffix.lower() == ".xls":
        raise RegisterFormatError(
            Message(N_("This is an old Excel 97-2003 (.xls) file; save it as .xlsx or CSV first."))
        )
    if path.suffix.lower() in _XLSX_EXTENSIONS:
        raise RegisterFormatError(
            Message(N_("The file is named like an Excel workbook but is not one."))
        )
    text = _decode(data)
    if text.lstrip().startswith(("[", "{")) or path.suffix.lower() == ".json":
        return _read_json(text)
    return _read_csv(text)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RegisterFormatError(
                Message(
                    N_("The file is too large ({size} MB; at most {limit} MB): split it."),
                    {"size": size // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)},
                )
            )
        data = path.read_bytes()
    except OSError as error:
        raise RegisterFormatError(
            Message(
                N_("The file cannot be read ({error})."),
                {"error": error.strerror or type(error).__name__},
            )
        ) from error
    if not data.strip():
        raise RegisterFormatError(Message(N_("The file is empty.")))
    return data


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 as Excel saves CSV."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        if "\x00" not in text and "\ufffd" not in text:
            return text
    elif b"\x00" not in data:
        mixed = mixed_encoding(data)
        if mixed is not None:
            raise RegisterFormatError(mixed)
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise RegisterFormatError(
        Message(N_("This is not a text file (CSV or JSON), nor an Excel workbook (.xlsx)."))
    )


def _too_many_rows() -> RegisterFormatError:
    return RegisterFormatError(
        Message(N_("The file has more than {limit} rows: split it."), {"limit": MAX_ROWS})
    )


def _is_blank(values: Iterable[Cell]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _header(values: Sequence[Cell]) -> tuple[str, ...]:
    names = tuple("" if v is None else str(v).strip() for v in values)
    named = [n for n in names if n]
    repeated = sorted({n for n in named if named.count(n) > 1})
    if repeated:
        raise RegisterFormatError(
            Message(
                N_("The header names a column more than once: {columns}."),
                {"columns": ", ".join(repeated)},
            )
        )
    return names


def _rows(records: Iterator[tuple[int, Sequence[Cell]]]) -> tuple[tuple[str, ...], list[RawRow]]:
    """The header (first non-blank record) and the non-blank records below it."""
    header: tuple[str, ...] | None = None
    rows: list[RawRow] = []
    for number, values in records:
        over = too_many_columns(len(values), number) or cell_too_large(values, number)
        if over is not None:
            raise RegisterFormatError(over)
        if _is_blank(values):
            continue
        if header is None:
            header = _header(values)
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        cells = {name: value for name, value in zip(header, values, strict=False) if name}
        extra = [v for v in values[len(header) :] if not _is_blank((v,))]
        rows.append(RawRow(number, cells, len(extra)))
    if header is None:
        raise RegisterFormatError(Message(N_("The file has no header row.")))
    return tuple(n for n in header if n), rows


def _read_csv(text: str) -> RawRegister:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header, rows = _rows(enumerate(reader, start=1))
    except csv.Error as error:
        raise RegisterFormatError(
            Message(
                N_("The CSV file is malformed near line {line} ({error})."),
                {"line": reader.line_num, "error": str(error)},
            )
        ) from error
    return RawRegister(RegisterKind.CSV, header, tuple(rows))


def _read_json(text: str) -> RawRegister:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise RegisterFormatError(
            Message(N_("The JSON file is malformed ({error})."), {"error": str(error)[:200]})
        ) from error
    if isinstance(document, dict):
        document = next((document[k] for k in _JSON_LIST_KEYS if k in document), None)
    if not isinstance(document, list):
        raise RegisterFormatError(
            Message(
                N_(
                    "A JSON register must be a list of complaints, each an object whose keys "
                    "are column names (or an object with such a list under 'complaints')."
                )
            )
        )
    if len(document) > MAX_ROWS:
        raise _too_many_rows()
    columns: dict[str, None] = {}
    rows = []
    for number, entry in enumerate(document, start=1):
        if not isinstance(entry, dict):
            raise RegisterFormatError(
                Message(N_("Entry {number} of the JSON list is not an object."), {"number": number})
            )
        cells = {str(key).strip(): _json_cell(number, str(key), v) for key, v in entry.items()}
        columns.update(dict.fromkeys(cells))
        rows.append(RawRow(number, cells))
    return RawRegister(RegisterKind.JSON, tuple(columns), tuple(rows))


def _json_cell(number: int, key: str, value: Any) -> Cell:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return _number_text(value)
    raise RegisterFormatError(
        Message(
            N_("Entry {number}, key {key}: a list or object where text was expected."),
            {"number": number, "key": key[:40]},
        )
    )


def _number_text(value: int | float) -> str:
    """Whole numbers without ``.0``: a NIK or phone typed as a number keeps its digits."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> RawRegister:
    """The first worksheet, streamed (read-only) with cached formula values."""
    over = zip_over_budget(data)
    if over is not None:
        raise RegisterFormatError(over)
    # openpyxl warns about styles and extensions it ignores; they do not affect values.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for damaged files
            raise _not_a_workbook(error) from error
        try:
            if not workbook.worksheets:
                raise RegisterFormatError(Message(N_("The workbook has no worksheet.")))
            sheet = workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers store wrong sheet dimensions
            # One column beyond the cap is enough to refuse; the rest is never built.
            rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            records = ((n, _xlsx_row(values)) for n, values in enumerate(rows, 1))
            header, rows = _rows(records)
        except RegisterFormatError:
            raise
        except Exception as error:  # a damaged sheet fails while it is streamed
            raise _not_a_workbook(error) from error
        finally:
            workbook.close()
    return RawRegister(RegisterKind.XLSX, header, tuple(rows))


def _not_a_workbook(error: Exception) -> RegisterFormatError:
    return RegisterFormatError(
        Message(
            N_("The file is not a readable Excel workbook (.xlsx): {error}."),
            {"error": (str(error) or type(error).__name__)[:200]},
        )
    )


def _xlsx_row(values: Sequence[object]) -> list[Cell]:
    """The row's cells up to its last filled one (openpyxl pads every row to ``max_col``)."""
    cells = [_xlsx_cell(v) for v in values]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def normalise_header(name: str) -> str:
    """``"Isi Laporan"``, ``"ISI-LAPORAN"`` and ``"isi_laporan"`` name one column."""
    return _NON_WORD.sub("_", unicodedata.normalize("NFKC", name).casefold()).strip("_")


_BY_HEADER = {
    normalise_header(name): field
    for field, aliases in ALIASES.items()
    for name in (field, *aliases)
}


def map_columns(
    columns: Iterable[str], *, one_name_each: bool = True
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Header as written -> form field (or ``uuid``), and the headers that mean nothing here.

    A sheet's header must name each field once; JSON objects may each use
    another alias (``one_name_each=False``), a clash inside one is a row issue.
    """
    fields: dict[str, str] = {}
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for column in columns:
        field = _BY_HEADER.get(normalise_header(column))
        if field is None:
            ignored.append(column)
        elif field in seen and one_name_each:
            raise RegisterFormatError(
                Message(
                    N_("The columns {first} and {second} both mean {field}; keep one."),
                    {"first": seen[field], "second": column, "field": field},
                )
            )
        else:
            seen.setdefault(field, column)
            fields[column] = field
    missing = [f for f in REQUIRED_FIELDS if f not in seen]
    if missing:
        raise RegisterFormatError(
            Message(
                N_("Required columns are missing: {columns}. See docs/cli.md for the names."),
                {"columns": ", ".join(f"{f} ({ALIASES[f][0]})" for f in missing)},
            )
        )
    return fields, tuple(ignored)
