"""On a slow link the clock offset comes from a small exchange only (issue 16, item 6).

A 600 ms round trip at 256 kbit/s: the reference data's answer takes seconds to arrive,
which earlier counted as the PC's clock being seconds ahead of the server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.adapters import LaporV1Adapter, ServerTimeSample
from sync.faultproxy import FaultPlan, FaultProxy
from sync.protocol.messages import ChangesPage, ReferenceData
from sync.reference_server import RunningServer, ServerConfig, start_in_thread
from tests.support.samples import OFFICE_CODE

RATE = 256_000 // 8
HALF_RTT_MS = 300


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_in_thread(ServerConfig(data_dir=tmp_path / "server"))
    try:
        yield running
    finally:
        running.stop()


def _slow(server: RunningServer) -> FaultProxy:
    plan = FaultPlan(
        latency_up_ms=HALF_RTT_MS,
        latency_down_ms=HALF_RTT_MS,
        bandwidth_up=RATE,
        bandwidth_down=RATE,
    )
    return FaultProxy("127.0.0.1", int(server.url.rsplit(":", 1)[1]), plan=plan)


def _utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sample(adapter: LaporV1Adapter) -> ServerTimeSample | None:
    return adapter.last_server_time


def test_a_long_download_makes_no_clock_sample_and_a_small_answer_cancels_latency(
    server: RunningServer,
) -> None:
    with _slow(server) as proxy, requests.Session() as session:
        adapter = LaporV1Adapter(
            session,
            proxy.url,
            trusted_keys=[server.public_key],
            token=server.tokens[OFFICE_CODE],
            clock=_utc,
        )
        started = _utc()
        assert isinstance(adapter.reference_data(None), ReferenceData)
        assert _utc() - started > dt.timedelta(seconds=2)  # the answer took seconds
        assert _sample(adapter) is None
        assert isinstance(adapter.changes(None, 10), ChangesPage)
    sample = _sample(adapter)
    assert sample is not None
    # Both clocks are this PC's: half a round trip (0.3 s) would show without the midpoint.
    assert abs(sample.offset) < dt.timedelta(seconds=0.15)
