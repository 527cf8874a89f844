"""The failure matrix: whatever the network or the server answers, no crash, a typed outcome,
nothing lost.

Cases ``tests/test_sync_engine.py`` already proves (a 200 captive portal page, a
revoked token, one 429 with Retry-After, a response dropped after commit, an
unreachable service, a batch with too many items) are not repeated. Here:
a redirecting hotspot, truncated JSON, a wrong-shaped answer, a 10 MB garbage
body, a server that never answers, one that trickles past the deadline, 403,
413, 429 and 503 storms, and a 500 after the batch was stored.

The answers the reference server would never give come from ``Mangler``: a
real HTTP front on loopback that passes each request to the reference server
(so the batch *is* stored) and then spoils the answer.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from sync.adapters import (
    CaptivePortal,
    Forbidden,
    LaporV1Adapter,
    MalformedResponse,
    RetryLater,
    ServerError,
)
from sync.device_token import DeviceToken
from sync.engine import AuthProblem, Done, NeedsSignIn, Offline, ServiceUnavailable, SyncSummary
from sync.faultproxy import FaultPlan, FaultProxy
from sync.reference_server import RunningServer, ServerLimits
from sync.transport import TransportSettings, make_session
from tests.support.clock import FakeClock
from tests.support.reference_server import SUSPENDED_OFFICE, adapter_for, running_reference_server
from tests.support.sync_engine import engine_for, queue, seen

BATCH_PATH = "/v1/complaints:batch"
GARBAGE_BYTES = 10 * 1024 * 1024
TRICKLE_BYTES = 60
"""A byte every 0.2 s: 12 s for the whole trickle, six times the deadline the test sets."""


class Mangler(ThreadingHTTPServer):
    """Passes requests to the reference server, then spoils the next ``count`` batch answers."""

    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _MangleHandler)
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.count = 0
        self.trickled = 0
        self.client_left = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def spoil(self, mode: str, count: int = 1) -> None:
        with self._lock:
            self.mode, self.count = mode, count

    def take(self, path: str) -> str:
        with self._lock:
            if path != BATCH_PATH or self.count == 0:
                return "pass"
            self.count -= 1
            return self.mode

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up on a trickle is the point of that test: no traceback."""


class _MangleHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Mangler

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        kept = {
            k: v
            for k, v in answer.getheaders()
            if k.lower() not in ("content-length", "connection", "transfer-encoding")
        }
        upstream.close()
        mode = self.server.take(self.path.split("?", 1)[0])
        getattr(self, f"_answer_{mode}")(answer.status, kept, data)

    do_GET = do_POST = do_HEAD = do_PATCH = _relay

    def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _answer_pass(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self._send(status, headers, data)

    def _answer_truncate(self, status: int, headers: dict[str, str], data: bytes) -> None:
        headers.pop("Content-Encoding", None)
        self._send(status, headers, _plain(headers, data)[: len(data) // 2])

    def _answer_shape(self, status: int, headers: dict[str, str], data: bytes) -> None:
        headers.pop("Content-Encoding", None)
        self._send(status, headers, json.dumps({"results": "semua beres"}).encode())

    def _answer_garbage(self, status: int, headers: dict[str, str], data: bytes) -> None:
        headers.pop("Content-Encoding", None)
        self._send(status, headers, os.urandom(GARBAGE_BYTES))

    def _answer_redirect(self, status: int, headers: dict[str, str], data: bytes) -> None:
        login = {"Location": "http://10.0.0.1/login?orig=lapor", "Content-Type": "text/html"}
        self._send(302, login, b"<html><body>Silakan masuk</body></html>")

    def _answer_trickle(self, status: int, headers: dict[str, str], data: bytes) -> None:
        """The whole answer, one byte every 0.2 s: never silent, never done in time."""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        body = _plain(headers, data)
        try:
            for byte in body[:TRICKLE_BYTES]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                self.server.trickled += 1
                time.sleep(0.2)
        except OSError:
            self.server.client_left.set()
        self.close_connection = True


def _plain(headers: dict[str, str], data: bytes) -> bytes:
    return gzip.decompress(data) if headers.get("Content-Encoding") == "gzip" else data


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def mangler(server: RunningServer) -> Iterator[Mangler]:
    front = Mangler(int(server.url.rsplit(":", 1)[1]))
    thread = threading.Thread(target=front.serve_forever, daemon=True)
    thread.start()
    yield front
    front.shutdown()
    front.server_close()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


@pytest.fixture
def adapter(server: RunningServer, session: requests.Session, clock: FakeClock) -> LaporV1Adapter:
    return adapter_for(server, session, clock=clock)


def _through(mangler: Mangler, server: RunningServer, session: requests.Session) -> LaporV1Adapter:
    return LaporV1Adapter(
        session, mangler.url, trusted_keys=[server.public_key], token=server.tokens["2104"]
    )


def _posts(server: RunningServer) -> int:
    return sum(1 for r in server.requests() if r.path == BATCH_PATH)


def _lookups(server: RunningServer) -> int:
    return sum(1 for r in server.requests() if r.path.startswith("/v1/complaints/"))


def _settle(desk: Desk, adapter: LaporV1Adapter, clock: FakeClock) -> SyncSummary:
    """The pass after the fault: due now, through a clean answer."""
    clock.advance(hours=2)
    return engine_for(desk, adapter, clock).run_once()


def _all_sent_once(desk: Desk, server: RunningServer, uuids: list[str]) -> None:
    for complaint_uuid in uuids:
        state = seen(desk, complaint_uuid)
        assert state.status != "queued" and state.outbox_state == "done", complaint_uuid
        assert state.receipt is not None
        assert server.state.store.copies_of(complaint_uuid) == 1
    assert server.state.store.summary()["duplicated"] == []


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("truncate", "JSON"),
        ("shape", "results"),
        ("garbage", ""),
    ],
)
def test_an_unreadable_answer_after_the_batch_was_stored_is_looked_up_not_resent(
    mode: str,
    reason: str,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    mangler: Mangler,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    server.set_faults(deduplicate=False)  # a resend would show as a second copy
    uuids = [queue(sqlite_desk, sqlite_clerk) for _ in range(3)]
    adapter = _through(mangler, server, session)
    mangler.spoil(mode)
    first = engine_for(sqlite_desk, adapter, clock).run_once()
    assert isinstance(first.outcome, ServiceUnavailable)
    assert isinstance(first.outcome.failure, MalformedResponse)
    assert reason in first.outcome.failure.reason
    assert first.sent == 0 and _posts(server) == 1
    for complaint_uuid in uuids:
        state = seen(sqlite_desk, complaint_uuid)
        assert (state.status, state.outbox_state, state.needs_lookup) == ("queued", "pending", True)
    second = _settle(sqlite_desk, adapter, clock)
    assert (second.sent, second.already_present, second.outcome) == (0, 3, Done())
    assert _posts(server) == 1 and _lookups(server) == 3
    _all_sent_once(sqlite_desk, server, uuids)


def test_a_hotspot_that_redirects_to_its_login_page_needs_a_sign_in(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    mangler: Mangler,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    adapter = _through(mangler, server, session)
    mangler.spoil("redirect")
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert isinstance(summary.outcome, NeedsSignIn) and summary.needs_person
    assert summary.outcome.failure == CaptivePortal(302, "text/html")
    state = seen(sqlite_desk, complaint_uuid)
    assert (state.status, state.outbox_state, state.attempts, state.lease_owner) == (
        "queued",
        "pending",
        0,
        None,
    )
    again = engine_for(sqlite_desk, adapter, clock).run_once()
    assert again.already_present == 1  # the hotspot had let the request through: found, kept
    _all_sent_once(sqlite_desk, server, [complaint_uuid])


def test_a_server_that_never_answers_ends_the_pass_offline_and_nothing_is_lost(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    with FaultProxy("127.0.0.1", int(server.url.rsplit(":", 1)[1])) as proxy:
        adapter = LaporV1Adapter(
            session,
            proxy.url,
            trusted_keys=[server.public_key],
            token=server.tokens["2104"],
            timeout=(2.0, 1.0),
        )
        proxy.set_plan(FaultPlan(stall=True))
        first = engine_for(sqlite_desk, adapter, clock).run_once()
        assert isinstance(first.outcome, Offline) and not first.needs_person
        state = seen(sqlite_desk, complaint_uuid)
        assert (state.outbox_state, state.attempts, state.needs_lookup) == ("pending", 1, True)
        proxy.set_plan(FaultPlan())
        second = _settle(sqlite_desk, adapter, clock)
    # Looked up first: 404 then sent, or found if the stalled request got through in the end.
    assert (second.sent + second.already_present, second.outcome) == (1, Done())
    _all_sent_once(sqlite_desk, server, [complaint_uuid])


def test_an_answer_trickling_past_the_total_deadline_is_abandoned(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    mangler: Mangler,
    clock: FakeClock,
) -> None:
    """A read timeout alone never fires on a byte every 0.2 s: the wall-clock deadline must."""
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    settings = TransportSettings(
        base_url=mangler.url, connect_timeout=2.0, read_timeout=1.0, total_deadline=2.0
    )
    with make_session(settings, DeviceToken(server.tokens["2104"])) as session:
        adapter = LaporV1Adapter(
            session, mangler.url, trusted_keys=[server.public_key], timeout=(2.0, 1.0)
        )
        mangler.spoil("trickle")
        first = engine_for(sqlite_desk, adapter, clock).run_once()
        assert mangler.client_left.wait(5), "the client read the trickle to its end"
        assert mangler.trickled < TRICKLE_BYTES // 2
        assert isinstance(first.outcome, Offline | ServiceUnavailable)
        assert seen(sqlite_desk, complaint_uuid).needs_lookup
        second = _settle(sqlite_desk, adapter, clock)
    assert second.already_present == 1
    _all_sent_once(sqlite_desk, server, [complaint_uuid])


def test_403_for_a_suspended_office_is_an_auth_problem_and_never_retried(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    complaint_uuid = queue(sqlite_desk, sqlite_clerk)
    adapter = adapter_for(server, session, office=SUSPENDED_OFFICE)
    for passes in (1, 2, 3):
        summary = engine_for(sqlite_desk, adapter, clock).run_once()
        assert isinstance(summary.outcome, AuthProblem) and summary.needs_person
        assert isinstance(summary.outcome.failure, Forbidden)
        assert _posts(server) == passes  # one request per pass, no loop within it
    state = seen(sqlite_desk, complaint_uuid)
    assert (state.outbox_state, state.attempts, state.lease_owner) == ("pending", 0, None)
    assert server.state.store.copies_of(complaint_uuid) == 0
    fixed = engine_for(sqlite_desk, adapter_for(server, session), clock).run_once()
    assert fixed.sent == 1


def test_413_splits_the_batch_until_each_part_fits(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    uuids = [
        queue(sqlite_desk, sqlite_clerk, description=f"{os.urandom(300).hex()} jalan rusak")
        for _ in range(6)
    ]
    limits = ServerLimits(max_body_bytes=2_500)
    with running_reference_server(tmp_path / "tight", clock=clock, limits=limits) as tight:
        adapter = adapter_for(tight, session)
        summary = engine_for(sqlite_desk, adapter, clock, batch_size=6).run_once()
        statuses = [r.status for r in tight.requests() if r.path == BATCH_PATH]
        assert 413 in statuses and statuses[-1] == 200
        assert (summary.sent, summary.rejected, summary.outcome) == (6, 0, Done())
        _all_sent_once(sqlite_desk, tight, uuids)


@pytest.mark.parametrize("status", [429, 503])
def test_a_storm_of_busy_answers_is_waited_out_and_records_are_not_resent_early(
    status: int,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    uuids = [queue(sqlite_desk, sqlite_clerk) for _ in range(4)]
    server.set_faults(**{f"error_{status}_rate": 1.0}, retry_after_seconds=120)
    engine = engine_for(sqlite_desk, adapter, clock)
    for storm in range(1, 21):
        summary = engine.run_once()
        assert isinstance(summary.outcome, ServiceUnavailable), storm
        assert summary.outcome.failure == RetryLater(status, 120.0)
        assert summary.outcome.retry_at is not None
        clock.advance(seconds=119)
        assert engine.run_once().sent == 0
        assert _posts(server) == storm  # no batch went out before Retry-After
        clock.current = summary.outcome.retry_at
    state = seen(sqlite_desk, uuids[0])
    assert (state.outbox_state, state.attempts, state.status) == ("pending", 20, "queued")
    server.set_faults(**{f"error_{status}_rate": 0.0})
    assert engine.run_once().sent == 4
    _all_sent_once(sqlite_desk, server, uuids)


def test_a_500_after_the_batch_was_stored_is_answered_from_the_store_when_deduplicating(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    uuids = [queue(sqlite_desk, sqlite_clerk) for _ in range(2)]
    server.set_faults(error_500_after_commit_rate=1.0)
    first = engine_for(sqlite_desk, adapter, clock).run_once()
    assert isinstance(first.outcome, ServiceUnavailable)
    assert isinstance(first.outcome.failure, ServerError)
    server.set_faults(error_500_after_commit_rate=0.0)
    second = _settle(sqlite_desk, adapter, clock)
    assert second.sent + second.already_present == 2 and second.outcome == Done()
    _all_sent_once(sqlite_desk, server, uuids)


def test_a_500_after_the_batch_was_stored_is_looked_up_not_resent_on_a_non_dedup_server(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    uuids = [queue(sqlite_desk, sqlite_clerk) for _ in range(2)]
    server.set_faults(error_500_after_commit_rate=1.0, deduplicate=False)
    engine_for(sqlite_desk, adapter, clock).run_once()
    server.set_faults(error_500_after_commit_rate=0.0)
    second = _settle(sqlite_desk, adapter, clock)
    assert second.already_present == 2
    _all_sent_once(sqlite_desk, server, uuids)
