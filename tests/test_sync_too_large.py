"""A 413 is read as a limit of the link first: only a record that alone fails is set aside."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.services import sync_status
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.models import OutboxEntry
from sync.adapters import TooLarge
from sync.engine import ServiceUnavailable
from sync.reference_server import RunningServer, ServerLimits
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server
from tests.support.sync_engine import engine_for, queue, seen

EVERY_BODY_REFUSED = ServerLimits(max_body_bytes=64)
"""Smaller than any batch of one: a proxy that answers 413 to every request with a body."""
ONE_LARGE_REFUSED = ServerLimits(max_body_bytes=4000)
"""Above any ordinary record alone, below the long one of these tests (about 5 KB sent)."""


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


def _long_text() -> str:
    """About 9,000 characters that gzip cannot shrink much (the desk compresses bodies)."""
    rng = random.Random(16)
    return " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(1000))


def _batch_posts(server: RunningServer) -> list[int]:
    return [r.status for r in server.requests() if r.path == "/v1/complaints:batch"]


def test_a_413_to_every_request_quarantines_nothing_and_backs_off(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    uuids = [queue(sqlite_desk, sqlite_clerk) for _ in range(10)]
    with running_reference_server(
        tmp_path / "server", clock=clock, limits=EVERY_BODY_REFUSED
    ) as server:
        engine = engine_for(sqlite_desk, adapter_for(server, session, clock=clock), clock)
        waits = []
        for _ in range(3):
            summary = engine.run_once()
            outcome = summary.outcome
            assert isinstance(outcome, ServiceUnavailable), outcome
            assert isinstance(outcome.failure, TooLarge) and outcome.retry_at is not None
            assert summary.rejected == 0
            waits.append(outcome.retry_at - clock())
            clock.advance(seconds=(outcome.retry_at - clock()).total_seconds() + 1)
        assert set(_batch_posts(server)) == {413}
    status = sync_status.read_status(sqlite_desk.database, now=clock())
    assert (status.pending, status.quarantined) == (10, 0)
    assert all(seen(sqlite_desk, u).outbox_state == "pending" for u in uuids)
    assert waits[0] < waits[1] < waits[2]  # the backoff grows


def test_only_a_record_that_alone_fails_while_small_ones_pass_is_set_aside_with_its_size(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    large = queue(sqlite_desk, sqlite_clerk, description=_long_text())
    small = [queue(sqlite_desk, sqlite_clerk) for _ in range(3)]
    with running_reference_server(
        tmp_path / "server", clock=clock, limits=ONE_LARGE_REFUSED
    ) as server:
        engine = engine_for(sqlite_desk, adapter_for(server, session, clock=clock), clock)
        summary = engine.run_once()
        assert (summary.sent, summary.rejected) == (3, 1), summary
        assert all(server.state.store.copies_of(u) == 1 for u in small)
        assert server.state.store.copies_of(large) == 0
    state = seen(sqlite_desk, large)
    assert state.outbox_state == "quarantined"
    with sqlite_desk.database.read() as session_:
        reason = session_.scalars(
            select(OutboxEntry.last_error).where(OutboxEntry.ref_uuid == large)
        ).one()
    assert reason.startswith("too large to send: ") and " bytes as sent" in reason
    sent = int(reason.split(": ")[1].split(" ")[0])
    assert sent > ONE_LARGE_REFUSED.max_body_bytes
