"""Hypothesis drives the engine through saves, syncs, faults, kills and pulls against a model.

The model is what the national service should hold: every complaint saved,
at most once, and (after a clean sync with the backoff and leases elapsed)
exactly once, with the desk's receipt, tracking ID and national status
agreeing with the server. The server runs in its non-deduplicating mode, so
any blind resend shows as a second copy.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import OfficeSettings
from sync.adapters import LaporV1Adapter
from sync.engine import Done, SyncEngine
from sync.faultproxy import FaultPlan, FaultProxy
from sync.protocol.messages import Receipt, SubmissionItem
from sync.protocol.receipts import ReceiptVerifier
from sync.reference_server import RunningServer, ServerConfig, WorkflowTimings, start_in_thread
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.samples import OFFICE_CODE, OFFICE_NAME
from tests.support.sync_engine import engine_for, queue, seen, store_for

SETTLE = dt.timedelta(hours=3)
"""Longer than any backoff the faults below can build up and than a lease."""
FAULTS = {
    "drop-after-commit": {},
    "500": {"error_500_rate": 1.0},
    "503": {"error_503_rate": 1.0, "retry_after_seconds": 30},
    "429": {"error_429_rate": 1.0, "retry_after_seconds": 90},
    "captive-portal": {"captive_portal": True},
    "revoked-token": {"revoked_tokens": True},
    "500-after-commit": {"error_500_after_commit_rate": 1.0},
}
CLEAR = {
    "error_500_rate": 0.0,
    "error_503_rate": 0.0,
    "error_429_rate": 0.0,
    "captive_portal": False,
    "revoked_tokens": False,
    "error_500_after_commit_rate": 0.0,
}


class World:
    """One example's national side: a reference server, the proxy before it, a clock."""

    def __init__(self, folder: Path) -> None:
        self.clock = FakeClock(dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC))
        timings = WorkflowTimings.uniform(dt.timedelta(minutes=20))
        config = ServerConfig(data_dir=folder, clock=self.clock, timings=timings)
        self.server = start_in_thread(config)
        self.server.set_faults(deduplicate=False)
        self.proxy = FaultProxy("127.0.0.1", int(self.server.url.rsplit(":", 1)[1]), seed=5)
        self.proxy.start()
        self.session = requests.Session()

    def adapter(self) -> LaporV1Adapter:
        return LaporV1Adapter(
            self.session,
            self.proxy.url,
            trusted_keys=[self.server.public_key],
            token=self.server.tokens[OFFICE_CODE],
            clock=self.clock,
            timeout=(2.0, 5.0),
        )

    def close(self) -> None:
        self.session.close()
        self.proxy.stop()
        self.server.stop()


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._folder = tempfile.TemporaryDirectory(prefix="lapor-stateful-")
        self.world = World(Path(self._folder.name) / "national")
        paths = DataPaths(Path(self._folder.name) / "data").ensure()
        office = OfficeSettings(office_code=OFFICE_CODE, office_name=OFFICE_NAME)
        self.desk = accounts.initialise_desk(paths, office, self.world.clock)
        boss = accounts.sign_in_supervisor(self.desk)
        self.clerk: Actor = accounts.add_user(self.desk, boss, "ani", Role.FRONT_DESK).actor
        self.engine = self._new_engine()
        self.saved: list[str] = []

    def _new_engine(self) -> SyncEngine:
        return engine_for(self.desk, self.world.adapter(), self.world.clock, batch_size=4)

    @property
    def store(self) -> RunningServer:
        return self.world.server

    @initialize(count=st.integers(1, 6))
    def a_backlog(self, count: int) -> None:
        """An office that was offline: a few complaints are waiting before the first sync."""
        for n in range(count):
            self.save(urgent=n == 0)

    @rule(urgent=st.booleans())
    def save(self, urgent: bool) -> None:
        self.saved.append(queue(self.desk, self.clerk, urgent=urgent))

    @rule()
    def sync(self) -> None:
        self.engine.run_once()

    @rule(fault=st.sampled_from(sorted(FAULTS)))
    def sync_through_a_fault(self, fault: str) -> None:
        if fault == "drop-after-commit":
            self.world.proxy.set_plan(FaultPlan(drop_response_probability=1.0))
        else:
            self.world.server.set_faults(**FAULTS[fault])
        try:
            summary = self.engine.run_once()
        finally:
            self.world.server.set_faults(**CLEAR)
            self.world.proxy.set_plan(FaultPlan())
        assert summary.sent + summary.already_present <= len(self.saved)

    @rule(seconds=st.integers(1, 4000))
    def time_passes(self, seconds: int) -> None:
        self.world.clock.advance(seconds=seconds)

    @rule()
    def restart_the_engine(self) -> None:
        """A new process: nothing kept in memory (batch size, session, backoff draws)."""
        self.engine = self._new_engine()

    @precondition(lambda self: self.saved)
    @rule(count=st.integers(1, 4), delivered=st.booleans())
    def a_worker_dies_holding_leases(self, count: int, delivered: bool) -> None:
        """Another sync process claims a batch, maybe sends it, and dies before recording.

        Like a real engine it sends only what needs no look-up first: a record whose earlier
        lease expired (its holder died, perhaps mid-send) is never sent blind.
        """
        dead = store_for(self.desk, self.world.clock, owner="ws-killed")
        claimed = [c for c in dead.claim_submissions(count) if not c.needs_lookup]
        if delivered and claimed:
            items = [SubmissionItem(c.client_uuid, c.content_hash, c.content) for c in claimed]
            self.world.adapter().submit_batch(items)

    @rule()
    def settle(self) -> None:
        """Faults over, backoffs and leases elapsed: one clean pass must reconcile everything."""
        self.world.clock.advance(seconds=SETTLE.total_seconds())
        summary = self.engine.run_once()
        assert summary.outcome == Done(), summary
        for complaint_uuid in self.saved:
            state = seen(self.desk, complaint_uuid)
            held = self.store.state.store.lookup(complaint_uuid)
            assert held is not None, f"lost {complaint_uuid}"
            assert state.outbox_state == "done" and state.receipt is not None
            assert state.tracking_id == held.tracking_id
            assert state.status == held.status  # the national status came down the feed

    @invariant()
    def nothing_twice_nothing_unknown_every_receipt_true(self) -> None:
        if not hasattr(self, "saved"):
            return
        store = self.store.state.store
        assert store.summary()["duplicated"] == []
        verifier = ReceiptVerifier([self.store.public_key])
        for complaint_uuid in self.saved:
            state = seen(self.desk, complaint_uuid)
            assert state.outbox_state in ("pending", "done"), state.last_error
            if state.outbox_state != "done":
                continue
            held = store.lookup(complaint_uuid)
            assert held is not None and state.receipt is not None
            receipt = Receipt(
                client_uuid=str(state.receipt["client_uuid"]),
                content_hash=str(state.receipt["content_hash"]),
                tracking_id=str(state.receipt["tracking_id"]),
                server_time=dt.datetime.fromisoformat(str(state.receipt["server_time"])),
                key_id=str(state.receipt["key_id"]),
                signature=str(state.receipt["signature"]),
            )
            assert verifier.verify(receipt)
            assert receipt.tracking_id == held.tracking_id == state.tracking_id

    def teardown(self) -> None:
        self.desk.close()
        self.world.close()
        self._folder.cleanup()


def test_the_engine_never_loses_or_duplicates_whatever_happens() -> None:
    EngineMachine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    EngineMachine.TestCase().runTest()
