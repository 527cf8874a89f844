"""``sync``, ``sync --watch``, ``sync-status`` and ``quarantine`` through the real command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from subprocess import PIPE

import pytest

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.cli.output import Output
from lapor_desktop.cli.sync_commands.watch_command import status_line
from lapor_desktop.paths import DataPaths
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.office import save_office
from lapor_desktop.services.outbox_lanes import submissions
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.settings import NationalServiceSettings
from sync.device_token import store_token
from sync.engine import Done, Progress, SyncSummary
from sync.reference_server import RunningServer
from sync.runner import DeskLink, RunnerState, RunnerStatus
from tests.support import accounts
from tests.support import cli as support
from tests.support.cli import BOSS, CLERK, IT, ROOT, Ran, Run, clerk_of, in_process, open_desk
from tests.support.reference_server import running_reference_server
from tests.support.samples import valid_form

UNKNOWN_TO_SERVER = "2104-SETWAN"
"""An agency the desk knows but this test's server does not: its complaint is rejected there."""
WAIT_SECONDS = 60.0
"""Only a bound for a failing test; a passing one moves on at the awaited line."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    bundled = load_bundled("21")
    reference = dataclasses.replace(
        bundled, agencies=tuple(a for a in bundled.agencies if a.code != UNKNOWN_TO_SERVER)
    )
    with running_reference_server(tmp_path / "server", reference=reference) as running:
        yield running


def configure(data_dir: Path, server: RunningServer, url: str | None = None) -> None:
    """Point the desk at the server (or ``url``) and store this workstation's device token."""
    desk = open_desk(data_dir)
    try:
        national = NationalServiceSettings(url or server.url, (server.public_key_text,))
        office = dataclasses.replace(desk.context.office, national=national)
        save_office(desk.database, office, now=system_clock())
    finally:
        desk.close()
    store_token(data_dir, server.tokens["2104"])


@pytest.fixture
def data_dir(tmp_path: Path, server: RunningServer) -> Path:
    root = support.set_up_desk(tmp_path)
    configure(root, server)
    return root


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


def queue_complaints(data_dir: Path, count: int, **changes: object) -> list[str]:
    recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    desk = open_desk(data_dir)
    try:
        clerk = clerk_of(desk)
        uuids = []
        for _ in range(count):
            outcome = desk.intake.submit(valid_form(incident_date=recent, **changes), actor=clerk)
            assert outcome.queued, outcome
            uuids.append(outcome.uuid)
        return uuids
    finally:
        desk.close()


def as_it(run: Run, data_dir: Path, *args: str) -> Ran:
    return run(data_dir, *args, user=IT, password=accounts.PASSWORD)


def test_sync_sends_the_queue_and_exits_0(run: Run, data_dir: Path, server: RunningServer) -> None:
    uuids = queue_complaints(data_dir, 2)
    done = as_it(run, data_dir, "sync")
    assert done.code == 0, done.stderr
    assert "Sent: 2," in done.stdout and done.stderr == ""
    assert all(server.state.store.copies_of(u) == 1 for u in uuids)
    log = (DataPaths(data_dir).logs / "sync.log").read_text(encoding="utf-8")
    assert "trigger=command outcome=done" in log and "sent=2" in log


def test_a_rejected_record_is_reported_with_the_way_to_the_quarantine(
    run: Run, data_dir: Path
) -> None:
    queue_complaints(data_dir, 1, agency_code=UNKNOWN_TO_SERVER)
    done = as_it(run, data_dir, "sync")
    assert done.code == 0
    assert "quarantined: 1" in done.stdout and "quarantine list" in done.stdout


@pytest.mark.parametrize(
    ("faults", "code", "words"),
    [
        ({"revoked_tokens": True}, ExitCode.NATIONAL_AUTH, "device token"),
        ({"captive_portal": True}, ExitCode.CAPTIVE_PORTAL, "hotspot"),
        ({"error_429_rate": 1.0, "retry_after_seconds": 60}, ExitCode.SERVICE_UNAVAILABLE, "busy"),
    ],
)
def test_a_problem_that_needs_waiting_or_a_person_has_its_own_exit_code(
    run: Run,
    data_dir: Path,
    server: RunningServer,
    faults: dict[str, object],
    code: ExitCode,
    words: str,
) -> None:
    [complaint] = queue_complaints(data_dir, 1)
    server.set_faults(**faults)
    done = as_it(run, data_dir, "sync")
    assert done.code == code
    assert words in done.stderr and "Sent: 0," in done.stdout
    assert server.state.store.copies_of(complaint) == 0


def test_offline_is_exit_10_and_the_records_stay_queued(
    run: Run, tmp_path: Path, server: RunningServer
) -> None:
    root = support.set_up_desk(tmp_path)
    configure(root, server, "http://127.0.0.1:9")
    queue_complaints(root, 1)
    done = as_it(run, root, "sync")
    assert done.code == ExitCode.OFFLINE
    assert "offline" in done.stderr
    status = run(root, "sync-status", "--json")
    document = json.loads(status.stdout)
    assert (document["pending"], document["server"]) == (1, "offline")


def test_a_desk_without_a_national_service_is_exit_14(run: Run, tmp_path: Path) -> None:
    root = support.set_up_desk(tmp_path)
    done = as_it(run, root, "sync")
    assert done.code == ExitCode.SYNC_NOT_CONFIGURED
    assert "national service" in done.stderr


def test_only_it_staff_run_sync(run: Run, data_dir: Path) -> None:
    queue_complaints(data_dir, 1)
    assert run(data_dir, "sync", user=CLERK, password=accounts.PASSWORD).code == 9
    assert run(data_dir, "sync").code == ExitCode.NOT_ALLOWED  # the supervisor


def test_sync_status_json_before_and_after(run: Run, data_dir: Path) -> None:
    queue_complaints(data_dir, 2)
    before = run(data_dir, "sync-status", "--json", user=CLERK, password=accounts.PASSWORD)
    assert before.code == 0, before.stderr
    document = json.loads(before.stdout)
    assert (document["pending"], document["sent"], document["server"]) == (2, 0, "reachable")
    assert document["oldest_pending_age_seconds"] >= 0 and document["last_success_at"] is None
    assert as_it(run, data_dir, "sync").code == 0
    after = json.loads(as_it(run, data_dir, "sync-status", "--json").stdout)
    assert (after["pending"], after["sent"], after["quarantined"]) == (0, 2, 0)
    assert after["last_success_at"] is not None and after["clock_warning"] is False


def test_sync_status_in_words_names_a_captive_portal(
    run: Run, data_dir: Path, server: RunningServer
) -> None:
    server.set_faults(captive_portal=True)
    shown = as_it(run, data_dir, "sync-status")
    assert shown.code == 0
    assert "Waiting to be sent: 0" in shown.stdout
    assert "National service: a captive portal answered" in shown.stdout


def test_quarantine_list_and_resend_as_supervisor(run: Run, data_dir: Path) -> None:
    queue_complaints(data_dir, 1, agency_code=UNKNOWN_TO_SERVER)
    assert as_it(run, data_dir, "sync").code == 0
    assert as_it(run, data_dir, "quarantine", "list").code == ExitCode.NOT_ALLOWED
    listed = run(data_dir, "quarantine", "list", "--json")
    assert listed.code == 0, listed.stderr
    [record] = json.loads(listed.stdout)["quarantined"]
    assert "agency_code" in record["reason"]
    assert record["registration_number"] in run(data_dir, "quarantine", "list").stdout
    resent = run(data_dir, "quarantine", "resend", record["registration_number"])
    assert resent.code == 0 and "Queued again" in resent.stdout
    assert json.loads(run(data_dir, "quarantine", "list", "--json").stdout)["quarantined"] == []
    missing = run(data_dir, "quarantine", "resend", "424242")
    assert missing.code == ExitCode.NOT_FOUND and "424242" in missing.stderr


def _lines(stream: Iterable[str]) -> queue.Queue[str]:
    """Lines of a child's output as they come, for the test to wait on one."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_sync_watch_runs_unattended_and_stops_cleanly_on_sigterm(
    data_dir: Path, server: RunningServer
) -> None:
    uuids = queue_complaints(data_dir, 2)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    environment[MACHINE_KEY_FILE_ENV] = os.environ[MACHINE_KEY_FILE_ENV]  # no user, no password
    command = [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir), "--lang", "en"]
    with subprocess.Popen(
        [*command, "sync", "--watch", "--interval", "3600"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=ROOT,
    ) as process:
        try:
            assert process.stdout is not None and process.stderr is not None
            lines = _lines(process.stdout)
            while "Sent: 2," not in (line := lines.get(timeout=WAIT_SECONDS)):
                assert "error" not in line.lower(), line
            assert line.startswith("idle, all sent")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=WAIT_SECONDS) == 0
            assert process.stderr.read() == ""
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert all(server.state.store.copies_of(u) == 1 for u in uuids)
    log = (DataPaths(data_dir).logs / "sync.log").read_text(encoding="utf-8")
    assert "trigger=start outcome=done" in log and log.rstrip().endswith("stopped")
    assert BOSS.password not in log and server.tokens["2104"] not in log


def test_sync_exits_0_only_when_nothing_is_left_that_a_sync_could_send(
    run: Run, data_dir: Path
) -> None:
    """A record another live sync process holds: this run cannot send it, so it is not done."""
    held, _free = queue_complaints(data_dir, 2)
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=PIPE)
    try:
        desk = open_desk(data_dir)
        try:
            assert desk.context.vault is not None
            holder = f"sync:K7QX@{socket.gethostname()[:16]}/{other.pid}/"
            store = SyncStore(desk.database, desk.context.vault, system_clock, owner="K7QX")
            [claimed] = store.claim(submissions(desk.context.vault), 1, owner=holder)
            assert claimed.client_uuid == held
        finally:
            desk.close()
        done = as_it(run, data_dir, "sync")
        assert done.code == ExitCode.SERVICE_UNAVAILABLE, done.stderr
        assert "Sent: 1," in done.stdout and "1 record(s) are still waiting" in done.stderr
        status = json.loads(as_it(run, data_dir, "sync-status", "--json").stdout)
        assert (status["pending"], status["sending"]) == (1, 1)
        desk = open_desk(data_dir)
        try:
            summary = DeskLink(desk.context, desk.paths.root).run_pass(
                Progress(), bring_forward=False
            )
        finally:
            desk.close()
        assert isinstance(summary, SyncSummary) and summary.outcome == Done()
        line = status_line(Output("en"), RunnerStatus(RunnerState.IDLE, summary, Done(), None, 1))
        assert line.startswith("idle, 1 waiting to be sent") and "all sent" not in line
    finally:
        other.communicate(b"")
    done = as_it(run, data_dir, "sync")  # its holder is gone: taken back and sent at once
    assert done.code == ExitCode.OK and "Sent: 1," in done.stdout
