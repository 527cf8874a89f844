"""The server's Retry-After wins over the engine's backoff both ways; failures back off longer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings
from sync.adapters import RetryLater, ServerError
from sync.device_token import store_token
from sync.engine import Backoff, EngineConfig, Progress, ServiceUnavailable, SyncSummary
from sync.reference_server import RunningServer
from sync.runner import DeskLink
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE
from tests.support.sync_engine import queue, seen, store_for

HALF_JITTER = EngineConfig(backoff=Backoff(random=lambda: 0.5))
"""Each wait is half its ceiling: 1 s, 2 s, 4 s ... after the 1st, 2nd, 3rd failure."""


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def desk(tmp_path: Path, server: RunningServer, clock: FakeClock) -> Iterator[Desk]:
    paths = DataPaths(tmp_path / "data").ensure()
    national = NationalServiceSettings(server.url, (server.public_key_text,))
    office = OfficeSettings(OFFICE_CODE, "Kabupaten Lingga", national=national)
    opened = accounts.initialise_desk(paths, office, clock)
    store_token(paths.root, server.tokens[OFFICE_CODE])
    yield opened
    opened.close()


@pytest.fixture
def clerk(desk: Desk) -> Actor:
    return accounts.sign_in_supervisor(desk).actor


def _pass(desk: Desk) -> SyncSummary:
    """One pass as a freshly started process runs it: a new link, the stored link state."""
    summary = DeskLink(desk.context, desk.paths.root, config=HALF_JITTER).run_pass(
        Progress(), bring_forward=False
    )
    assert isinstance(summary, SyncSummary), summary
    return summary


def _requests(server: RunningServer) -> int:
    return sum(1 for r in server.requests() if r.path.startswith("/v1/"))


def test_a_short_retry_after_wins_over_a_long_per_record_backoff(
    desk: Desk, clerk: Actor, server: RunningServer, clock: FakeClock
) -> None:
    complaint = queue(desk, clerk)
    store = store_for(desk, clock)
    for _ in range(12):  # a record that failed a dozen times: its own backoff is ~an hour
        [claimed] = store.claim_submissions(1)
        store.defer([claimed.outbox_id], "Unreachable", clock(), maybe_delivered=False)
    server.set_faults(error_429_rate=1.0, retry_after_seconds=7)
    busy = _pass(desk).outcome
    assert isinstance(busy, ServiceUnavailable) and busy.failure == RetryLater(429, 7.0)
    assert busy.retry_at == clock() + dt.timedelta(seconds=7)
    server.set_faults(error_429_rate=0.0)
    clock.advance(seconds=7)
    assert _pass(desk).sent == 1 and seen(desk, complaint).outbox_state == "done"


def test_a_retry_after_beyond_the_backoff_cap_is_kept_even_across_a_restart(
    desk: Desk, clerk: Actor, server: RunningServer, clock: FakeClock
) -> None:
    queue(desk, clerk)
    server.set_faults(error_429_rate=1.0, retry_after_seconds=5400)  # 1.5 h; the cap is 1 h
    busy = _pass(desk).outcome
    assert isinstance(busy, ServiceUnavailable)
    assert busy.retry_at == clock() + dt.timedelta(seconds=5400)
    asked = _requests(server)
    clock.advance(seconds=4000)
    assert _pass(desk).outcome == busy  # a new process, still quiet: nothing asked
    assert _requests(server) == asked
    clock.advance(seconds=1401)
    server.set_faults(error_429_rate=0.0)
    assert _pass(desk).sent == 1


def test_a_failing_changes_feed_waits_longer_after_each_failed_pass_and_restart(
    desk: Desk, server: RunningServer, clock: FakeClock
) -> None:
    server.set_faults(error_500_rate=1.0)  # nothing to send: only the feed fails
    waits = []
    for _ in range(4):
        outcome = _pass(desk).outcome
        assert isinstance(outcome, ServiceUnavailable) and isinstance(outcome.failure, ServerError)
        assert outcome.retry_at is not None
        waits.append((outcome.retry_at - clock()).total_seconds())
        clock.advance(seconds=waits[-1])
    assert waits == [1.0, 2.0, 4.0, 8.0]
    server.set_faults(error_500_rate=0.0)
    _pass(desk)
    server.set_faults(error_500_rate=1.0)
    outcome = _pass(desk).outcome  # a good pass starts the backoff again from its shortest
    assert isinstance(outcome, ServiceUnavailable) and outcome.retry_at == clock() + dt.timedelta(
        seconds=1
    )
