"""The background runner over real loopback HTTP: network return, portal, nudges, its log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import queue
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services.context import Actor, system_clock
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings
from sync.adapters import CaptivePortal
from sync.device_token import store_token
from sync.engine import Backoff, EngineConfig
from sync.faultproxy import FaultPlan, FaultProxy
from sync.reference_server import RunningServer
from sync.runner import DeskLink, RunnerConfig, RunnerState, RunnerStatus, SyncRunner
from sync.sync_log import SyncLog
from tests.support import accounts
from tests.support.reference_server import running_reference_server
from tests.support.samples import valid_form
from tests.support.sync_engine import seen

WAIT_SECONDS = 30.0
"""Only a bound for a failing test; a passing one moves on at the event."""
FAST = RunnerConfig(
    idle_interval=3600.0,
    nudge_delay=0.0,
    probe_backoff=Backoff(base_seconds=0.05, cap_seconds=0.2),
    min_probe_interval=0.02,
)
NEVER_DUE_AGAIN = EngineConfig(backoff=Backoff(base_seconds=3600.0, random=lambda: 0.99))
"""Records deferred by a failure wait about an hour: only ``bring_forward`` sends them sooner."""


class Statuses:
    """Collects what the runner publishes, for the test thread to wait on."""

    def __init__(self) -> None:
        self._queue: queue.Queue[RunnerStatus] = queue.Queue()

    def __call__(self, status: RunnerStatus) -> None:
        self._queue.put(status)

    def wait_for(self, condition: Callable[[RunnerStatus], bool]) -> RunnerStatus:
        while True:
            try:
                status = self._queue.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                pytest.fail("the runner never reached the awaited state")
            if condition(status):
                return status
            if status.state is RunnerState.FAILED:
                assert status.problem is not None
                pytest.fail(status.problem.render("en"))


UNKNOWN_TO_SERVER = "2104-SETWAN"
"""An agency the desk knows but this test's server does not: its complaint is rejected there."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    bundled = load_bundled("21")
    reference = dataclasses.replace(
        bundled, agencies=tuple(a for a in bundled.agencies if a.code != UNKNOWN_TO_SERVER)
    )
    with running_reference_server(tmp_path / "server", reference=reference) as running:
        yield running


def configured_desk(tmp_path: Path, server: RunningServer, url: str | None = None) -> Desk:
    """A desk on the real clock, pointed at ``url`` (the server's own by default), token stored."""
    paths = DataPaths(tmp_path / "data").ensure()
    national = NationalServiceSettings(url or server.url, (server.public_key_text,))
    office = OfficeSettings("2104", "Kabupaten Lingga", national=national)
    desk = accounts.initialise_desk(paths, office, system_clock)
    store_token(paths.root, server.tokens["2104"])
    return desk


@pytest.fixture
def desk(tmp_path: Path, server: RunningServer) -> Iterator[Desk]:
    opened = configured_desk(tmp_path, server)
    yield opened
    opened.close()


@pytest.fixture
def clerk(desk: Desk) -> Actor:
    boss = accounts.sign_in_supervisor(desk)
    return accounts.add_user(desk, boss, "ani", Role.FRONT_DESK).actor


def queue_complaint(desk: Desk, clerk: Actor, **changes: object) -> str:
    recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    outcome = desk.intake.submit(valid_form(incident_date=recent, **changes), actor=clerk)
    assert outcome.queued, outcome
    return outcome.uuid


@pytest.fixture
def runners() -> Iterator[list[SyncRunner]]:
    started: list[SyncRunner] = []
    yield started
    for runner in started:
        runner.stop()


def start(
    desk: Desk, runners: list[SyncRunner], sync_log: SyncLog | None = None
) -> tuple[SyncRunner, Statuses]:
    link = DeskLink(desk.context, desk.paths.root, config=NEVER_DUE_AGAIN)
    runner = SyncRunner(link, clock=desk.context.clock, config=FAST, sync_log=sync_log)
    statuses = Statuses()
    runner.add_listener(statuses)
    runners.append(runner)
    return runner.start(), statuses


def _idle_after(passes: int) -> Callable[[RunnerStatus], bool]:
    return lambda s: s.state is RunnerState.IDLE and s.passes >= passes


def test_the_runner_syncs_on_its_own_when_the_network_returns(
    tmp_path: Path, server: RunningServer, runners: list[SyncRunner]
) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with FaultProxy("127.0.0.1", port, plan=FaultPlan(offline=True)) as proxy:
        desk = configured_desk(tmp_path, server, proxy.url)
        try:
            boss = accounts.sign_in_supervisor(desk)
            clerk = accounts.add_user(desk, boss, "ani", Role.FRONT_DESK).actor
            uuids = [queue_complaint(desk, clerk) for _ in range(2)]
            sync_log = SyncLog(desk.paths.logs)
            runner, statuses = start(desk, runners, sync_log)
            offline = statuses.wait_for(lambda s: s.state is RunnerState.OFFLINE)
            assert offline.last_summary is not None and offline.last_summary.sent == 0
            assert all(server.state.store.copies_of(u) == 0 for u in uuids)
            assert all(seen(desk, u).attempts == 1 for u in uuids)  # deferred for an hour

            proxy.set_plan(FaultPlan())  # the network returns; nobody asks for a sync
            done = statuses.wait_for(_idle_after(2))
            assert done.last_summary is not None and done.last_summary.sent == 2
            assert all(server.state.store.copies_of(u) == 1 for u in uuids)
            assert all(seen(desk, u).status == "sent" for u in uuids)
            runner.stop()
            sync_log.close()
            lines = (desk.paths.logs / "sync.log").read_text(encoding="utf-8").splitlines()
            assert any("outcome=offline" in line and "trigger=start" in line for line in lines)
            assert any(line.endswith(" network_returned") for line in lines)
            assert any("trigger=network_returned outcome=done" in line for line in lines)
        finally:
            desk.close()


def test_a_captive_portal_needs_a_person_and_the_runner_resumes_after_sign_in(
    desk: Desk, clerk: Actor, server: RunningServer, runners: list[SyncRunner]
) -> None:
    complaint = queue_complaint(desk, clerk)
    server.set_faults(captive_portal=True)
    _runner, statuses = start(desk, runners)
    portal = statuses.wait_for(lambda s: s.state is RunnerState.NEEDS_PERSON)
    assert portal.problem == CaptivePortal(200, "text/html").message
    assert portal.last_summary is not None and portal.last_summary.sent == 0
    assert seen(desk, complaint).status == "queued"

    server.set_faults(captive_portal=False)  # someone signed in to the hotspot
    done = statuses.wait_for(_idle_after(2))
    assert done.last_summary is not None and done.last_summary.sent == 1
    assert server.state.store.copies_of(complaint) == 1


def test_a_nudge_after_a_save_sends_it_without_waiting_for_the_timer(
    desk: Desk, clerk: Actor, server: RunningServer, runners: list[SyncRunner]
) -> None:
    runner, statuses = start(desk, runners)
    first = statuses.wait_for(_idle_after(1))
    assert first.last_summary is not None and first.last_summary.sent == 0
    assert first.next_try_in is not None and first.next_try_in > 60  # the timer is far away
    complaint = queue_complaint(desk, clerk)
    runner.nudge()
    after = statuses.wait_for(_idle_after(2))
    assert after.last_summary is not None and after.last_summary.sent == 1
    assert server.state.store.copies_of(complaint) == 1


def test_sync_now_runs_a_pass_at_once(
    desk: Desk, clerk: Actor, server: RunningServer, runners: list[SyncRunner]
) -> None:
    runner, statuses = start(desk, runners)
    statuses.wait_for(_idle_after(1))
    complaint = queue_complaint(desk, clerk)
    runner.sync_now()
    statuses.wait_for(_idle_after(2))
    assert server.state.store.copies_of(complaint) == 1


def test_a_busy_service_is_left_alone_until_its_retry_after(
    desk: Desk, clerk: Actor, server: RunningServer, runners: list[SyncRunner]
) -> None:
    complaint = queue_complaint(desk, clerk)
    server.set_faults(error_429_rate=1.0, retry_after_seconds=1800)
    runner, statuses = start(desk, runners)
    waiting = statuses.wait_for(lambda s: s.state is RunnerState.WAITING)
    assert waiting.next_try_in is not None and waiting.next_try_in > 1700
    runner.nudge()  # ignored while the server asked us to wait
    runner.sync_now()  # a person's request, too, waits for the server's time
    assert runner.status().state is RunnerState.WAITING
    runner.stop()
    assert runner.status().state is RunnerState.STOPPED
    posts = [r for r in server.requests() if r.path == "/v1/complaints:batch"]
    assert len(posts) == 1 and server.state.store.copies_of(complaint) == 0


def test_stop_cancels_and_joins_and_tells_the_listeners(
    desk: Desk, runners: list[SyncRunner]
) -> None:
    runner, statuses = start(desk, runners)
    statuses.wait_for(_idle_after(1))
    runner.stop()
    statuses.wait_for(lambda s: s.state is RunnerState.STOPPED)
    assert runner.progress().cancelled


def test_a_listener_that_fails_does_not_stop_synchronisation(
    desk: Desk, clerk: Actor, server: RunningServer, runners: list[SyncRunner]
) -> None:
    def broken(status: RunnerStatus) -> None:
        raise RuntimeError("a bug in a listener")

    link = DeskLink(desk.context, desk.paths.root)
    runner = SyncRunner(link, clock=desk.context.clock, config=FAST)
    runner.add_listener(broken)
    statuses = Statuses()
    runner.add_listener(statuses)
    runners.append(runner.start())
    statuses.wait_for(_idle_after(1))
    complaint = queue_complaint(desk, clerk)
    runner.sync_now()
    statuses.wait_for(_idle_after(2))
    assert server.state.store.copies_of(complaint) == 1


def test_an_unconfigured_desk_says_so_and_keeps_waiting(
    tmp_path: Path, runners: list[SyncRunner]
) -> None:
    paths = DataPaths(tmp_path / "bare").ensure()
    desk = accounts.initialise_desk(paths, OfficeSettings("2104", "Lingga"), system_clock)
    try:
        runner, statuses = start(desk, runners)
        status = statuses.wait_for(lambda s: s.state is RunnerState.NOT_CONFIGURED)
        assert status.problem is not None and "national service" in status.problem.render("en")
        assert status.passes == 0
    finally:
        runner.stop()
        desk.close()


def test_the_sync_log_holds_no_personal_data_and_no_token(
    desk: Desk, clerk: Actor, server: RunningServer, runners: list[SyncRunner]
) -> None:
    people = [
        ("Siti Aminah", "2104014508900001", "081234567890", "siti.aminah@example.id"),
        ("Rahmat Hidayat", "2104011203850002", "081377788899", "rahmat.h@example.id"),
    ]
    for name, nik, phone, email in people:
        queue_complaint(desk, clerk, full_name=name, nik=nik, phone=phone, email=email)
    queue_complaint(
        desk, clerk, agency_code=UNKNOWN_TO_SERVER
    )  # rejected: its reason is not logged
    sync_log = SyncLog(desk.paths.logs)
    runner, statuses = start(desk, runners, sync_log)
    done = statuses.wait_for(_idle_after(1))
    assert done.last_summary is not None and done.last_summary.sent >= 2
    runner.stop()
    sync_log.close()
    text = (desk.paths.logs / "sync.log").read_text(encoding="utf-8")
    assert "outcome=done" in text and "sent=" in text and "clock_offset_s=" in text
    secrets = [server.tokens["2104"], "Jalan rusak", "Daik", "Merdeka", UNKNOWN_TO_SERVER]
    for name, nik, phone, email in people:
        secrets += [*name.split(), nik, phone, phone[1:], email]
    for secret in secrets:
        assert secret not in text, secret
