"""``lapor-desktop init`` without a person at the keyboard: office, supervisor, national service.

The desk it leaves behind must really sync with a real reference server on
loopback; every refusal must come before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.accounts import SignedIn
from lapor_desktop.settings import WebsiteLaneSettings, WorkstationSettings
from sync.connection import NO_SERVER, NotConfigured, connected_engine
from sync.device_token import load_token
from sync.reference_server import RunningServer
from sync.reference_server.practice_form import PRACTICE_PATH
from tests.support.cli import ROOT, Run, in_process, init_args
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE, valid_form

BOSS, BOSS_PASSWORD = "kepala", "Daik-Lingga-2104!"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def token_file(tmp_path: Path, server: RunningServer) -> Path:
    path = tmp_path / "token.txt"
    path.write_text(server.tokens[OFFICE_CODE] + "\n", encoding="utf-8")
    return path


def new_desk(run: Run, folder: Path, *extra: str) -> tuple[int, str, str]:
    ran = run(
        folder, *init_args(), "--supervisor", BOSS, *extra, user=None, LAPOR_PASSWORD=BOSS_PASSWORD
    )
    return ran.code, ran.stdout, ran.stderr


def connect(server: RunningServer, token_file: Path) -> list[str]:
    return [
        "--server-url",
        server.url,
        "--public-key",
        server.public_key_text,
        "--device-token-file",
        str(token_file),
    ]


def record_and_sync(folder: Path) -> tuple[int, int]:
    """One complaint recorded by the supervisor, then one sync pass: (sent, rejected)."""
    desk = open_desk(DataPaths(folder))
    try:
        signed = desk.sign_in(BOSS, BOSS_PASSWORD)
        assert isinstance(signed, SignedIn), signed
        recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
        outcome = desk.intake.submit(valid_form(incident_date=recent), actor=signed.principal.actor)
        assert outcome.queued, outcome.issues
        with connected_engine(desk.context, desk.paths.root) as engine:
            assert not isinstance(engine, NotConfigured), engine.message.render("en")
            summary = engine.run_once()
        return summary.sent, summary.rejected
    finally:
        desk.close()


def test_a_desk_set_up_in_one_command_syncs_with_the_national_service(
    tmp_path: Path, run: Run, server: RunningServer, token_file: Path
) -> None:
    folder = tmp_path / "data"
    code, stdout, stderr = new_desk(run, folder, *connect(server, token_file))

    assert code == ExitCode.OK, stderr
    assert f"National service: {server.url} (1 receipt key(s))" in stdout
    assert f"Delete the file {token_file}" in stdout
    assert record_and_sync(folder) == (1, 0)
    assert server.tokens[OFFICE_CODE] not in stdout + stderr


def test_the_token_comes_from_standard_input_and_appears_nowhere(
    tmp_path: Path, server: RunningServer
) -> None:
    folder = tmp_path / "data"
    token = server.tokens[OFFICE_CODE]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    environment.update(
        {MACHINE_KEY_FILE_ENV: os.environ[MACHINE_KEY_FILE_ENV], "LAPOR_PASSWORD": BOSS_PASSWORD}
    )
    arguments = [
        *("--data-dir", str(folder), *init_args(), "--supervisor", BOSS),
        *("--server-url", server.url, "--public-key", server.public_key_text),
        *("--device-token-file", "-"),
    ]
    ran = subprocess.run(
        [sys.executable, "-m", "lapor_desktop", *arguments],
        input=token + "\n",
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )

    assert ran.returncode == ExitCode.OK, ran.stderr
    assert token not in ran.stdout + ran.stderr
    stored = load_token(folder)
    assert stored is not None and stored.reveal() == token
    for path in folder.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    assert record_and_sync(folder) == (1, 0)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--public-key", "bm90IGEga2V5", "is not a valid Ed25519 key in base64"),
        ("--server-url", "http://lapor.example.go.id", "Refusing the unencrypted address"),
        ("--server-url", "lapor.example.go.id", "must start with https://"),
    ],
)
def test_a_bad_national_setting_is_refused_before_anything_is_created(
    tmp_path: Path,
    run: Run,
    server: RunningServer,
    token_file: Path,
    option: str,
    value: str,
    expected: str,
) -> None:
    settings = {"--server-url": server.url, "--public-key": server.public_key_text}
    settings[option] = value
    folder = tmp_path / "data"
    code, _stdout, stderr = new_desk(
        run, folder, *(part for pair in settings.items() for part in pair),
        "--device-token-file", str(token_file),
    )  # fmt: skip

    assert code == ExitCode.USAGE
    assert expected in stderr
    assert " / " in stderr, "bilingual: Indonesian / English"
    assert not folder.exists()


def test_every_problem_is_told_at_once(tmp_path: Path, run: Run) -> None:
    token = tmp_path / "token.txt"
    token.write_text("has spaces in it", encoding="utf-8")
    folder = tmp_path / "data"
    code, _stdout, stderr = new_desk(
        run, folder, "--server-url", "ftp://x", "--public-key", "AAAA",
        "--device-token-file", str(token),
    )  # fmt: skip

    assert code == ExitCode.USAGE
    assert "must start with https://" in stderr
    assert "an Ed25519 public key has 32 bytes" in stderr
    assert "The device token is not valid" in stderr
    assert not folder.exists()


def test_a_device_token_without_a_server_is_refused(
    tmp_path: Path, run: Run, token_file: Path
) -> None:
    code, _stdout, stderr = new_desk(run, tmp_path / "data", "--device-token-file", str(token_file))

    assert code == ExitCode.USAGE
    assert "needs the national service too" in stderr
    assert not (tmp_path / "data").exists()


def test_a_missing_token_file_is_named(tmp_path: Path, run: Run, server: RunningServer) -> None:
    code, _stdout, stderr = new_desk(
        run, tmp_path / "data", *connect(server, tmp_path / "nowhere.txt")
    )

    assert code == ExitCode.USAGE
    assert f"The file {tmp_path / 'nowhere.txt'} cannot be read" in stderr


def test_a_desk_without_the_national_service_records_and_says_so_when_syncing(
    tmp_path: Path, run: Run
) -> None:
    folder = tmp_path / "data"
    code, stdout, stderr = new_desk(run, folder)

    assert code == ExitCode.OK, stderr
    assert "complaints wait in the outbox" in stdout
    desk = open_desk(DataPaths(folder))
    try:
        with connected_engine(desk.context, desk.paths.root) as engine:
            assert isinstance(engine, NotConfigured) and engine.message == NO_SERVER
    finally:
        desk.close()


def test_training_only_marks_the_workstation_and_refuses_a_real_server(
    tmp_path: Path, run: Run, server: RunningServer, token_file: Path
) -> None:
    refused = new_desk(
        run, tmp_path / "refused", "--training-only",
        "--server-url", "https://lapor.go.id", "--public-key", server.public_key_text,
    )  # fmt: skip
    folder = tmp_path / "data"
    code, stdout, stderr = new_desk(run, folder, "--training-only", *connect(server, token_file))

    assert refused[0] == ExitCode.USAGE and "training desk" in refused[2]
    assert not (tmp_path / "refused").exists()
    assert code == ExitCode.OK, stderr
    assert "PELATIHAN" in stdout
    station = WorkstationSettings.load(DataPaths(folder).workstation_settings)
    assert station is not None and station.training
    assert record_and_sync(folder) == (1, 0), "a training server on this computer is fine"


def test_a_real_desk_cannot_be_turned_into_a_practice_desk(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "data"
    assert new_desk(run, folder)[0] == ExitCode.OK

    again = run(folder, *init_args(), "--training-only", user=BOSS, password=BOSS_PASSWORD)

    assert again.code == ExitCode.USAGE
    assert "cannot become a practice desk" in again.stderr


def test_a_new_token_later_needs_a_sign_in_and_replaces_the_old(
    tmp_path: Path, run: Run, server: RunningServer, token_file: Path
) -> None:
    folder = tmp_path / "data"
    assert new_desk(run, folder, "--server-url", server.url, "--public-key",
                    server.public_key_text)[0] == ExitCode.OK  # fmt: skip
    assert load_token(folder) is None

    anonymous = run(folder, *init_args(), "--device-token-file", str(token_file), user=None)
    signed = run(
        folder, *init_args(), "--device-token-file", str(token_file),
        user=BOSS, password=BOSS_PASSWORD,
    )  # fmt: skip

    assert anonymous.code == ExitCode.AUTHENTICATION
    assert signed.code == ExitCode.OK, signed.stderr
    assert record_and_sync(folder) == (1, 0)


def test_a_training_desk_types_into_the_practice_form_never_the_real_lapor(
    tmp_path: Path, run: Run, server: RunningServer, token_file: Path
) -> None:
    training, real = tmp_path / "latihan", tmp_path / "nyata"
    assert new_desk(run, training, "--training-only", *connect(server, token_file))[0] == 0
    assert new_desk(run, real, *connect(server, token_file))[0] == 0

    def address(folder: Path) -> str:
        desk = open_desk(DataPaths(folder))
        try:
            return desk.context.office.website.address
        finally:
            desk.close()

    assert address(training) == server.url.rstrip("/") + PRACTICE_PATH
    assert address(real) == WebsiteLaneSettings().address
