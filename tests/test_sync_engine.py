"""One sync pass over real loopback HTTP against the reference server (and the fault proxy)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lapor_desktop.desk import Desk
from lapor_desktop.domain.status import NATIONAL_STATES, Status, SyncState
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services.context import Actor
from sync.adapters import CaptivePortal, LaporV1Adapter, RetryLater, Unauthorized
from sync.engine import AuthProblem, Done, NeedsSignIn, Offline, ServiceUnavailable
from sync.engine.puller import CURSOR_KEY
from sync.faultproxy import FaultProxy
from sync.protocol.messages import BatchResponse, ComplaintRecord, Receipt
from sync.protocol.receipts import ReceiptVerifier
from sync.reference_server import RunningServer, ServerLimits, WorkflowTimings
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server, sample_item
from tests.support.sync_engine import engine_for, queue, seen, store_for

STEP = dt.timedelta(seconds=10)
UNKNOWN_TO_SERVER = "2104-SETWAN"
"""An agency the desk knows but this test's server does not: its complaint is rejected there."""


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    bundled = load_bundled("21")
    reference = dataclasses.replace(
        bundled, agencies=tuple(a for a in bundled.agencies if a.code != UNKNOWN_TO_SERVER)
    )
    timings = WorkflowTimings.uniform(STEP)
    with running_reference_server(
        tmp_path / "server", clock=clock, timings=timings, reference=reference
    ) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


@pytest.fixture
def adapter(server: RunningServer, session: requests.Session, clock: FakeClock) -> LaporV1Adapter:
    return adapter_for(server, session, clock=clock)


def _posts(server: RunningServer) -> int:
    return sum(1 for r in server.requests() if r.path == "/v1/complaints:batch")


def _receipt(stored: dict[str, object]) -> Receipt:
    return Receipt(
        client_uuid=str(stored["client_uuid"]),
        content_hash=str(stored["content_hash"]),
        tracking_id=str(stored["tracking_id"]),
        server_time=dt.datetime.fromisoformat(str(stored["server_time"])),
        key_id=str(stored["key_id"]),
        signature=str(stored["signature"]),
    )


def test_queued_complaints_become_sent_with_verified_receipts(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    uuids = [queue(sqlite_desk, sqlite_clerk), queue(sqlite_desk, sqlite_clerk, urgent=True)]
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert (summary.sent, summary.already_present, summary.rejected) == (2, 0, 0)
    assert isinstance(summary.outcome, Done)
    assert summary.clock_offset == dt.timedelta(0)
    verifier = ReceiptVerifier([server.public_key])
    for complaint_uuid in uuids:
        state = seen(sqlite_desk, complaint_uuid)
        assert (state.status, state.sync_state, state.outbox_state) == ("sent", "sent", "done")
        assert state.events[-1] == ("sent", "local")
        assert state.receipt is not None and state.lease_owner is None
        receipt = _receipt(state.receipt)
        assert verifier.verify(receipt) and receipt.tracking_id == state.tracking_id
        assert server.state.store.copies_of(complaint_uuid) == 1
    again = engine_for(sqlite_desk, adapter, clock).run_once()
    assert (again.sent, _posts(server)) == (0, 1)


def test_a_rejected_complaint_is_quarantined_and_the_others_still_go(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    good = [queue(sqlite_desk, sqlite_clerk) for _ in range(2)]
    bad = queue(sqlite_desk, sqlite_clerk, agency_code=UNKNOWN_TO_SERVER, urgent=True)
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert (summary.sent, summary.rejected, summary.conflicts) == (2, 1, 0)
    assert isinstance(summary.outcome, Done)
    state = seen(sqlite_desk, bad)
    assert (state.outbox_state, state.sync_state, state.status) == (
        "quarantined",
        SyncState.QUARANTINED.value,
        "queued",
    )
    assert "agency_code" in state.last_error and state.receipt is None
    assert all(seen(sqlite_desk, u).status == "sent" for u in good)
    assert server.state.store.copies_of(bad) == 0


def test_a_response_dropped_after_commit_is_looked_up_not_resent_on_a_non_dedup_server(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    server.set_faults(deduplicate=False)
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    port = int(server.url.rsplit(":", 1)[1])
    with FaultProxy("127.0.0.1", port) as proxy:
        adapter = LaporV1Adapter(
            session, proxy.url, trusted_keys=[server.public_key], token=server.tokens["2104"]
        )
        engine = engine_for(sqlite_desk, adapter, clock)
        proxy.drop_next_response()
        first = engine.run_once()
        assert isinstance(first.outcome, Offline) and first.sent == 0
        assert first.outcome.retry_at is not None
        state = seen(sqlite_desk, complaint_uuid)
        assert (state.status, state.outbox_state, state.attempts) == ("queued", "pending", 1)
        assert state.needs_lookup
        assert server.state.store.copies_of(complaint_uuid) == 1  # it did arrive
        assert engine.run_once().already_present == 0  # backoff: not due yet
        clock.current = first.outcome.retry_at
        second = engine.run_once()
    assert (second.sent, second.already_present) == (0, 1)
    assert isinstance(second.outcome, Done)
    assert server.state.store.copies_of(complaint_uuid) == 1
    assert server.state.store.summary()["duplicated"] == []
    assert _posts(server) == 1
    state = seen(sqlite_desk, complaint_uuid)
    assert (state.status, state.outbox_state, state.needs_lookup) == ("sent", "done", False)
    assert state.receipt is not None
    assert ReceiptVerifier([server.public_key]).verify(_receipt(state.receipt))


def test_429_with_retry_after_backs_off_until_then(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    server.set_faults(error_429_rate=1.0, retry_after_seconds=30)
    engine = engine_for(sqlite_desk, adapter, clock)
    started = clock()
    first = engine.run_once()
    assert isinstance(first.outcome, ServiceUnavailable)
    assert first.outcome.failure == RetryLater(429, 30.0)
    assert first.outcome.retry_at == started + dt.timedelta(seconds=30)
    server.set_faults(error_429_rate=0.0)
    clock.advance(seconds=29)
    assert engine.run_once().sent == 0 and _posts(server) == 1
    state = seen(sqlite_desk, complaint_uuid)
    assert (state.attempts, state.outbox_state, state.last_error) == (
        1,
        "pending",
        "RetryLater 429",
    )
    clock.advance(seconds=1)
    assert engine.run_once().sent == 1 and _posts(server) == 2


def test_a_revoked_token_is_an_auth_problem_and_is_not_retried(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    server.set_faults(revoked_tokens=True)
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert isinstance(summary.outcome, AuthProblem)
    assert isinstance(summary.outcome.failure, Unauthorized)
    assert summary.needs_person and _posts(server) == 1
    state = seen(sqlite_desk, complaint_uuid)
    assert (state.outbox_state, state.attempts, state.lease_owner) == ("pending", 0, None)


def test_a_captive_portal_is_never_success(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    server.set_faults(captive_portal=True)
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert isinstance(summary.outcome, NeedsSignIn)
    assert isinstance(summary.outcome.failure, CaptivePortal)
    assert summary.sent == 0 and summary.needs_person
    state = seen(sqlite_desk, complaint_uuid)
    assert (state.status, state.outbox_state, state.receipt) == ("queued", "pending", None)
    server.set_faults(captive_portal=False)
    assert engine_for(sqlite_desk, adapter, clock).run_once().sent == 1


def test_an_unreachable_service_is_offline_not_an_error(
    sqlite_desk: Desk, sqlite_clerk: Actor, session: requests.Session, clock: FakeClock
) -> None:
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    adapter = LaporV1Adapter(session, "http://127.0.0.1:9", trusted_keys=[], token="x")
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert isinstance(summary.outcome, Offline) and not summary.needs_person
    state = seen(sqlite_desk, complaint_uuid)
    assert (state.attempts, state.needs_lookup) == (1, False)  # never connected: not delivered


def test_the_changes_feed_brings_national_statuses_into_the_timeline(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    uuids = [queue(sqlite_desk, sqlite_clerk) for _ in range(3)]
    engine = engine_for(sqlite_desk, adapter, clock)
    assert engine.run_once().sent == 3
    clock.advance(seconds=STEP.total_seconds() * 10)
    summary = engine.run_once()
    assert summary.status_updates >= 3 * 2 and isinstance(summary.outcome, Done)
    national = {s.value for s in NATIONAL_STATES}
    for complaint_uuid in uuids:
        state = seen(sqlite_desk, complaint_uuid)
        record = adapter.lookup(complaint_uuid)
        assert isinstance(record, ComplaintRecord)
        assert state.status == record.status and state.status in national
        assert state.events[:2] == (("queued", "local"), ("sent", "local"))
        assert state.events[2] == (Status.VERIFIED.value, "national")
        assert all(source == "national" for _, source in state.events[2:])
    # The cursor is stored: a new pass (a new engine too) applies nothing twice.
    assert engine_for(sqlite_desk, adapter, clock).run_once().status_updates == 0


def test_a_conflict_is_kept_for_a_person_and_the_rest_goes(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    clashing, fine = queue(sqlite_desk, sqlite_clerk), queue(sqlite_desk, sqlite_clerk)
    other = adapter.submit_batch([sample_item(client_uuid=clashing, title="Isi yang lain")])
    assert isinstance(other, BatchResponse)
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert (summary.sent, summary.conflicts) == (1, 1)
    state = seen(sqlite_desk, clashing)
    assert (state.outbox_state, state.sync_state) == ("quarantined", "quarantined")
    assert state.last_error.startswith("conflict:") and state.receipt is None
    assert seen(sqlite_desk, fine).status == "sent"


def test_an_unknown_cursor_restarts_the_feed_and_applies_nothing_twice(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    queue(sqlite_desk, sqlite_clerk)
    engine = engine_for(sqlite_desk, adapter, clock)
    engine.run_once()
    clock.advance(seconds=STEP.total_seconds() * 10)
    assert engine.run_once().status_updates >= 2
    store = store_for(sqlite_desk, clock)
    store.set_value(CURSOR_KEY, "no-such-position")
    again = engine.run_once()
    assert (again.status_updates, again.outcome) == (0, Done())
    assert store.get_value(CURSOR_KEY) not in (None, "no-such-position")


def test_a_batch_the_server_finds_too_big_is_split_until_it_fits(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    uuids = [queue(sqlite_desk, sqlite_clerk) for _ in range(5)]
    limits = ServerLimits(max_batch_items=2)
    with running_reference_server(tmp_path / "small", clock=clock, limits=limits) as small:
        adapter = adapter_for(small, session, clock=clock)
        summary = engine_for(sqlite_desk, adapter, clock, batch_size=8).run_once()
        assert (summary.sent, summary.rejected, summary.outcome) == (5, 0, Done())
        assert all(small.state.store.copies_of(u) == 1 for u in uuids)
