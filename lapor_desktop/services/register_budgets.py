"""What a register may cost to read: caps checked before the expensive step, each with its reason.

A register comes on a USB stick from anywhere. Without caps, a 5.7 MB
workbook that unzips to 2 GB took 2.4 GB of memory, and a 100,000-column
sheet kept a CPU busy for minutes. Each check returns the operator's
message, or None when the file is within the budget; the readers in
``register_formats`` turn a message into a refusal.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from lapor_desktop.i18n import N_, Message

MAX_UNZIPPED_BYTES = 128 * 1024 * 1024
"""A workbook's members together, once unzipped (a real 1,000-complaint register: ~5 MB)."""
MAX_COMPRESSION_RATIO = 100
"""Sheets of real text compress 5 to 20 times; a bomb, hundreds or thousands."""
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
"""Small members (styles, a sheet of blanks) may compress well without costing anything."""
MAX_ZIP_MEMBERS = 1000
MAX_COLUMNS = 200
"""A register has about 20 columns; checked before the header is matched."""
MAX_CELL_CHARS = 32_767
"""Excel's own limit for one cell."""

_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _mib(size: int) -> int:
    return size // (1024 * 1024)


def zip_over_budget(data: bytes) -> Message | None:
    """Check a workbook's members by their declared sizes, before anything is unzipped.

    Python's zip reader never inflates a member beyond its declared size, so
    these sizes bound what reading the workbook can cost.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a readable zip: openpyxl says so in its own words
    if len(members) > MAX_ZIP_MEMBERS:
        return Message(
            N_("The workbook holds more than {limit} parts; it is not a register."),
            {"limit": MAX_ZIP_MEMBERS},
        )
    total = sum(member.file_size for member in members)
    if total > MAX_UNZIPPED_BYTES:
        return Message(
            N_(
                "The workbook would take {size} MB once unzipped (at most {limit} MB): "
                "split it, or save it as CSV."
            ),
            {"size": _mib(total), "limit": _mib(MAX_UNZIPPED_BYTES)},
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            return Message(
                N_(
                    "The workbook part {name} unzips {ratio} times larger than it is stored "
                    "(at most {limit} times): this is not an ordinary register, it was not read."
                ),
                {"name": member.filename[:80], "ratio": int(ratio), "limit": MAX_COMPRESSION_RATIO},
            )
    return None


def too_many_columns(count: int, row_number: int) -> Message | None:
    if count <= MAX_COLUMNS:
        return None
    return Message(
        N_("Row {row} has {count} columns (at most {limit}): this is not a register."),
        {"row": row_number, "count": count, "limit": MAX_COLUMNS},
    )


def cell_too_large(values: Sequence[object], row_number: int) -> Message | None:
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            return Message(
                N_(
                    "Row {row}, column {column} holds {size} characters (at most {limit} in "
                    "one cell)."
                ),
                {"row": row_number, "column": column, "size": len(value), "limit": MAX_CELL_CHARS},
            )
    return None


def mixed_encoding(data: bytes) -> Message | None:
    """A file that is not UTF-8 throughout but holds UTF-8 text: two encodings in one file.

    Decoding it all as Windows-1252 would turn every UTF-8 letter into
    mojibake silently, so it is refused, naming the first line that is not UTF-8.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data) is None:
            return None  # no UTF-8 at all: one legacy encoding, read as Windows-1252
        line = data.count(b"\n", 0, error.start) + 1
        return Message(
            N_(
                "The file mixes text encodings: it holds UTF-8 text, but line {line} is not "
                "UTF-8 (perhaps Windows-1252). Save the whole file as UTF-8 and import it again."
            ),
            {"line": line},
        )
    return None
