"""Faults of a shared desk with a real PostgreSQL server of the test's own (issue 20 item 6).

The server's postmaster and backends are killed with SIGKILL in the middle
of saves, of a replay and of sync passes (claims and recordings); a
workstation process is killed while it spools.
Each time: every complaint that was reported saved is in the office database
exactly once after the replay, with the number its receipt shows.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from lapor_desktop.desk import Desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.intake import SaveOutcome
from lapor_desktop.services.outbox import SUBMISSION_KINDS
from lapor_desktop.services.spool_replay import replay
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import ComplainantIdentity, Complaint, OutboxEntry
from sync.adapters import LaporV1Adapter
from sync.faultproxy import FaultProxy
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.private_postgres import PrivateServer, private_server
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE, valid_form
from tests.support.sync_engine import engine_for, queue, seen

pytestmark = pytest.mark.postgres


@pytest.fixture
def server() -> Iterator[PrivateServer]:
    try:
        with private_server() as running:
            yield running
    except FileNotFoundError:
        pytest.skip("PostgreSQL server binaries not installed (.ci/run installs them)")


@pytest.fixture
def shared(
    data_paths: DataPaths, clock: FakeClock, office: OfficeSettings, server: PrivateServer
) -> Iterator[Desk]:
    desk = accounts.initialise_desk(data_paths, office, clock, server.url)
    yield desk
    desk.close()


def _wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _office_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Complaint)).scalar_one())
    finally:
        engine.dispose()


def _assert_in_office_once(desk: Desk, numbers: dict[str, str | None]) -> None:
    """Each UUID once, whole (identity and one submission), under its receipt's number."""
    assert desk.spool is not None and desk.spool.waiting() == []
    with desk.database.read() as session:
        rows = dict(session.execute(select(Complaint.uuid, Complaint.registration_number)).all())
        identities = session.scalar(select(func.count()).select_from(ComplainantIdentity))
        submissions = session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.kind.in_(SUBMISSION_KINDS))
        )
    assert rows == numbers
    assert identities == submissions == len(numbers)


def test_the_server_killed_in_the_middle_of_saves_loses_and_doubles_nothing(
    shared: Desk, server: PrivateServer
) -> None:
    actor = accounts.sign_in_supervisor(shared).actor
    outcomes: list[SaveOutcome] = []

    def save_all() -> None:
        for n in range(40):
            outcomes.append(shared.intake.submit(valid_form(title=f"Pengaduan {n}"), actor=actor))

    saving = threading.Thread(target=save_all)
    saving.start()
    _wait_for(lambda: len(outcomes) >= 10)
    server.kill()
    saving.join(timeout=120)
    assert len(outcomes) == 40 and all(o.queued for o in outcomes)
    spooled = [o for o in outcomes if o.spooled]
    assert 0 < len(spooled) < 40, "some saves reached the office database, the rest the spool"
    server.start()
    report = replay(shared.spool, shared.context)  # type: ignore[arg-type]
    assert not report.away and report.waiting == 0
    _assert_in_office_once(shared, {o.uuid: o.registration_number for o in outcomes})


def test_the_server_killed_during_a_replay_resumes_after_its_restart(
    shared: Desk, server: PrivateServer
) -> None:
    spool = shared.spool
    assert spool is not None
    actor = accounts.sign_in_supervisor(shared).actor
    server.kill()
    outcomes = [
        shared.intake.submit(valid_form(title=f"Pengaduan {n}"), actor=actor) for n in range(60)
    ]
    assert all(o.spooled for o in outcomes)
    server.start()
    killer = threading.Thread(
        target=lambda: (_wait_for(lambda: _office_count(server.url) >= 5), server.kill())
    )
    killer.start()
    first = replay(spool, shared.context)
    killer.join()
    assert first.away and 0 < first.waiting < 60
    server.start()
    second = replay(spool, shared.context)
    assert not second.away and second.waiting == 0
    _assert_in_office_once(shared, {o.uuid: o.registration_number for o in outcomes})


_SPOOLING_SCRIPT = """
import sys
from pathlib import Path
from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DataPaths
from tests.support import accounts
from tests.support.samples import OFFICE_CODE, valid_form
from tests.support.sync_engine import engine_for, queue, seen
desk = open_desk(DataPaths(Path(sys.argv[1])), database_url=sys.argv[2],
                 account_factory=accounts.cheap_accounts)
actor = accounts.sign_in_supervisor(desk).actor
print("ready", flush=True)
sys.stdin.readline()  # the test stops the server, then says go
n = 0
while True:
    outcome = desk.intake.submit(valid_form(title=f"Pengaduan {n}"), actor=actor)
    assert outcome.spooled, outcome
    print(outcome.uuid, outcome.registration_number, flush=True)
    n += 1
"""


def test_a_workstation_killed_while_spooling_keeps_every_reported_save(
    shared: Desk, server: PrivateServer, data_paths: DataPaths
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _SPOOLING_SCRIPT, str(data_paths.root), server.url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    reported: dict[str, str | None] = {}
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        server.kill()
        child.stdin.write("go\n")
        child.stdin.flush()
        while len(reported) < 15:
            uuid, number = child.stdout.readline().split()
            reported[uuid] = number
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        rest = child.stdout.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    for line in rest.splitlines():
        uuid, number = line.split()
        reported[uuid] = number
    assert child.returncode == -signal.SIGKILL
    server.start()
    spool = shared.spool
    assert spool is not None
    spooled = {w.uuid: w.registration_number for w in spool.waiting()}
    assert reported.items() <= spooled.items()
    assert len(spooled) - len(reported) <= 1, "at most the save the kill cut, whole or absent"
    report = replay(spool, shared.context)
    assert not report.away and report.waiting == 0
    _assert_in_office_once(shared, spooled)


def test_the_server_killed_during_sync_claims_sends_each_complaint_once(
    shared: Desk, server: PrivateServer, tmp_path: Path, clock: FakeClock
) -> None:
    actor = accounts.sign_in_supervisor(shared).actor
    uuids = [queue(shared, actor, title=f"Pengaduan nomor {n}") for n in range(60)]
    with (
        running_reference_server(tmp_path / "national", clock=clock) as national,
        FaultProxy(
            "127.0.0.1", int(national.url.rsplit(":", 1)[1])
        ) as slow,  # an island's link: passes take a while
        requests.Session() as session,
    ):
        slow.update_plan(latency_up_ms=40.0, latency_down_ms=40.0)
        adapter = LaporV1Adapter(
            session,
            slow.url,
            trusted_keys=[national.public_key],
            token=national.tokens[OFFICE_CODE],
            clock=clock,
        )

        def received() -> int:
            return sum(national.state.store.copies_of(u) for u in uuids)

        ended: list[object] = []

        def sync_until_it_breaks() -> None:
            try:
                while received() < len(uuids):
                    ended.append(engine_for(shared, adapter, clock, batch_size=5).run_once())
            except Exception as error:  # the database died under the pass: what a runner sees
                ended.append(error)

        syncing = threading.Thread(target=sync_until_it_breaks)
        syncing.start()
        _wait_for(lambda: received() >= 10)
        server.kill()
        syncing.join(timeout=120)
        assert received() < len(uuids), "the kill landed in the middle of the sync"
        server.start()
        clock.advance(minutes=10)  # past the lease of the pass that died
        for _ in range(30):
            engine_for(shared, adapter, clock, batch_size=50).run_once()
            if all(seen(shared, u).outbox_state == "done" for u in uuids):
                break
            clock.advance(minutes=10)
        assert [national.state.store.copies_of(u) for u in uuids] == [1] * len(uuids)
        assert {seen(shared, u).sync_state for u in uuids} == {"sent"}
