"""One kept-alive connection for a whole pass, and none left talking to a stopped server."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from sync.adapters import LaporV1Adapter
from sync.engine import Done
from sync.faultproxy import FaultProxy
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE
from tests.support.sync_engine import engine_for, queue


def test_a_pass_of_several_requests_opens_one_connection(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path, clock: FakeClock
) -> None:
    for _ in range(6):
        queue(sqlite_desk, sqlite_clerk)
    with (
        running_reference_server(tmp_path / "server", clock=clock) as server,
        FaultProxy("127.0.0.1", int(server.url.rsplit(":", 1)[1])) as proxy,
        requests.Session() as session,
    ):
        adapter = LaporV1Adapter(
            session,
            proxy.url,
            trusted_keys=[server.public_key],
            token=server.tokens[OFFICE_CODE],
            clock=clock,
        )
        engine = engine_for(sqlite_desk, adapter, clock, batch_size=2, max_batch_size=2)
        summary = engine.run_once()
        stats = proxy.stats()
    assert (summary.sent, summary.outcome) == (6, Done())
    assert stats.requests_forwarded >= 5  # 3 batches, the feed, the reference data
    assert stats.connections == 1


def test_a_stopped_server_answers_no_kept_alive_connection(tmp_path: Path) -> None:
    with requests.Session() as session, running_reference_server(tmp_path / "server") as server:
        url = f"{server.url}/v1/time"
        session.headers["Authorization"] = f"Bearer {server.tokens[OFFICE_CODE]}"
        first = session.get(url, timeout=5)
        assert first.status_code == 200 and first.headers.get("Connection") != "close"
        server.stop()
        with pytest.raises(requests.ConnectionError):
            session.get(url, timeout=5)


def test_a_body_refused_unread_does_not_spill_into_the_next_request(tmp_path: Path) -> None:
    with requests.Session() as session, running_reference_server(tmp_path / "server") as server:
        refused = session.post(
            f"{server.url}/v1/complaints:batch",
            data=b'{"items": []}' + b" " * 200_000,
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
        assert refused.status_code == 401  # no token: refused before the body was read
        token = {"Authorization": f"Bearer {server.tokens[OFFICE_CODE]}"}
        after = session.get(f"{server.url}/v1/time", headers=token, timeout=5)
        assert after.status_code == 200
        assert len({r.remote_addr for r in server.requests()}) == 1
