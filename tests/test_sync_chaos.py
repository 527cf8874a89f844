"""Chaos: the sync process SIGKILLed at random moments, the server restarted, the link breaking.

At the end nothing is lost, nothing is stored twice, every complaint holds a
receipt that verifies with the server's key, and both databases pass
``PRAGMA integrity_check``. The seed is printed; ``LAPOR_CHAOS_SEED=N``
replays a run. The default size suits CI; the size of the issue (2,000
complaints, 100 kills, 20 restarts) is::

    LAPOR_CHAOS_FULL=1 .venv/bin/pytest -s -p no:cacheprovider tests/test_sync_chaos.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from lapor_desktop import app
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor, system_clock
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings
from lapor_desktop.storage.models import Complaint, OutboxEntry
from sync.device_token import store_token
from sync.faultproxy import Fault, FaultPlan, FaultProxy
from sync.protocol.messages import Receipt
from sync.protocol.receipts import ReceiptVerifier
from sync.reference_server import Faults, RunningServer, ServerConfig, start_in_thread
from sync.reference_server.state import DATABASE_FILE
from tests.support import accounts
from tests.support.samples import OFFICE_CODE, valid_form

ROOT = Path(__file__).resolve().parent.parent
FULL = os.environ.get("LAPOR_CHAOS_FULL") == "1"
COMPLAINTS = 2000 if FULL else 300
KILLS = 100 if FULL else 10
RESTARTS = 20 if FULL else 3
BATCH = 20
"""Small batches: several per round, so kills land between and inside them."""
SETTLE_SECONDS = 300 if FULL else 120
"""How long the last, unkilled worker may take to empty the queue once the faults stop."""


def _seed() -> int:
    chosen = os.environ.get("LAPOR_CHAOS_SEED")
    return int(chosen) if chosen else random.SystemRandom().randrange(2**31)


@dataclasses.dataclass
class Tally:
    kills: int = 0
    restarts: int = 0
    plans: Counter[str] = dataclasses.field(default_factory=Counter)
    passes: Counter[str] = dataclasses.field(default_factory=Counter)

    def note_passes(self, output: str) -> None:
        for line in output.splitlines():
            if line.startswith("{"):
                self.passes[json.loads(line)["outcome"]] += 1


class Service:
    """The reference server behind the fault proxy; restarts keep its folder (store and keys)."""

    def __init__(self, folder: Path, faults: Faults, seed: int) -> None:
        self._folder = folder
        self._faults = faults
        self._seed = seed
        self.server = self._start(0)
        self._lookups_before = 0
        self.proxy = FaultProxy("127.0.0.1", self._port(), seed=seed).start()

    def _start(self, generation: int) -> RunningServer:
        config = ServerConfig(
            data_dir=self._folder, faults=self._faults, seed=self._seed + generation
        )
        return start_in_thread(config)

    def _port(self) -> int:
        return int(self.server.url.rsplit(":", 1)[1])

    @property
    def lookups(self) -> int:
        """Look-ups by UUID the server answered, over every restart: ambiguity was resolved."""
        now = sum(1 for r in self.server.requests() if r.path.startswith("/v1/complaints/"))
        return self._lookups_before + now

    def restart(self, generation: int) -> None:
        self._lookups_before = self.lookups
        self.server.stop()
        self.server = self._start(generation)
        self.proxy.set_upstream("127.0.0.1", self._port())

    def calm(self) -> None:
        self.proxy.set_plan(FaultPlan())
        self.server.set_faults(
            error_500_rate=0.0, error_503_rate=0.0, error_500_after_commit_rate=0.0
        )

    def close(self) -> None:
        self.proxy.stop()
        self.server.stop()


def _plan(rng: random.Random, drop_after_commit: float) -> tuple[str, FaultPlan]:
    """One round's link: clean, slow, resetting mid-body, or refusing; drops are always armed."""
    choice = rng.choice(["clean", "slow", "cut", "reset", "flaky"])
    plans = {
        "clean": FaultPlan(),
        "slow": FaultPlan(latency_up_ms=15, latency_down_ms=15, bandwidth_up=400_000),
        "cut": FaultPlan(cut_upload_after_bytes=rng.randint(300, 30_000)),
        "reset": FaultPlan(reset_new_connections=True),
        "flaky": FaultPlan(drop_response_probability=0.3),
    }
    plan = plans[choice]
    if drop_after_commit and choice != "flaky":
        plan = dataclasses.replace(plan, drop_response_probability=drop_after_commit)
    return choice, plan


def _worker(data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.support.sync_worker", str(data_dir)]
    return subprocess.Popen(
        [*command, "--batch-size", str(BATCH), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after(data_dir: Path, seconds: float, tally: Tally) -> None:
    child = _worker(data_dir)
    assert child.stdout is not None
    ready = child.stdout.readline()
    if ready.strip() != "ready":
        _out, err = child.communicate(timeout=30)
        pytest.fail(f"the sync worker did not start: {err}")
    time.sleep(seconds)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err
    tally.kills += 1
    tally.note_passes(out)


def _settle(data_dir: Path, tally: Tally) -> None:
    child = _worker(data_dir, "--until-empty")
    try:
        out, err = child.communicate(timeout=SETTLE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"the queue did not empty once the faults stopped; last passes: {out[-800:]}")
    assert child.returncode == 0, err
    tally.note_passes(out)


@pytest.fixture
def seed() -> int:
    chosen = _seed()
    print(f"\nchaos seed: {chosen} (replay with LAPOR_CHAOS_SEED={chosen})")
    return chosen


def _open_desk(data_paths: DataPaths, service: Service) -> tuple[app.Desk, Actor]:
    national = NationalServiceSettings(service.proxy.url, (service.server.public_key_text,))
    office = OfficeSettings(OFFICE_CODE, "Pemerintah Kabupaten Lingga", national=national)
    desk = accounts.initialise_desk(data_paths, office, system_clock)
    store_token(data_paths.root, service.server.tokens[OFFICE_CODE])
    return desk, accounts.sign_in_supervisor(desk).actor


def _save(desk: app.Desk, actor: Actor, count: int, start: int) -> list[str]:
    uuids = []
    for n in range(start, start + count):
        form = valid_form(title=f"Keluhan nomor {n} tentang air bersih", urgent=n % 17 == 0)
        outcome = desk.intake.submit(form, actor=actor)
        assert outcome.queued, outcome
        uuids.append(outcome.uuid)
    return uuids


def _chaos(
    desk: app.Desk, actor: Actor, service: Service, seed: int, drop_after_commit: float
) -> tuple[list[str], Tally]:
    """Save in instalments while workers are killed, the server restarted, the link broken."""
    rng = random.Random(seed)
    tally = Tally()
    restart_at = set(rng.sample(range(1, KILLS), RESTARTS))
    per_round = [COMPLAINTS // KILLS + (1 if i < COMPLAINTS % KILLS else 0) for i in range(KILLS)]
    saved: list[str] = []
    for round_no, count in enumerate(per_round):
        saved += _save(desk, actor, count, len(saved))
        if round_no in restart_at:
            tally.restarts += 1
            service.restart(tally.restarts)
        name, plan = _plan(rng, drop_after_commit)
        tally.plans[name] += 1
        service.proxy.set_plan(plan)
        _kill_after(desk.paths.root, rng.uniform(0.0, 1.5), tally)
    service.calm()
    _settle(desk.paths.root, tally)
    return saved, tally


def _receipt(stored: dict[str, object]) -> Receipt:
    return Receipt(
        client_uuid=str(stored["client_uuid"]),
        content_hash=str(stored["content_hash"]),
        tracking_id=str(stored["tracking_id"]),
        server_time=dt.datetime.fromisoformat(str(stored["server_time"])),
        key_id=str(stored["key_id"]),
        signature=str(stored["signature"]),
    )


def _assert_exactly_once(desk: app.Desk, service: Service, saved: list[str]) -> None:
    store = service.server.state.store
    summary = store.summary()
    held = {client_uuid: content_hash for client_uuid, content_hash, _ in store.stored_contents()}
    lost = set(saved) - set(held)
    assert not lost, f"lost {len(lost)}"
    assert (summary["extra_copies"], summary["duplicated"]) == (0, []), "duplicated"
    assert summary["complaints"] == len(saved)
    verifier = ReceiptVerifier([service.server.public_key])
    with desk.database.read() as session:
        rows = session.execute(
            select(Complaint, OutboxEntry.state).join(
                OutboxEntry, OutboxEntry.complaint_id == Complaint.id
            )
        ).all()
        assert len(rows) == len(saved)
        for complaint, outbox_state in rows:
            assert outbox_state == "done", (complaint.uuid, outbox_state)
            assert complaint.receipt is not None, complaint.uuid
            receipt = _receipt(complaint.receipt)
            assert verifier.verify(receipt), complaint.uuid
            found = store.lookup(complaint.uuid)
            assert found is not None
            assert (receipt.client_uuid, receipt.content_hash, receipt.tracking_id) == (
                complaint.uuid,
                held[complaint.uuid],
                found.tracking_id,
            )
            assert complaint.tracking_id == found.tracking_id
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert audit.verify(desk.database).intact
    with sqlite3.connect(service.server.state.config.data_dir / DATABASE_FILE) as server_db:
        assert server_db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.fixture
def service_folder(tmp_path: Path) -> Path:
    return tmp_path / "national"


def _report(
    label: str, service: Service, seed: int, saved: list[str], tally: Tally, started: float
) -> None:
    print(
        f"{label}: seed {seed}, {len(saved)} complaints, {tally.kills} kills, "
        f"{tally.restarts} server restarts, {time.monotonic() - started:.1f} s, "
        f"{service.lookups} look-ups; "
        f"link plans {dict(tally.plans)}; passes seen {dict(tally.passes)}"
    )


@pytest.fixture
def chaos_service(service_folder: Path, seed: int) -> Iterator[Service]:
    faults = Faults(error_500_rate=0.02, error_503_rate=0.02, retry_after_seconds=0)
    faults = dataclasses.replace(faults, error_500_after_commit_rate=0.02)
    service = Service(service_folder, faults, seed)
    yield service
    service.close()


def test_sigkills_restarts_and_resets_lose_nothing_and_duplicate_nothing(
    data_paths: DataPaths, chaos_service: Service, seed: int
) -> None:
    started = time.monotonic()
    desk, actor = _open_desk(data_paths, chaos_service)
    try:
        saved, tally = _chaos(desk, actor, chaos_service, seed, drop_after_commit=0.0)
        _report("chaos", chaos_service, seed, saved, tally, started)
        assert chaos_service.proxy.stats().errors == 0
        assert chaos_service.lookups > 0, "no kill or fault left anything ambiguous"
        assert tally.kills == KILLS and tally.restarts == RESTARTS
        _assert_exactly_once(desk, chaos_service, saved)
    finally:
        desk.close()


@pytest.fixture
def non_dedup_service(service_folder: Path, seed: int) -> Iterator[Service]:
    service = Service(service_folder, Faults(deduplicate=False), seed)
    yield service
    service.close()


def test_a_non_deduplicating_server_with_responses_dropped_after_commit_gets_no_duplicate(
    data_paths: DataPaths, non_dedup_service: Service, seed: int
) -> None:
    started = time.monotonic()
    desk, actor = _open_desk(data_paths, non_dedup_service)
    try:
        saved, tally = _chaos(desk, actor, non_dedup_service, seed, drop_after_commit=0.2)
        _report("non-deduplicating", non_dedup_service, seed, saved, tally, started)
        assert non_dedup_service.proxy.stats().count(Fault.DROP_RESPONSE) > 0
        _assert_exactly_once(desk, non_dedup_service, saved)
    finally:
        desk.close()
