"""A CSV export opens in an Indonesian-locale spreadsheet: UTF-8 mark first, ``;`` on request."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from tests.support.samples import valid_form


def _export(desk: Desk, supervisor: Principal, target: Path, **layout: object) -> Path:
    desk.exports.write(ComplaintQuery(), target, actor=supervisor.actor, **layout)  # type: ignore[arg-type]
    return target


def test_a_semicolon_csv_with_a_bom_reads_back_whole(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    from tests.support import accounts

    boss = accounts.sign_in_supervisor(sqlite_desk)
    sqlite_desk.intake.submit(
        valid_form(title="Kafé di pasar; limbah, bau", location_text="Daik"), actor=sqlite_clerk
    )

    target = _export(sqlite_desk, boss, tmp_path / "r.csv", separator=";", bom=True)

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"registration_number;uuid;" in raw
    with target.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle, delimiter=";"))
    assert row["title"] == "Kafé di pasar; limbah, bau" and row["registration_number"]


def test_the_default_csv_is_comma_separated_without_a_mark(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    from tests.support import accounts

    boss = accounts.sign_in_supervisor(sqlite_desk)
    sqlite_desk.intake.submit(valid_form(), actor=sqlite_clerk)

    raw = _export(sqlite_desk, boss, tmp_path / "r.csv").read_bytes()

    assert raw.startswith(b"registration_number,uuid,")


def test_another_separator_is_refused(sqlite_desk: Desk, tmp_path: Path) -> None:
    from tests.support import accounts

    boss = accounts.sign_in_supervisor(sqlite_desk)
    with pytest.raises(ValueError, match="separator"):
        _export(sqlite_desk, boss, tmp_path / "r.csv", separator="|")
    assert not (tmp_path / "r.csv").exists()
