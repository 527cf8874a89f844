"""Overlapped batches on a fast link, and the quiet after a 429/503, over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from sync.adapters import LaporV1Adapter, RetryLater
from sync.engine import Cancelled, Done, Progress, ServiceUnavailable
from sync.reference_server import RunningServer
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server
from tests.support.sync_engine import engine_for, queue, seen

BATCH_PATH = "/v1/complaints:batch"


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def adapter(server: RunningServer, clock: FakeClock) -> Iterator[LaporV1Adapter]:
    with requests.Session() as session:
        yield adapter_for(server, session, clock=clock)


@pytest.fixture
def strict(server: RunningServer) -> RunningServer:
    """A server that stores a second copy of anything sent twice, so a resend shows."""
    server.set_faults(deduplicate=False)
    return server


def _held(server: RunningServer, uuids: list[str]) -> list[int]:
    return [server.state.store.copies_of(u) for u in uuids]


def test_overlapped_batches_send_every_record_once_and_leave_no_lease(
    desk: Desk, clerk: Actor, strict: RunningServer, adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    uuids = [queue(desk, clerk) for _ in range(14)]
    engine = engine_for(desk, adapter, clock, batch_size=3, max_batch_size=3)
    progress = Progress()
    summary = engine.run_once(progress)
    assert (summary.sent, summary.outcome) == (14, Done())
    assert progress.snapshot().records_done == 14
    assert sum(1 for r in strict.requests() if r.path == BATCH_PATH) == 5
    assert _held(strict, uuids) == [1] * 14
    for complaint_uuid in uuids:
        state = seen(desk, complaint_uuid)
        assert (state.status, state.outbox_state, state.lease_owner) == ("sent", "done", None)


class _CancelAfterExchanges(Progress):
    """Presses cancel once ``exchanges`` batches went out (the worker reports each one's bytes)."""

    def __init__(self, exchanges: int) -> None:
        super().__init__()
        self._left = exchanges

    def add(self, *, records: int = 0, sent_bytes: int = 0, updates: int = 0) -> None:
        super().add(records=records, sent_bytes=sent_bytes, updates=updates)
        if sent_bytes:
            self._left -= 1
            if self._left == 0:
                self.cancel()


def test_a_cancelled_pass_gives_back_the_batch_claimed_ahead_untried(
    desk: Desk, clerk: Actor, strict: RunningServer, adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    uuids = [queue(desk, clerk) for _ in range(12)]
    engine = engine_for(desk, adapter, clock, batch_size=3, max_batch_size=3)
    summary = engine.run_once(_CancelAfterExchanges(2))
    assert summary.outcome == Cancelled()
    states = {u: seen(desk, u) for u in uuids}
    sent = [u for u, s in states.items() if s.outbox_state == "done"]
    assert summary.sent == len(sent) >= 3
    assert _held(strict, uuids) == [1 if u in sent else 0 for u in uuids]
    for complaint_uuid, state in states.items():
        if complaint_uuid not in sent:  # nothing half-done: as if never claimed
            assert (state.outbox_state, state.lease_owner) == ("pending", None)
            assert (state.attempts, state.needs_lookup) == (0, False)
    assert engine_for(desk, adapter, clock).run_once().sent == 12 - len(sent)
    assert _held(strict, uuids) == [1] * 12


def test_after_a_429_in_the_pull_no_phase_calls_the_service_before_retry_after(
    desk: Desk, server: RunningServer, adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    server.set_faults(error_429_rate=1.0, retry_after_seconds=60)
    engine = engine_for(desk, adapter, clock)
    first = engine.run_once()
    assert isinstance(first.outcome, ServiceUnavailable)
    assert first.outcome.failure == RetryLater(429, 60.0)
    asked = len(server.requests())
    for _ in range(5):
        clock.advance(seconds=11)
        assert engine.run_once().outcome == first.outcome
    assert len(server.requests()) == asked  # not even the changes feed
    server.set_faults(error_429_rate=0.0)
    clock.advance(seconds=5)
    assert engine.run_once().outcome == Done()
    assert len(server.requests()) > asked


class _BusyAfterFirstExchange(Progress):
    """Turns the server to 503s once the first batch went out."""

    def __init__(self, server: RunningServer) -> None:
        super().__init__()
        self._server = server

    def add(self, *, records: int = 0, sent_bytes: int = 0, updates: int = 0) -> None:
        super().add(records=records, sent_bytes=sent_bytes, updates=updates)
        if sent_bytes:
            self._server.set_faults(error_503_rate=1.0, retry_after_seconds=60)


def test_a_failed_exchange_gives_back_the_batch_claimed_ahead_untried(
    desk: Desk, clerk: Actor, strict: RunningServer, adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    uuids = [queue(desk, clerk) for _ in range(12)]
    engine = engine_for(desk, adapter, clock, batch_size=3, max_batch_size=3)
    summary = engine.run_once(_BusyAfterFirstExchange(strict))
    assert isinstance(summary.outcome, ServiceUnavailable) and summary.sent == 3
    states = [seen(desk, u) for u in uuids]
    assert [s.outbox_state for s in states] == ["done"] * 3 + ["pending"] * 9
    assert [s.attempts for s in states] == [0] * 3 + [1] * 3 + [0] * 6  # the refused batch
    assert {s.lease_owner for s in states} == {None}  # the one claimed ahead is free again
    assert _held(strict, uuids) == [1] * 3 + [0] * 9
