"""Registers built to exhaust the desk are refused quickly, each with the limit it broke.

The attacks: a small workbook that unzips to gigabytes, a 100,000-column
CSV and XLSX, an oversized cell, and a file mixing UTF-8 with Windows-1252
(imported silently as mojibake). Every file is built here, small on disk;
the caps themselves bound how long each test takes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from lapor_desktop.services.register_budgets import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_UNZIPPED_BYTES,
)
from lapor_desktop.services.register_formats import RegisterFormatError, read_register

SHEET = "xl/worksheets/sheet1.xml"
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def _workbook_with_sheet(target: Path, sheet_parts: Iterator[bytes]) -> Path:
    """A real workbook (openpyxl's own) whose first sheet is replaced by ``sheet_parts``."""
    book = openpyxl.Workbook()
    book.active.append(["judul", "isi_laporan", "klasifikasi"])
    plain = io.BytesIO()
    book.save(plain)
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for member in source.infolist():
            if member.filename != SHEET:
                out.writestr(member, source.read(member))
        with out.open(SHEET, "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)
    return target


def _repeated_rows(total_bytes: int) -> Iterator[bytes]:
    row = b'<row><c t="inlineStr"><is><t>Jalan rusak</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))
    yield _SHEET_HEAD
    for _ in range(total_bytes // len(block) + 1):
        yield block
    yield _SHEET_TAIL


def _refusal(path: Path) -> str:
    with pytest.raises(RegisterFormatError) as refused:
        read_register(path)
    return refused.value.message.render("en")


def test_a_workbook_that_unzips_beyond_the_budget_is_refused_before_it_is_opened(
    tmp_path: Path,
) -> None:
    bomb = _workbook_with_sheet(tmp_path / "bom.xlsx", _repeated_rows(MAX_UNZIPPED_BYTES + 1))
    assert bomb.stat().st_size < MAX_UNZIPPED_BYTES // 100

    message = _refusal(bomb)

    assert "unzipped" in message and f"{MAX_UNZIPPED_BYTES // (1024 * 1024)} MB" in message


def test_a_workbook_part_compressed_like_a_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _workbook_with_sheet(tmp_path / "kecil.xlsx", _repeated_rows(8 * 1024 * 1024))

    message = _refusal(bomb)

    assert SHEET in message and f"{MAX_COMPRESSION_RATIO} times" in message


def test_a_csv_of_100000_columns_is_refused_before_its_header_is_matched(tmp_path: Path) -> None:
    wide = tmp_path / "lebar.csv"
    wide.write_text(",".join(f"k{n}" for n in range(100_000)) + "\nx\n", "utf-8")

    message = _refusal(wide)

    assert "100000 columns" in message and f"at most {MAX_COLUMNS}" in message


def test_a_workbook_of_100000_columns_is_refused(tmp_path: Path) -> None:
    def one_wide_row() -> Iterator[bytes]:
        yield _SHEET_HEAD + b"<row>"
        yield b"".join(b"<c><v>%d</v></c>" % n for n in range(100_000))
        yield b"</row>" + _SHEET_TAIL

    wide = _workbook_with_sheet(tmp_path / "lebar.xlsx", one_wide_row())
    assert wide.stat().st_size < 1024 * 1024

    message = _refusal(wide)

    assert "Row 1" in message and f"at most {MAX_COLUMNS}" in message


def test_a_cell_larger_than_a_spreadsheet_cell_is_refused(tmp_path: Path) -> None:
    register = tmp_path / "panjang.csv"
    long_text = "Jalan rusak " * (MAX_CELL_CHARS // 12 + 10)
    register.write_text(
        f"klasifikasi,judul,isi_laporan\npengaduan,Jalan,{long_text}\n", encoding="utf-8"
    )

    message = _refusal(register)

    assert "Row 2, column 3" in message and f"at most {MAX_CELL_CHARS}" in message


def test_a_file_mixing_utf8_and_windows_1252_is_refused_at_its_first_bad_line(
    tmp_path: Path,
) -> None:
    register = tmp_path / "campur.csv"
    register.write_bytes(
        b"klasifikasi,judul,isi_laporan\n"
        + "pengaduan,Sampah,Warga bilang “parah” di Daik\n".encode()
        + b"pengaduan,Air,Air bersih tidak mengalir\n"
        + "pengaduan,Kafe,Café di pasar membuang limbah\n".encode("cp1252")
    )

    message = _refusal(register)

    assert "line 4" in message and "UTF-8" in message


def test_a_file_entirely_in_windows_1252_is_still_read(tmp_path: Path) -> None:
    register = tmp_path / "lama.csv"
    register.write_bytes(
        "klasifikasi,judul,isi_laporan\npengaduan,Kafe,Café membuang limbah\n".encode("cp1252")
    )

    read = read_register(register)

    assert read.rows[0].cells["isi_laporan"] == "Café membuang limbah"
