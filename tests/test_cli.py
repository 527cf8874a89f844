"""The real ``lapor-desktop`` command, run as a subprocess: output, privacy and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lapor_desktop import __version__, app
from lapor_desktop.cli.exit_codes import ExitCode, classify
from lapor_desktop.cli.masking import mask_email, mask_name, mask_phone
from lapor_desktop.i18n import Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.services.register_formats import RegisterFormatError
from lapor_desktop.storage import migrate
from lapor_desktop.storage.migrate import DatabaseTooNew
from tests.support.samples import OFFICE_CODE, valid_form

ROOT = Path(__file__).resolve().parent.parent
DESK = Actor("desk1")
IDENTITY_TEXT = ("Siti", "Aminah", "2104014508900001", "81234567890", "siti.aminah", "Merdeka")


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LAPOR_DATABASE_URL", "LAPOR_DATA_DIR")}
    return subprocess.run(
        [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def init(data_dir: Path, code: str = OFFICE_CODE, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli(data_dir, "init", "--office-code", code, "--office-name", "Kabupaten Lingga", *extra)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    result = init(folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def filled(data_dir: Path) -> dict[str, str]:
    """Two queued complaints and a draft, saved in-process on the real clock like the CLI."""
    recent = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    desk = app.open_desk(DataPaths(data_dir))
    try:
        road = desk.intake.submit(valid_form(incident_date=recent), actor=DESK)
        water = desk.intake.submit(
            valid_form(
                incident_date=recent,
                classification="aspirasi",
                title="Air bersih PDAM tidak mengalir",
                description="Sudah seminggu air tidak mengalir di rumah warga Dabo.",
            ),
            actor=DESK,
        )
        draft = desk.intake.save_draft(valid_form(title="Lampu jalan padam", nik="1"), actor=DESK)
    finally:
        desk.close()
    assert road.registration_number and water.registration_number
    return {
        "road": road.registration_number,
        "water": water.registration_number,
        "draft": draft.uuid,
    }


def test_bare_call_says_the_window_comes_later_and_exits_0(tmp_path: Path) -> None:
    result = cli(tmp_path / "data")

    assert result.returncode == 0
    assert "--help" in result.stdout
    assert not (tmp_path / "data").exists()


def test_version_shows_version_schema_revision_and_data_folder(tmp_path: Path) -> None:
    result = cli(tmp_path / "data", "--version")

    assert result.returncode == 0
    assert __version__ in result.stdout
    assert migrate.head_revision() in result.stdout
    assert str((tmp_path / "data").resolve()) in result.stdout


@pytest.mark.parametrize(
    "command",
    [["list"], ["search", "jalan"], ["show", "x"], ["db", "check"]],
    ids=["list", "search", "show", "db-check"],
)
def test_commands_before_init_exit_6_and_create_nothing(tmp_path: Path, command: list[str]) -> None:
    result = cli(tmp_path / "data", *command)

    assert result.returncode == 6, result.stderr
    assert "init" in result.stderr
    assert not (tmp_path / "data").exists()


def test_init_again_with_the_same_office_updates_it(data_dir: Path) -> None:
    result = cli(
        data_dir, "init", "--office-code", OFFICE_CODE, "--office-name", "Pemkab Lingga",
        "--timezone", "Asia/Makassar",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    desk = app.open_desk(DataPaths(data_dir))
    try:
        assert desk.context.office.office_name == "Pemkab Lingga"
        assert desk.context.office.timezone == "Asia/Makassar"
    finally:
        desk.close()


def test_init_refuses_another_office_code_without_force(data_dir: Path) -> None:
    refused = init(data_dir, "2171")
    forced = init(data_dir, "2171", "--force")

    assert refused.returncode == 2 and "--force" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert "2171" in forced.stdout


@pytest.mark.parametrize("code", ["21.04", "x", ""])
def test_init_rejects_a_bad_office_code(tmp_path: Path, code: str) -> None:
    result = init(tmp_path / "data", code)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_list_json_has_iso_dates_and_no_identity(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(data_dir, "list", "--json")

    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed["total"] == 3
    numbers = [c["registration_number"] for c in listed["complaints"]]
    assert numbers == [None, filled["water"], filled["road"]]  # newest first; a draft has none
    dt.datetime.fromisoformat(listed["complaints"][0]["created_at"])
    assert not any(text in result.stdout for text in IDENTITY_TEXT)


def test_list_filters_combine(data_dir: Path, filled: dict[str, str]) -> None:
    today = dt.date.today()

    def numbers(*filters: str) -> list[str | None]:
        result = cli(data_dir, "list", "--json", *filters)
        assert result.returncode == 0, result.stderr
        return [c["registration_number"] for c in json.loads(result.stdout)["complaints"]]

    assert numbers("--classification", "aspirasi") == [filled["water"]]
    assert numbers("--status", "queued", "--agency", "2104-DPUPR", "--limit", "1") == [
        filled["water"]
    ]
    assert len(numbers("--from", (today - dt.timedelta(days=1)).isoformat())) == 3
    assert numbers("--to", (today - dt.timedelta(days=2)).isoformat()) == []


def test_list_text_shows_a_table(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(data_dir, "--lang", "en", "list")

    assert result.returncode == 0, result.stderr
    assert filled["road"] in result.stdout and "Jalan rusak di Daik" in result.stdout
    assert "3 of 3 complaints" in result.stdout


def test_search_finds_by_word_and_hides_identity(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(data_dir, "search", "pdam mengalir", "--json")

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["complaints"]
    assert [c["registration_number"] for c in found] == [filled["water"]]
    assert not any(text in result.stdout for text in IDENTITY_TEXT)


def test_search_without_a_word_is_a_usage_error(data_dir: Path) -> None:
    assert cli(data_dir, "search", "?!").returncode == 2


def test_show_by_registration_number_masks_identity_and_shows_the_timeline(
    data_dir: Path, filled: dict[str, str]
) -> None:
    result = cli(data_dir, "--lang", "en", "show", filled["road"].lower())

    assert result.returncode == 0, result.stderr
    assert "Jalan rusak di Daik" in result.stdout
    assert "210401********01" in result.stdout and "S*** A*****" in result.stdout
    assert not any(text in result.stdout for text in IDENTITY_TEXT)
    assert "Timeline" in result.stdout and "desk1" in result.stdout


def test_show_json_of_a_draft(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(data_dir, "show", filled["draft"], "--json")

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["status"] == "draft" and shown["identity_masked"] is True
    assert [e["status"] for e in shown["timeline"]] == ["draft"]
    assert shown["identity"]["nik"] == "*" * 16  # a bad NIK is masked completely
    assert not any(text in result.stdout for text in IDENTITY_TEXT)


def test_show_unknown_complaint_exits_4(data_dir: Path) -> None:
    result = cli(data_dir, "show", "2104-20990101-AAAA-0001")

    assert result.returncode == 4
    assert "2104-20990101-AAAA-0001" in result.stderr


def test_db_check_passes_on_a_healthy_desk(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(data_dir, "db", "check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FTS5" in result.stdout


def test_db_check_finds_a_queued_complaint_without_outbox_entry(
    data_dir: Path, filled: dict[str, str]
) -> None:
    with sqlite3.connect(DataPaths(data_dir).database) as connection:
        connection.execute(
            "DELETE FROM outbox WHERE complaint_id = "
            "(SELECT id FROM complaints WHERE registration_number = ?)",
            (filled["road"],),
        )
    connection.close()

    result = cli(data_dir, "db", "check")

    assert result.returncode == 5
    assert filled["road"] in result.stdout


def test_corrupted_database_file_exits_5_everywhere(data_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(data_dir, broken)
    database = DataPaths(broken).database
    for leftover in (database.with_name(database.name + s) for s in ("-wal", "-shm")):
        leftover.unlink(missing_ok=True)
    database.write_bytes(b"this is not a database " * 512)

    for command in (["list"], ["db", "check"], ["show", "x"]):
        result = cli(broken, *command)
        assert result.returncode == 5, (command, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.strip()


def test_db_check_finds_a_damaged_page(data_dir: Path) -> None:
    database = DataPaths(data_dir).database
    with sqlite3.connect(database) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'regions'"
        ).fetchone()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with database.open("r+b") as stream:
        stream.seek((root - 1) * page_size)
        stream.write(b"\xff" * page_size)

    result = cli(data_dir, "--lang", "en", "db", "check")

    assert result.returncode == 5
    assert "PROBLEM  SQLite integrity check" in result.stdout


def test_database_from_a_newer_version_exits_5(data_dir: Path) -> None:
    with sqlite3.connect(DataPaths(data_dir).database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    connection.close()

    result = cli(data_dir, "list")

    assert result.returncode == 5
    assert "from_the_future" in result.stderr


def test_usage_error_exits_2_and_names_the_problem(data_dir: Path) -> None:
    result = cli(data_dir, "list", "--status", "lost")

    assert result.returncode == 2
    assert "--status" in result.stderr and "--help" in result.stderr


def test_exit_codes_are_mapped_in_one_place() -> None:
    assert classify(RegisterFormatError(Message("bad")))[0] is ExitCode.VALIDATION
    assert classify(DatabaseTooNew("ffff"))[0] is ExitCode.DATABASE
    assert classify(sqlite3.DatabaseError("file is not a database"))[0] is ExitCode.DATABASE
    assert classify(KeyboardInterrupt())[0] is ExitCode.INTERRUPTED
    code, message = classify(RuntimeError("boom"))
    assert code is ExitCode.UNEXPECTED and "boom" in message.render("en")


def test_identity_masks_keep_only_what_recognises_the_person() -> None:
    assert mask_name("Siti Aminah") == "S*** A*****"
    assert mask_phone("+6281234567890") == "+62********890"
    assert mask_email("siti.aminah@example.id") == "s**********@example.id"
    assert mask_email("no-at-sign") == "**********"
