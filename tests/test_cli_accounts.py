"""The command line signs in: ``init`` and its first supervisor, credentials, ``user`` commands.

See ``tests/support/cli.py`` for when the real command runs as a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from lapor_desktop import desk as desk_module
from lapor_desktop.cli import credentials
from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV, NoSecureKeyStore
from tests.support import accounts
from tests.support.cli import (
    BOSS,
    CLERK,
    IT,
    NEW_PASSWORD,
    Run,
    cli,
    in_process,
    init_args,
    set_up_desk,
)
from tests.support.samples import OFFICE_CODE


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return set_up_desk(tmp_path)


# init ----------------------------------------------------------------------------------------


def test_init_without_supervisor_on_a_new_desk_is_a_usage_error(tmp_path: Path, run: Run) -> None:
    result = run(tmp_path / "data", *init_args(), user=None)

    assert result.code == 2
    assert "--supervisor" in result.stderr
    assert not (tmp_path / "data").exists()


def test_init_with_a_weak_password_creates_nothing(tmp_path: Path, run: Run) -> None:
    result = run(
        tmp_path / "data",
        *init_args(),
        "--supervisor",
        "kepala",
        user=None,
        LAPOR_PASSWORD="kepala12345",
    )

    assert result.code == 2
    assert "user name" in result.stderr
    assert not (tmp_path / "data").exists()


def test_init_again_unchanged_needs_no_password(data_dir: Path, run: Run) -> None:
    result = run(data_dir, *init_args(), "--supervisor", "kepala", user=None)

    assert result.code == 0, result.stderr
    assert "nothing needed to change" in result.stdout
    assert "--supervisor was not needed" in result.stdout


def test_changing_the_office_needs_a_role_that_changes_settings(data_dir: Path, run: Run) -> None:
    change = init_args(OFFICE_CODE, "--timezone", "Asia/Makassar", name="Pemkab Lingga")

    unsigned = run(data_dir, *change, user=None)
    front_desk = run(data_dir, *change, user=CLERK, password=accounts.PASSWORD)
    it_staff = run(data_dir, *change, user=IT, password=accounts.PASSWORD)

    assert unsigned.code == 8
    assert front_desk.code == 9 and "change settings" in front_desk.stderr
    assert it_staff.code == 0, it_staff.stderr
    assert "settings were updated" in it_staff.stdout
    desk = open_desk(DataPaths(data_dir))
    try:
        assert desk.context.office.office_name == "Pemkab Lingga"
        assert desk.context.office.timezone == "Asia/Makassar"
    finally:
        desk.close()


def test_init_refuses_another_office_code_without_force(data_dir: Path, run: Run) -> None:
    refused = run(data_dir, *init_args("2171"), user=None)
    forced = run(data_dir, *init_args("2171", "--force"), user=IT, password=accounts.PASSWORD)

    assert refused.code == 2 and "--force" in refused.stderr
    assert forced.code == 0, forced.stderr
    assert "2171" in forced.stdout


@pytest.mark.parametrize("code", ["21.04", "x", ""])
def test_init_rejects_a_bad_office_code(tmp_path: Path, run: Run, code: str) -> None:
    result = run(tmp_path / "data", *init_args(code), "--supervisor", "kepala", user=None)

    assert result.code == 2
    assert "Traceback" not in result.stderr


def test_init_asks_the_password_twice_and_refuses_a_mismatch(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["Daik-Lingga-2104!", "Daik-Lingga-2014!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt, stream=None: next(answers))
    monkeypatch.setattr(credentials, "interactive", lambda: True)

    result = run(tmp_path / "data", *init_args(), "--supervisor", "kepala", user=None)

    assert result.code == 2 and "do not match" in result.stderr
    assert not (tmp_path / "data").exists()


# Signing in ----------------------------------------------------------------------------------


def test_init_then_commands_sign_in_and_no_password_appears_in_any_output_or_file(
    tmp_path: Path,
) -> None:
    folder, wrong = tmp_path / "data", "Salah-Ketik-Sandi-77"
    created = cli(
        folder, *init_args(), "--supervisor", "Kepala", "--supervisor-name", "Kepala Bagian",
        user=None, LAPOR_PASSWORD=BOSS.password,
    )  # fmt: skip
    results = [
        created,
        cli(folder, "list", "--json", user="kepala"),
        cli(folder, "user", "list", "--json", user="kepala"),
        cli(folder, "--debug", "show", "2104-20990101-AAAA-0001", user="kepala"),
        cli(folder, "list", user="kepala", password=wrong),
    ]

    assert [r.returncode for r in results] == [0, 0, 0, 4, 8], [r.stderr for r in results]
    assert json.loads(results[2].stdout)["users"][0]["display_name"] == "Kepala Bagian"
    printed = "".join(r.stdout + r.stderr for r in results)
    assert BOSS.password not in printed and wrong not in printed
    key_file = Path(os.environ[MACHINE_KEY_FILE_ENV])
    for path in [*folder.rglob("*"), key_file]:
        if path.is_file():
            content = path.read_bytes()
            assert BOSS.password.encode() not in content and wrong.encode() not in content, path


def test_a_command_without_credentials_exits_8_with_a_clear_message(data_dir: Path) -> None:
    result = cli(data_dir, "list", user=None)

    assert result.returncode == 8
    assert "LAPOR_USER" in result.stderr and "--user" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_password_exits_8_and_is_audited(data_dir: Path) -> None:
    result = cli(data_dir, "--lang", "en", "list", password="Bukan-Sandi-Kepala-1")

    assert result.returncode == 8
    assert "The user name or the password is wrong." in result.stderr
    with sqlite3.connect(DataPaths(data_dir).database) as connection:
        failed = connection.execute(
            "SELECT actor, entity_id FROM audit_log WHERE action = 'login.failed'"
        ).fetchall()
    connection.close()
    assert failed == [("unauthenticated", BOSS.username)]


def test_a_locked_account_is_told_until_when(data_dir: Path, run: Run) -> None:
    results = [run(data_dir, "list", password=f"Bukan-Sandi-{n}-xyz") for n in range(3)]

    assert [r.code for r in results] == [8, 8, 8]
    assert "locked" in results[-1].stderr and "Try again after" in results[-1].stderr
    assert "WIB" in results[-1].stderr
    assert run(data_dir, "list").code == 8  # the right password waits for the lock too


def test_the_user_name_and_password_can_be_typed_at_a_prompt(
    data_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def typed(prompt: str, stream: object = None) -> str:
        prompts.append(prompt)
        return BOSS.password

    monkeypatch.setattr("getpass.getpass", typed)
    monkeypatch.setattr(credentials, "interactive", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO("kepala\n"))

    result = run(data_dir, "list", "--json", user=None)

    assert result.code == 0, result.stderr
    assert prompts == ["Password for kepala: "]
    assert "User name: " in result.stderr and BOSS.password not in result.stderr


def test_no_secure_key_store_exits_5_with_its_message(
    data_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_keyring(*args: object, **kwargs: object) -> object:
        raise NoSecureKeyStore()

    monkeypatch.setattr(desk_module, "machine_key_store", no_keyring)

    result = run(data_dir, "list")

    assert result.code == 5
    assert "LAPOR_MACHINE_KEY_FILE" in result.stderr


# Accounts ------------------------------------------------------------------------------------


def test_an_initial_password_must_be_changed_with_user_passwd_first(
    data_dir: Path, run: Run
) -> None:
    added = run(
        data_dir, "user", "add", "Sari", "--role", "front_desk", "--name", "Sari Dewi",
        LAPOR_NEW_PASSWORD=accounts.INITIAL_PASSWORD,
    )  # fmt: skip
    assert added.code == 0, added.stderr

    refused = cli(data_dir, "list", user="sari", password=accounts.INITIAL_PASSWORD)
    changed = cli(
        data_dir, "user", "passwd",
        user="sari", password=accounts.INITIAL_PASSWORD, LAPOR_NEW_PASSWORD=NEW_PASSWORD,
    )  # fmt: skip
    working = cli(data_dir, "list", user="sari", password=NEW_PASSWORD)

    assert refused.returncode == 8 and "lapor-desktop user passwd" in refused.stderr
    assert changed.returncode == 0, changed.stderr
    assert working.returncode == 0, working.stderr


def test_user_add_by_the_front_desk_exits_9(data_dir: Path) -> None:
    result = cli(
        data_dir, "user", "add", "sari", "--role", "it",
        user=CLERK, password=accounts.PASSWORD, LAPOR_NEW_PASSWORD=accounts.INITIAL_PASSWORD,
    )  # fmt: skip

    assert result.returncode == 9
    assert "manage user accounts" in result.stderr


def test_user_list_disable_and_reset(data_dir: Path, run: Run) -> None:
    disabled = run(data_dir, "user", "disable", CLERK)
    own = run(data_dir, "user", "disable", BOSS.username)
    unknown = run(data_dir, "user", "reset", "nobody", LAPOR_NEW_PASSWORD=NEW_PASSWORD)
    weak = run(data_dir, "user", "reset", IT, LAPOR_NEW_PASSWORD="pendek")
    reset = run(data_dir, "user", "reset", IT, LAPOR_NEW_PASSWORD=NEW_PASSWORD)
    listed = run(data_dir, "user", "list", "--json")
    table = run(data_dir, "user", "list")

    assert disabled.code == 0, disabled.stderr
    assert own.code == 9 and unknown.code == 4 and weak.code == 2
    assert reset.code == 0, reset.stderr
    users = {u["username"]: u for u in json.loads(listed.stdout)["users"]}
    assert users[CLERK]["disabled"] and users[IT]["must_change_password"]
    assert "disabled" in table.stdout and "initial password" in table.stdout
    gone = run(data_dir, "list", user=CLERK, password=accounts.PASSWORD)
    assert gone.code == 8 and "disabled" in gone.stderr
    assert run(data_dir, "list", user=IT, password=NEW_PASSWORD).code == 8


def test_user_passwd_asks_the_new_password_twice(
    data_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([accounts.PASSWORD, NEW_PASSWORD, NEW_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt, stream=None: next(answers))
    monkeypatch.setattr(credentials, "interactive", lambda: True)

    result = run(data_dir, "user", "passwd", "--user", CLERK, user=None)

    assert result.code == 0, result.stderr
    assert run(data_dir, "list", user=CLERK, password=NEW_PASSWORD).code == 0
