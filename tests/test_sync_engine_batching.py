"""Batch sizes that follow the link: the policy alone, then over real HTTP via the fault proxy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from sync.adapters import LaporV1Adapter
from sync.engine import BatchSizer, Done, Progress
from sync.faultproxy import FaultPlan, FaultProxy
from sync.reference_server import RunningServer
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.sync_engine import engine_for, queue


def test_a_full_batch_well_within_the_window_grows_by_at_most_the_growth_factor() -> None:
    sizer = BatchSizer(size=50, maximum=500, window_seconds=3.0, growth=4.0)
    assert sizer.observe(50, 0.05) == 200  # the link could take 3,000: a probe, not a leap
    assert sizer.observe(200, 0.1) == 500  # never beyond the maximum
    assert sizer.observe(500, 0.2) == 500


def test_a_short_last_batch_says_nothing_about_the_link() -> None:
    sizer = BatchSizer(size=200, window_seconds=3.0)
    assert sizer.observe(3, 0.6) == 200  # round-trip time dominates three records: no shrink
    assert sizer.observe(3, 0.01) == 200  # and no growth either


def test_an_exchange_longer_than_the_window_shrinks_to_what_fits_it() -> None:
    sizer = BatchSizer(size=200, window_seconds=3.0)
    assert sizer.observe(200, 12.0) == 50
    assert sizer.observe(50, 2.0) == 50  # within the window but not fast: stays
    assert BatchSizer(size=10, window_seconds=3.0).observe(10, 600.0) == 1  # never below one


def test_a_timeout_halves_and_a_refusal_keeps_at_most_half_of_what_was_refused() -> None:
    sizer = BatchSizer(size=64, minimum=2)
    assert [sizer.timed_out() for _ in range(6)] == [32, 16, 8, 4, 2, 2]
    assert BatchSizer(size=300).refused(8) == 4


def test_nonsense_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        BatchSizer(minimum=10, maximum=5)
    with pytest.raises(ValueError):
        BatchSizer(window_seconds=0)


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


def _pass_through(
    desk: Desk, clerk: Actor, server: RunningServer, clock: FakeClock, plan: FaultPlan
) -> tuple[int, Progress]:
    """One pass through the proxy with ``plan``; the batch size it ended with, and its progress."""
    port = int(server.url.rsplit(":", 1)[1])
    with FaultProxy("127.0.0.1", port, plan=plan) as proxy, requests.Session() as session:
        adapter = LaporV1Adapter(
            session, proxy.url, trusted_keys=[server.public_key], token=server.tokens["2104"]
        )
        engine = engine_for(
            desk,
            adapter,
            clock,
            batch_size=16,
            batch_seconds=2.0,
            reference_every=dt.timedelta(days=365),
        )
        engine_for(desk, adapter, clock).run_once()  # reference data and the first connection
        for _ in range(24):
            queue(desk, clerk)
        progress = Progress()
        summary = engine.run_once(progress)
    assert (summary.sent, summary.outcome) == (24, Done())
    return engine.batch_size, progress


def test_a_bandwidth_capped_link_gets_smaller_batches_than_an_open_one(
    sqlite_desk: Desk, sqlite_clerk: Actor, server: RunningServer, clock: FakeClock
) -> None:
    open_size, open_progress = _pass_through(sqlite_desk, sqlite_clerk, server, clock, FaultPlan())
    # 16 complaints and their receipts are about 4.6 kB: three seconds at 1.5 kB/s each way,
    # longer than the two-second window whatever the machine's speed.
    capped_size, capped_progress = _pass_through(
        sqlite_desk, sqlite_clerk, server, clock, FaultPlan(bandwidth_up=1500, bandwidth_down=1500)
    )
    assert capped_size < 16 < open_size
    assert open_progress.snapshot().batch_size == open_size
    assert capped_progress.snapshot().batch_size == capped_size
    assert capped_progress.snapshot().records_done == 24
    assert capped_progress.snapshot().bytes_sent > 0
