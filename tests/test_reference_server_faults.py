"""Fault modes, the loopback-only admin endpoint, the request record and the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.adapters import (
    CaptivePortal,
    LaporV1Adapter,
    RetryLater,
    ServerError,
    Unauthorized,
)
from sync.protocol.messages import Accepted, BatchResponse, ComplaintRecord
from sync.reference_server import Faults, RunningServer
from tests.support.clock import FakeClock
from tests.support.reference_server import (
    adapter_for,
    admin_headers,
    running_reference_server,
    sample_item,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock, seed=7) as running:
        yield running


@pytest.fixture
def session(server: RunningServer) -> Iterator[requests.Session]:
    with requests.Session() as opened:
        opened.headers.update(admin_headers(server))
        yield opened


@pytest.fixture
def adapter(server: RunningServer, session: requests.Session) -> LaporV1Adapter:
    return adapter_for(server, session)


def test_a_captive_portal_page_is_never_taken_for_success(
    server: RunningServer, adapter: LaporV1Adapter, session: requests.Session
) -> None:
    item = sample_item()
    server.set_faults(captive_portal=True)
    reply = session.get(f"{server.url}/v1/time")
    assert (reply.status_code, reply.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "Login Hotspot" in reply.text
    for outcome in (
        adapter.submit_batch([item]),
        adapter.lookup(item.client_uuid),
        adapter.changes(None, 10),
        adapter.reference_data(None),
        adapter.server_time(),
        adapter.upload_offset("0" * 64),
    ):
        assert isinstance(outcome, CaptivePortal), outcome
    assert server.state.store.stored_contents() == []
    admin = session.put(f"{server.url}/_admin/faults", json={"captive_portal": False})
    assert admin.json()["captive_portal"] is False
    assert isinstance(adapter.submit_batch([item]), BatchResponse)


def test_injected_errors_come_with_retry_after(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    server.set_faults(error_503_rate=1.0, retry_after_seconds=7)
    assert adapter.server_time() == RetryLater(503, 7.0)
    server.set_faults(error_503_rate=0.0, error_429_rate=1.0)
    assert adapter.submit_batch([sample_item()]) == RetryLater(429, 7.0)
    server.set_faults(error_429_rate=0.0, error_500_rate=1.0)
    outcome = adapter.changes(None, 10)
    assert isinstance(outcome, ServerError) and outcome.status == 500
    assert server.state.store.stored_contents() == []


def test_error_rates_are_drawn_from_a_seeded_generator(tmp_path: Path, clock: FakeClock) -> None:
    def statuses(seed: int, folder: str) -> list[int]:
        faults = Faults(error_500_rate=0.2, error_503_rate=0.2, error_429_rate=0.2)
        with (
            running_reference_server(
                tmp_path / folder, clock=clock, faults=faults, seed=seed
            ) as server,
            requests.Session() as session,
        ):
            return [session.get(f"{server.url}/v1/time").status_code for _ in range(25)]

    first = statuses(11, "a")
    assert first == statuses(11, "b")
    assert {500, 503, 429, 401} <= set(first)


def test_without_deduplication_a_retry_is_stored_twice_and_lookup_protects(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    item = sample_item()
    server.set_faults(deduplicate=False)
    first = adapter.submit_batch([item])
    assert isinstance(first, BatchResponse)
    [accepted] = first.results
    assert isinstance(accepted, Accepted)
    # The client that looks up before resending never creates the second copy...
    found = adapter.lookup(item.client_uuid)
    assert isinstance(found, ComplaintRecord) and found.tracking_id == accepted.tracking_id
    assert server.state.store.copies_of(item.client_uuid) == 1
    # ...the one that blindly resends does.
    again = adapter.submit_batch([item])
    assert isinstance(again, BatchResponse)
    [copy] = again.results
    assert isinstance(copy, Accepted) and copy.tracking_id != accepted.tracking_id
    assert server.state.store.copies_of(item.client_uuid) == 2
    assert server.state.store.summary()["duplicated"] == [item.client_uuid]


def test_revoked_tokens_answer_401(server: RunningServer, adapter: LaporV1Adapter) -> None:
    server.set_faults(revoked_tokens=True)
    assert isinstance(adapter.server_time(), Unauthorized)
    server.state.devices.revoke(server.tokens["2104"])
    server.set_faults(revoked_tokens=False)
    assert isinstance(adapter.server_time(), Unauthorized)


def test_added_latency_delays_every_answer(server: RunningServer, adapter: LaporV1Adapter) -> None:
    server.set_faults(latency_ms=300)
    started = time.monotonic()
    adapter.server_time()
    assert time.monotonic() - started >= 0.3


def test_the_admin_endpoint_refuses_callers_that_are_not_on_loopback(
    server: RunningServer,
) -> None:
    client = server.server.app.test_client()  # type: ignore[attr-defined]
    token = admin_headers(server)
    remote = client.get("/_admin/faults", headers=token, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert remote.status_code == 403
    assert remote.json["code"] == "forbidden"
    local = client.get("/_admin/faults", headers=token, environ_base={"REMOTE_ADDR": "::1"})
    assert local.status_code == 200


def test_admin_faults_are_validated(server: RunningServer, session: requests.Session) -> None:
    for bad in ({"no_such_fault": 1}, {"error_500_rate": 2}, {"captive_portal": "yes"}, [1]):
        assert session.put(f"{server.url}/_admin/faults", json=bad).status_code == 400
    changed = session.put(f"{server.url}/_admin/faults", json={"latency_ms": 5})
    assert changed.json()["latency_ms"] == 5


def test_every_request_is_recorded_without_its_token(
    server: RunningServer, adapter: LaporV1Adapter, session: requests.Session
) -> None:
    adapter.submit_batch([sample_item()])
    adapter.server_time()
    recorded = session.get(f"{server.url}/_admin/requests").json()["requests"]
    assert [(r["method"], r["path"], r["status"]) for r in recorded] == [
        ("POST", "/v1/complaints:batch", 200),
        ("GET", "/v1/time", 200),
    ]
    assert server.tokens["2104"] not in json.dumps(recorded)
    assert recorded[0]["body_length"] > 0 and len(recorded[0]["body_sha256"]) == 64
    assert session.delete(f"{server.url}/_admin/requests").status_code == 204
    assert server.requests() == []


def test_the_command_line_serves_until_terminated(tmp_path: Path) -> None:
    data_dir = tmp_path / "cli"
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.reference_server", "--port", "0", "--data-dir", str(data_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    try:
        banner = process.stdout.readline() if process.stdout else ""
        assert banner, process.stderr.read() if process.stderr else ""
        info = json.loads((data_dir / "server.json").read_text(encoding="utf-8"))
        tokens = json.loads(Path(info["tokens_file"]).read_text(encoding="utf-8"))
        token = next(t["token"] for t in tokens if t["office_code"] == "2104")
        with requests.Session() as session:
            reply = session.get(
                f"{info['url']}/v1/time", headers={"Authorization": f"Bearer {token}"}
            )
        assert reply.status_code == 200 and reply.json()["office_code"] == "2104"
        assert info["url"] in banner
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
