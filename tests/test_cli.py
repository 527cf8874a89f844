"""The ``lapor-desktop`` command: complaints, privacy by role, the database and exit codes.

See ``tests/support/cli.py`` for when the real command runs as a subprocess;
signing in and accounts are in ``tests/test_cli_accounts.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop import __version__
from lapor_desktop.cli.exit_codes import ExitCode, classify
from lapor_desktop.cli.masking import mask_email, mask_name, mask_phone
from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import NoSecureKeyStore
from lapor_desktop.services.context import DeskLocked
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.services.register_formats import RegisterFormatError
from lapor_desktop.storage import migrate
from lapor_desktop.storage.migrate import DatabaseTooNew
from tests.support import accounts
from tests.support.cli import (
    CLERK,
    IDENTITY_TEXT,
    IT,
    NIK,
    Run,
    clerk_of,
    cli,
    fill,
    in_process,
    open_desk,
    set_up_desk,
)
from tests.support.samples import valid_form

HIDDEN_FOR_ROLE = "(hidden: your role does not show identities)"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return set_up_desk(tmp_path)


@pytest.fixture
def opened(data_dir: Path) -> Iterator[Desk]:
    desk = open_desk(data_dir)
    yield desk
    desk.close()


@pytest.fixture
def filled(opened: Desk) -> dict[str, str]:
    return fill(opened)


def test_bare_call_opens_the_desk_window_instead_of_exiting(tmp_path: Path) -> None:
    """As a desktop shortcut starts it: the GUI comes up (here: its "not set up" message box,
    which waits for the operator) instead of the command line printing help and exiting."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    environment.update(QT_QPA_PLATFORM="offscreen", LAPOR_MACHINE_KEY_FILE=str(tmp_path / "k"))
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            [sys.executable, "-m", "lapor_desktop", "--data-dir", str(tmp_path / "data")],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=environment,
            timeout=8,
            check=False,
        )
    assert not (tmp_path / "data").exists()


def test_version_shows_version_schema_revision_and_data_folder(tmp_path: Path) -> None:
    result = cli(tmp_path / "data", "--version", user=None)

    assert result.returncode == 0
    assert __version__ in result.stdout
    assert migrate.head_revision() in result.stdout
    assert str((tmp_path / "data").resolve()) in result.stdout


@pytest.mark.parametrize(
    "command",
    [["list"], ["show", "x"], ["db", "check"], ["user", "list"]],
    ids=["list", "show", "db-check", "user-list"],
)
def test_commands_before_init_exit_6_and_create_nothing(tmp_path: Path, command: list[str]) -> None:
    result = cli(tmp_path / "data", *command, user=None)

    assert result.returncode == 6, result.stderr
    assert "init" in result.stderr
    assert not (tmp_path / "data").exists()


# Complaints ----------------------------------------------------------------------------------


def test_list_json_has_iso_dates_and_no_identity(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(data_dir, "list", "--json")

    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed["total"] == 3
    numbers = [c["registration_number"] for c in listed["complaints"]]
    assert numbers == [None, filled["water"], filled["road"]]  # newest first; a draft has none
    dt.datetime.fromisoformat(listed["complaints"][0]["created_at"])
    assert not any(text in result.stdout for text in IDENTITY_TEXT)


def test_list_filters_combine(data_dir: Path, filled: dict[str, str], run: Run) -> None:
    today = dt.date.today()

    def numbers(*filters: str) -> list[str | None]:
        result = run(data_dir, "list", "--json", *filters)
        assert result.code == 0, result.stderr
        return [c["registration_number"] for c in json.loads(result.stdout)["complaints"]]

    assert numbers("--classification", "aspirasi") == [filled["water"]]
    assert numbers("--status", "queued", "--agency", "2104-DPUPR", "--limit", "1") == [
        filled["water"]
    ]
    assert len(numbers("--from", (today - dt.timedelta(days=1)).isoformat())) == 3
    assert numbers("--to", (today - dt.timedelta(days=2)).isoformat()) == []


def test_list_text_shows_a_table(data_dir: Path, filled: dict[str, str], run: Run) -> None:
    result = run(data_dir, "list", user=IT, password=accounts.PASSWORD)

    assert result.code == 0, result.stderr
    assert filled["road"] in result.stdout and "Jalan rusak di Daik" in result.stdout
    assert "3 of 3 complaints" in result.stdout


def test_search_finds_by_word_and_hides_identity(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(
        data_dir, "search", "pdam mengalir", "--json", user=CLERK, password=accounts.PASSWORD
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["complaints"]
    assert [c["registration_number"] for c in found] == [filled["water"]]
    assert not any(text in result.stdout for text in IDENTITY_TEXT)


def test_search_without_a_word_is_a_usage_error(data_dir: Path, run: Run) -> None:
    assert run(data_dir, "search", "?!", user=None).code == 2


def test_show_to_the_front_desk_masks_identity_and_shows_the_timeline(
    data_dir: Path, filled: dict[str, str]
) -> None:
    result = cli(
        data_dir,
        "--lang",
        "en",
        "show",
        filled["road"].lower(),
        user=CLERK,
        password=accounts.PASSWORD,
    )

    assert result.returncode == 0, result.stderr
    assert "Jalan rusak di Daik" in result.stdout
    assert "210401********01" in result.stdout and "S*** A*****" in result.stdout
    assert not any(text in result.stdout for text in IDENTITY_TEXT)
    assert "Timeline" in result.stdout and CLERK in result.stdout


def test_show_to_it_staff_prints_a_placeholder_instead_of_the_identity(
    data_dir: Path, filled: dict[str, str], run: Run
) -> None:
    text = cli(
        data_dir, "--lang", "en", "show", filled["road"], user=IT, password=accounts.PASSWORD
    )
    shown = run(data_dir, "show", filled["road"], "--json", user=IT, password=accounts.PASSWORD)

    assert text.returncode == 0, text.stderr
    assert f"Complainant: {HIDDEN_FOR_ROLE}" in text.stdout
    assert "S*** A*****" not in text.stdout and "210401" not in text.stdout
    document = json.loads(shown.stdout)
    assert document["identity"] is None and document["identity_masked"] is False
    assert document["identity_hidden"] == HIDDEN_FOR_ROLE
    assert not any(t in text.stdout + shown.stdout for t in IDENTITY_TEXT)


def test_a_confidential_complaint_shows_its_identity_to_supervisors_only(
    data_dir: Path, opened: Desk, run: Run
) -> None:
    recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    saved = opened.intake.submit(
        valid_form(incident_date=recent, rahasia=True), actor=clerk_of(opened)
    )
    assert saved.registration_number

    front_desk = run(
        data_dir, "show", saved.registration_number, user=CLERK, password=accounts.PASSWORD
    )
    supervisor = run(data_dir, "show", saved.registration_number)

    assert (
        "Complainant: (confidential)" in front_desk.stdout
        and "S*** A*****" not in front_desk.stdout
    )
    assert "S*** A*****" in supervisor.stdout and "210401********01" in supervisor.stdout
    assert not any(t in front_desk.stdout + supervisor.stdout for t in IDENTITY_TEXT)


def test_show_json_of_a_draft(data_dir: Path, filled: dict[str, str], run: Run) -> None:
    result = run(data_dir, "show", filled["draft"], "--json")

    assert result.code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["status"] == "draft" and shown["identity_masked"] is True
    assert shown["identity_hidden"] is None
    assert [e["status"] for e in shown["timeline"]] == ["draft"]
    assert shown["identity"]["nik"] == "*" * 16  # a bad NIK is masked completely
    assert not any(text in result.stdout for text in IDENTITY_TEXT)


def test_show_unknown_complaint_exits_4(data_dir: Path, run: Run) -> None:
    result = run(data_dir, "show", "2104-20990101-AAAA-0001")

    assert result.code == 4
    assert "2104-20990101-AAAA-0001" in result.stderr


# Exports and data-subject requests -----------------------------------------------------------


def test_export_with_identity_needs_a_supervisor_and_is_private(
    data_dir: Path, filled: dict[str, str], run: Run, tmp_path: Path
) -> None:
    refused = run(
        data_dir, "export", str(tmp_path / "loket.csv"), "--with-identity",
        user=CLERK, password=accounts.PASSWORD,
    )  # fmt: skip
    plain = run(data_dir, "export", str(tmp_path / "it.json"), user=IT, password=accounts.PASSWORD)
    full = run(
        data_dir, "export", str(tmp_path / "full.csv"), "--with-identity", "--status", "queued"
    )
    again = run(data_dir, "export", str(tmp_path / "full.csv"))

    assert refused.code == 9 and not (tmp_path / "loket.csv").exists()
    assert plain.code == 0, plain.stderr
    rows = json.loads((tmp_path / "it.json").read_text(encoding="utf-8"))
    assert len(rows) == 3 and "nik" not in rows[0]
    assert not any(t in (tmp_path / "it.json").read_text(encoding="utf-8") for t in IDENTITY_TEXT)
    assert full.code == 0, full.stderr
    assert NIK in (tmp_path / "full.csv").read_text(encoding="utf-8")
    if os.name == "posix":
        assert (tmp_path / "full.csv").stat().st_mode & 0o077 == 0
    assert "2 complaints" in full.stdout
    assert again.code == 2 and "--force" in again.stderr


def test_person_show_and_erase(data_dir: Path, filled: dict[str, str], run: Run) -> None:
    refused = run(data_dir, "person", "show", "--nik", NIK, user=CLERK, password=accounts.PASSWORD)
    shown = run(data_dir, "person", "show", "--nik", NIK)
    unconfirmed = run(data_dir, "person", "erase", "--phone", "081234567890")
    erased = run(data_dir, "person", "erase", "--phone", "081234567890", "--yes")

    assert refused.code == 9
    assert shown.code == 0, shown.stderr
    assert filled["road"] in shown.stdout and "210401********01" in shown.stdout
    assert NIK not in shown.stdout
    assert unconfirmed.code == 2 and "--yes" in unconfirmed.stderr
    assert erased.code == 0, erased.stderr
    assert "erased from 0 complaints" in erased.stdout
    assert "not closed nationally yet: 2 complaints" in erased.stdout


# The database and the audit log ---------------------------------------------------------------


def test_db_check_passes_on_a_healthy_desk(data_dir: Path, filled: dict[str, str]) -> None:
    result = cli(data_dir, "db", "check", user=IT, password=accounts.PASSWORD)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FTS5" in result.stdout


def test_audit_verify_needs_a_role_that_views_the_log(data_dir: Path, run: Run) -> None:
    assert run(data_dir, "audit", "verify", user=IT, password=accounts.PASSWORD).code == 0
    assert run(data_dir, "audit", "verify", user=CLERK, password=accounts.PASSWORD).code == 9


def test_db_check_finds_a_queued_complaint_without_outbox_entry(
    data_dir: Path, filled: dict[str, str], run: Run
) -> None:
    with sqlite3.connect(DataPaths(data_dir).database) as connection:
        connection.execute(
            "DELETE FROM outbox WHERE complaint_id = "
            "(SELECT id FROM complaints WHERE registration_number = ?)",
            (filled["road"],),
        )
    connection.close()

    result = run(data_dir, "db", "check")

    assert result.code == 5
    assert filled["road"] in result.stdout


def test_db_check_finds_a_complaint_missing_from_the_word_index(
    data_dir: Path, filled: dict[str, str], run: Run
) -> None:
    with sqlite3.connect(DataPaths(data_dir).database) as connection:
        connection.execute(
            "DELETE FROM complaint_words WHERE rowid = "
            "(SELECT id FROM complaints WHERE registration_number = ?)",
            (filled["road"],),
        )
    connection.close()

    result = run(data_dir, "db", "check")

    assert result.code == 5
    assert "search word index" in result.stdout and "1 complaints" in result.stdout


def test_corrupted_database_file_exits_5_everywhere(
    data_dir: Path, tmp_path: Path, run: Run
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(data_dir, broken)
    database = DataPaths(broken).database
    for leftover in (database.with_name(database.name + s) for s in ("-wal", "-shm")):
        leftover.unlink(missing_ok=True)
    database.write_bytes(b"this is not a database " * 512)

    for command in (["list"], ["db", "check"], ["show", "x"]):
        result = run(broken, *command)
        assert result.code == 5, (command, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.strip()


def test_db_check_finds_a_damaged_page(data_dir: Path, run: Run) -> None:
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

    result = run(data_dir, "db", "check")

    assert result.code == 5
    assert "PROBLEM  SQLite integrity check" in result.stdout


def test_database_from_a_newer_version_exits_5(data_dir: Path, run: Run) -> None:
    with sqlite3.connect(DataPaths(data_dir).database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    connection.close()

    result = run(data_dir, "list")

    assert result.code == 5
    assert "from_the_future" in result.stderr


def test_usage_error_exits_2_and_names_the_problem(data_dir: Path, run: Run) -> None:
    result = run(data_dir, "list", "--status", "lost")

    assert result.code == 2
    assert "--status" in result.stderr and "--help" in result.stderr


def test_exit_codes_are_mapped_in_one_place() -> None:
    denied = PermissionDenied(Message("Not for you."), Permission.MANAGE_USERS)
    assert classify(RegisterFormatError(Message("bad")))[0] is ExitCode.VALIDATION
    assert classify(DatabaseTooNew("ffff"))[0] is ExitCode.DATABASE
    assert classify(sqlite3.DatabaseError("file is not a database"))[0] is ExitCode.DATABASE
    assert classify(denied) == (ExitCode.NOT_ALLOWED, denied.message)
    assert classify(NoSecureKeyStore())[0] is ExitCode.DATABASE
    assert classify(DeskLocked())[0] is ExitCode.AUTHENTICATION
    assert classify(KeyboardInterrupt())[0] is ExitCode.INTERRUPTED
    code, message = classify(RuntimeError("boom"))
    assert code is ExitCode.UNEXPECTED and "boom" in message.render("en")


def test_identity_masks_keep_only_what_recognises_the_person() -> None:
    assert mask_name("Siti Aminah") == "S*** A*****"
    assert mask_phone("+6281234567890") == "+62********890"
    assert mask_email("siti.aminah@example.id") == "s**********@example.id"
    assert mask_email("no-at-sign") == "**********"


def test_reference_server_command_hands_its_options_to_the_server() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "lapor_desktop", "reference-server", "--help"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0
    assert "--port" in shown.stdout and "--data-dir" in shown.stdout
