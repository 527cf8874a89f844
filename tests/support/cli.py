"""Running ``lapor-desktop`` in tests: as a subprocess, or ``main`` in-process, signed in.

The real command runs as a subprocess where the process boundary matters
(exit codes, environment variables, a stdin that is not a terminal); the
rest calls :func:`lapor_desktop.cli.main` in-process, which is the same code
without the interpreter start-up, to keep the CLI tests fast.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lapor_desktop import desk as desk_module
from lapor_desktop.cli import credentials, main
from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.context import Actor, system_clock
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.samples import OFFICE_CODE, valid_form

ROOT = Path(__file__).resolve().parent.parent.parent
BOSS = accounts.SUPERVISOR
CLERK, IT = "desk1", "budi_it"
NIK = "2104014508900001"
IDENTITY_TEXT = ("Siti", "Aminah", NIK, "81234567890", "siti.aminah", "Merdeka")
NEW_PASSWORD = "Loket-Daik-Baru-42"


def cli(
    data_dir: Path,
    *args: str,
    user: str | None = BOSS.username,
    password: str = BOSS.password,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh interpreter, signed in as ``user`` (None: no credentials)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    environment[MACHINE_KEY_FILE_ENV] = os.environ[MACHINE_KEY_FILE_ENV]
    if user is not None:
        environment.update(LAPOR_USER=user, LAPOR_PASSWORD=password)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


Run = Callable[..., Ran]


def in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``main`` in-process, in English, signed in as ``user`` through the environment."""
    monkeypatch.setattr(credentials, "interactive", lambda: False)

    def runner(
        data_dir: Path,
        *args: str,
        user: str | None = BOSS.username,
        password: str = BOSS.password,
        **env: str,
    ) -> Ran:
        for name in (credentials.USER_ENV, credentials.PASSWORD_ENV, credentials.NEW_PASSWORD_ENV):
            monkeypatch.delenv(name, raising=False)
        if user is not None:
            monkeypatch.setenv(credentials.USER_ENV, user)
            monkeypatch.setenv(credentials.PASSWORD_ENV, password)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = main(["--data-dir", str(data_dir), "--lang", "en", *args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return runner


def init_args(code: str = OFFICE_CODE, *extra: str, name: str = "Kabupaten Lingga") -> list[str]:
    return ["init", "--office-code", code, "--office-name", name, *extra]


def set_up_desk(tmp_path: Path) -> Path:
    """A desk as ``init`` leaves it, with a front-desk clerk and an IT account (test costs)."""
    paths = DataPaths(tmp_path / "data").ensure()
    desk = accounts.initialise_desk(
        paths, OfficeSettings(OFFICE_CODE, "Kabupaten Lingga"), system_clock
    )
    try:
        boss = accounts.sign_in_supervisor(desk)
        accounts.add_user(desk, boss, CLERK, Role.FRONT_DESK)
        accounts.add_user(desk, boss, IT, Role.IT)
    finally:
        desk.close()
    return paths.root


def open_desk(data_dir: Path) -> Desk:
    return desk_module.open_desk(DataPaths(data_dir), account_factory=accounts.cheap_accounts)


def clerk_of(desk: Desk) -> Actor:
    return accounts.sign_in(desk, CLERK, accounts.PASSWORD).actor


def fill(desk: Desk) -> dict[str, str]:
    """Two queued complaints and a draft, recorded by the clerk on the real clock like the CLI."""
    recent = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    clerk = clerk_of(desk)
    road = desk.intake.submit(valid_form(incident_date=recent), actor=clerk)
    water = desk.intake.submit(
        valid_form(
            incident_date=recent,
            classification="aspirasi",
            title="Air bersih PDAM tidak mengalir",
            description="Sudah seminggu air tidak mengalir di rumah warga Dabo.",
        ),
        actor=clerk,
    )
    draft = desk.intake.save_draft(valid_form(title="Lampu jalan padam", nik="1"), actor=clerk)
    assert road.registration_number and water.registration_number
    return {
        "road": road.registration_number,
        "water": water.registration_number,
        "draft": draft.uuid,
    }
