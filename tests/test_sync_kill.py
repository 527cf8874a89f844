"""A real ``lapor-desktop sync`` SIGKILLed mid-batch strands nothing: the next run sends it all.

The killed run's batch hangs on a stalled link (the fault proxy reads the request and
answers nothing), so the kill lands while its leases are held, whatever the machine's pace.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.domain.roles import Role
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services import sync_status
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.office import save_office
from lapor_desktop.settings import NationalServiceSettings
from lapor_desktop.storage.models import OutboxEntry
from sync.device_token import store_token
from sync.faultproxy import FaultPlan, FaultProxy
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support import cli as support
from tests.support.cli import IT, ROOT, Run, clerk_of, in_process, open_desk
from tests.support.reference_server import running_reference_server
from tests.support.samples import valid_form

COMPLAINTS = 12
OTHER_IT = ("sari_it", "dedi_it")
"""Three runs at once sign in as three people: one account's sign-ins race for its lockout."""
WAIT_SECONDS = 60.0
"""Only a bound for a failing test; a passing one moves on at the awaited state."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def proxy(server: RunningServer) -> Iterator[FaultProxy]:
    port = int(server.url.rsplit(":", 1)[1])
    started = FaultProxy("127.0.0.1", port, seed=16).start()
    yield started
    started.stop()


@pytest.fixture
def data_dir(tmp_path: Path, server: RunningServer, proxy: FaultProxy) -> Path:
    root = support.set_up_desk(tmp_path)
    desk = open_desk(root)
    try:
        national = NationalServiceSettings(proxy.url, (server.public_key_text,))
        office = dataclasses.replace(desk.context.office, national=national)
        save_office(desk.database, office, now=system_clock())
        boss = accounts.sign_in_supervisor(desk)
        for name in OTHER_IT:
            accounts.add_user(desk, boss, name, Role.IT)
        clerk = clerk_of(desk)
        for n in range(COMPLAINTS):
            assert desk.intake.submit(valid_form(title=f"Keluhan {n}"), actor=clerk).queued
    finally:
        desk.close()
    store_token(root, server.tokens["2104"])
    return root


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


def _sync(data_dir: Path, user: str = IT) -> subprocess.Popen[str]:
    """The real command in its own interpreter, signed in as IT staff."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    environment[MACHINE_KEY_FILE_ENV] = os.environ[MACHINE_KEY_FILE_ENV]
    environment.update(LAPOR_USER=user, LAPOR_PASSWORD=accounts.PASSWORD)
    command = [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir), "--lang", "en"]
    return subprocess.Popen(
        [*command, "sync"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=ROOT,
    )


def _leased(data_dir: Path) -> int:
    desk = open_desk(data_dir)
    try:
        with desk.database.read() as session:
            held = select(func.count()).where(OutboxEntry.lease_owner.is_not(None))
            return int(session.scalar(held) or 0)
    finally:
        desk.close()


def _kill_mid_batch(data_dir: Path, proxy: FaultProxy) -> None:
    """Start a sync on a stalled link; SIGKILL it once it holds its batch and sent it."""
    proxy.set_plan(FaultPlan(stall=True))
    child = _sync(data_dir)
    deadline = time.monotonic() + WAIT_SECONDS
    while not (_leased(data_dir) and proxy.stats().connections):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the sync never claimed its batch"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL
    proxy.set_plan(FaultPlan())


def _status(data_dir: Path) -> sync_status.SyncStatus:
    desk = open_desk(data_dir)
    try:
        return sync_status.read_status(desk.database, now=system_clock())
    finally:
        desk.close()


def test_the_very_next_run_after_a_kill_mid_batch_sends_everything(
    run: Run, data_dir: Path, server: RunningServer, proxy: FaultProxy
) -> None:
    _kill_mid_batch(data_dir, proxy)
    left = _status(data_dir)
    assert (left.pending, left.sending) == (COMPLAINTS, 0)  # held by nobody alive
    done = run(data_dir, "sync", user=IT, password=accounts.PASSWORD)
    assert done.code == ExitCode.OK, done.stderr
    counts = re.search(r"Sent: (\d+), already at LAPOR!: (\d+),", done.stdout)
    assert counts is not None, done.stdout
    sent, present = counts.groups()
    assert int(sent) + int(present) == COMPLAINTS  # what the stalled link let through, looked up
    after = _status(data_dir)
    assert (after.pending, after.sent) == (0, COMPLAINTS)
    summary = server.state.store.summary()
    assert (summary["complaints"], summary["extra_copies"]) == (COMPLAINTS, 0)


def test_three_runs_at_once_after_a_kill_never_all_say_done_with_work_pending(
    data_dir: Path, server: RunningServer, proxy: FaultProxy
) -> None:
    _kill_mid_batch(data_dir, proxy)
    runs = [_sync(data_dir, user) for user in (IT, *OTHER_IT)]
    codes = [child.wait(timeout=WAIT_SECONDS) for child in runs]
    outputs = [child.communicate() for child in runs]
    assert set(codes) <= {ExitCode.OK, ExitCode.SERVICE_UNAVAILABLE}, outputs
    after = _status(data_dir)
    if codes == [ExitCode.OK] * 3:
        assert after.pending == 0, outputs
    assert after.pending == 0 and after.sent == COMPLAINTS
    summary = server.state.store.summary()
    assert (summary["complaints"], summary["extra_copies"]) == (COMPLAINTS, 0)
