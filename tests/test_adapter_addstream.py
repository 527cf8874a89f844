"""The addstream adapter: what it sends, what it accepts as proof, and that the token stays secret.

Against the reference server's simulated endpoint, and a canned loopback
server for answers the simulation never gives. The last tests run the
conformance checks on deliberately broken adapters: the checks must fail them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from sync.adapters.addstream import AddstreamAdapter
from sync.adapters.addstream_wire import FIELDS, IDENTITY_FIELDS
from sync.adapters.capabilities import UNSIGNED_KEY_ID, CannotLookUp
from sync.adapters.outcomes import (
    CaptivePortal,
    MalformedResponse,
    NotFound,
    Rejected,
    Unauthorized,
)
from sync.connection import fitted_config
from sync.device_token import DeviceToken
from sync.engine import AuthProblem, Backoff, EngineConfig, SyncEngine
from sync.protocol.messages import Accepted, BatchResponse, ItemRejected
from sync.transport import TransportSettings, make_session
from tests.adapter_conformance.checks import without_lookup_a_lookup_refuses
from tests.adapter_conformance.engine_checks import (
    nothing_is_marked_received_without_proof,
    the_token_stays_out_of_logs_and_failures,
)
from tests.adapter_conformance.harness import Check, CheckContext, Fault, run_check
from tests.adapter_conformance.reference_services import ReferenceService, opener
from tests.support.clock import FakeClock
from tests.support.reference_server import sample_item
from tests.support.sync_engine import queue, seen, store_for
from tests.test_adapter_registry import install

TOKEN = "addstream-secret-token-7f3a9c"


@contextlib.contextmanager
def canned(status: int, content_type: str, body: bytes) -> Iterator[tuple[str, list[bytes]]]:
    """A loopback server answering every POST alike; yields its URL and the bodies it got."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def _adapter(url: str, clock: FakeClock, token: str = TOKEN) -> AddstreamAdapter:
    device_token = DeviceToken(token)
    session = make_session(TransportSettings(base_url=url), device_token)
    return AddstreamAdapter(session, url, token=device_token, clock=clock)


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock) -> Iterator[ReferenceService]:
    with opener("addstream")(tmp_path / "service", clock) as running:
        yield running


def _reports(service: ReferenceService) -> list[dict[str, str]]:
    return [r.fields for r in service.addstream_reports()]


def test_an_anonymous_complaint_sends_no_identity(service: ReferenceService) -> None:
    adapter = service.adapter()
    for item in (sample_item(), sample_item(anonim=True, rahasia=True)):
        answer = adapter.submit_batch([item])
        assert isinstance(answer, BatchResponse) and isinstance(answer.results[0], Accepted)
    named, anonymous = _reports(service)
    identity = {FIELDS[name] for name in IDENTITY_FIELDS}
    assert identity <= set(named) and named[FIELDS["first_name"]] == "Siti"
    assert not identity & set(anonymous), anonymous
    assert (anonymous["anonim"], anonymous["rahasia"], named["anonim"]) == ("1", "1", "0")
    assert "Jalan rusak di Daik" in anonymous["content"]


def test_the_receipt_is_marked_unsigned_and_keeps_the_transaction_id(
    service: ReferenceService,
) -> None:
    answer = service.adapter().submit_batch([sample_item()])
    assert isinstance(answer, BatchResponse)
    result = answer.results[0]
    assert isinstance(result, Accepted)
    assert result.receipt.key_id == UNSIGNED_KEY_ID
    assert result.receipt.signature.startswith("transaksiid:TRX")


def test_a_longer_batch_is_refused_before_anything_is_sent(
    service: ReferenceService, clock: FakeClock
) -> None:
    answer = service.adapter().submit_batch([sample_item(), sample_item()])
    assert isinstance(answer, Rejected) and answer.code == "too-many-items"
    assert _reports(service) == []


def test_a_lookup_keeps_the_entry_for_a_person(service: ReferenceService) -> None:
    answer = service.adapter().lookup(sample_item().client_uuid)
    assert isinstance(answer, CannotLookUp) and not isinstance(answer, NotFound)
    assert "addstream" in answer.message.render("id")
    assert "LAPOR!" in answer.message.render("en")


@pytest.mark.parametrize(
    ("status", "content_type", "body", "expected"),
    [
        (200, "application/xml", b"<response><status>success</status></response>", "malformed"),
        (200, "application/xml", b"<response><trackingid>12</trackingid></response>", "malformed"),
        (200, "application/xml", b'<!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>', "malformed"),
        (200, "application/xml", b"<response><trackingid>", "malformed"),
        (200, "text/html", b"<html><body>Login Wi-Fi</body></html>", "portal"),
        (200, "text/plain", b"OK", "malformed"),
        (200, "text/xml", b"<r><status>error</status><code>unauthorized</code></r>", "token"),
    ],
)
def test_only_a_tracking_id_is_proof_of_receipt(
    clock: FakeClock, status: int, content_type: str, body: bytes, expected: str
) -> None:
    with canned(status, content_type, body) as (url, _):
        answer = _adapter(url, clock).submit_batch([sample_item()])
    kinds = {"malformed": MalformedResponse, "portal": CaptivePortal, "token": Unauthorized}
    assert isinstance(answer, kinds[expected]), answer


def test_a_refusal_that_echoes_the_token_is_scrubbed(clock: FakeClock) -> None:
    body = f"<r><status>error</status><code>invalid-field</code><message>bad {TOKEN}</message></r>"
    with canned(400, "application/xml", body.encode()) as (url, received):
        answer = _adapter(url, clock).submit_batch([sample_item()])
    assert isinstance(answer, BatchResponse)
    (result,) = answer.results
    assert isinstance(result, ItemRejected) and result.code == "invalid-field"
    assert TOKEN not in result.reason and "****" in result.reason
    assert b"token=" + TOKEN.encode() in received[0], "the token travels in the form body"


def test_the_token_never_goes_into_the_address_or_a_connection_error(clock: FakeClock) -> None:
    adapter = _adapter("http://127.0.0.1:9", clock)
    answer = adapter.submit_batch([sample_item()])
    assert TOKEN not in repr(answer) and TOKEN not in repr(adapter)


BROKEN = """
import logging

from sync.adapters.addstream import AddstreamAdapter, build
from sync.adapters.outcomes import NotFound


class Leaky(AddstreamAdapter):
    def submit_batch(self, items):
        logging.getLogger("acme.adapter").debug("sending with %s", self._token.reveal())
        return super().submit_batch(items)


class Blind(AddstreamAdapter):
    def lookup(self, client_uuid):
        return NotFound()


def leaky(context):
    return Leaky(context.session, context.base_url, token=context.token, clock=context.clock)


def blind(context):
    return Blind(context.session, context.base_url, token=context.token, clock=context.clock)
"""


@pytest.mark.parametrize(
    ("name", "check", "why"),
    [
        ("acme-leaky", the_token_stays_out_of_logs_and_failures, "token appears"),
        ("acme-blind", nothing_is_marked_received_without_proof, "was sent again"),
        ("acme-blind", without_lookup_a_lookup_refuses, "NotFound"),
    ],
)
def test_the_conformance_checks_fail_a_broken_adapter(
    name: str,
    check: Callable[[CheckContext], None],
    why: str,
    tmp_path: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """A leaky and a blind copy of addstream, installed by entry point like any office's."""
    site = tmp_path / "site"
    entries = "acme-leaky = acme_broken:leaky\nacme-blind = acme_broken:blind"
    install(site, "acme_broken", "acme_broken", BROKEN, entries)
    monkeypatch.syspath_prepend(str(site))

    def desk() -> tuple[Desk, Actor]:
        return request.getfixturevalue("sqlite_desk"), request.getfixturevalue("sqlite_clerk")

    def advance(delta: dt.timedelta) -> None:
        clock.advance(seconds=delta.total_seconds())

    broken = Check("broken", check, uses_desk=True)
    with (
        opener(name, route="addstream")(tmp_path / "service", clock) as service,
        pytest.raises(AssertionError, match=why),
    ):
        run_check(broken, service, clock, advance, desk)


def test_a_complaint_that_may_be_there_waits_for_a_person_with_a_clear_message(
    service: ReferenceService, sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    complaint = queue(sqlite_desk, sqlite_clerk)
    adapter = service.adapter()
    config = fitted_config(EngineConfig(backoff=Backoff(random=lambda: 0.5)), adapter)
    engine = SyncEngine(adapter, store_for(sqlite_desk, clock), clock=clock, config=config)
    service.inject(Fault.STORED_THEN_DROPPED)
    engine.run_once()
    service.clear()
    clock.advance(hours=2)
    summary = engine.run_once()
    assert isinstance(summary.outcome, AuthProblem) and summary.needs_person
    assert isinstance(summary.outcome.failure, CannotLookUp)
    assert "situs LAPOR!" in summary.outcome.message.render("id")
    assert seen(sqlite_desk, complaint).needs_lookup
    assert len(service.held()) == 1
