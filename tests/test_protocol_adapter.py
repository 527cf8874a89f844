"""The adapter against misbehaving servers: every odd answer is a typed outcome, never a crash."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import threading
import uuid
from collections.abc import Iterator

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.adapters import (
    CaptivePortal,
    LaporV1Adapter,
    MalformedResponse,
    Rejected,
    RetryLater,
    ServerError,
    Unreachable,
)
from sync.protocol.messages import ServerClock
from tests.support.clock import FakeClock
from tests.support.reference_server import sample_item

KEY = Ed25519PrivateKey.generate().public_key()
CLOSE = b""


@contextlib.contextmanager
def canned_server(answer: bytes) -> Iterator[str]:
    """A loopback server that reads one request per connection and answers ``answer`` raw.

    An empty answer closes the connection without a word, after the request arrived.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                received = b""
                while b"\r\n\r\n" not in received:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                if answer:
                    connection.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopping.set()
        thread.join(5)
        listener.close()


def _http(status: str, body: bytes, content_type: str, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    lines += [*headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode() + body


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


def _adapter(session: requests.Session, url: str, **options: object) -> LaporV1Adapter:
    return LaporV1Adapter(
        session,
        url,
        trusted_keys=[KEY],
        token="t",
        timeout=(2.0, 2.0),
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            _http("200 OK", b'{"server_time": "2026-11-27T02:30:00Z", "resu', "application/json"),
            MalformedResponse,
        ),
        (
            _http("200 OK", b'{"server_time": "2026-11-27T02:30:00Z"}', "application/json"),
            MalformedResponse,
        ),
        (
            _http("200 OK", b'{"server_time": "yesterday", "results": []}', "application/json"),
            MalformedResponse,
        ),
        (_http("200 OK", b"<html><body>Login</body></html>", "text/html"), CaptivePortal),
        (
            _http("200 OK", b"<!DOCTYPE html><html></html>", "application/octet-stream"),
            CaptivePortal,
        ),
        (
            _http("302 Found", b"", "text/plain", "Location: http://portal.example/login"),
            CaptivePortal,
        ),
        (_http("200 OK", b"\x00" * 1000, "application/json"), MalformedResponse),
        (_http("502 Bad Gateway", b"<html>nginx</html>", "text/html"), ServerError),
        (_http("511 Network Authentication Required", b"<html/>", "text/html"), CaptivePortal),
        (_http("504 Gateway Timeout", b"oops", "text/plain"), ServerError),
        (_http("503 Service Unavailable", b"", "text/plain", "Retry-After: 30"), RetryLater),
        (_http("418 I'm a teapot", b"", "text/plain"), Rejected),
        (CLOSE, Unreachable),
    ],
    ids=[
        "truncated",
        "wrong-shape",
        "bad-time",
        "html",
        "sniffed-html",
        "redirect",
        "garbage",
        "html-502",
        "511",
        "504",
        "503",
        "418",
        "closed",
    ],
)
def test_odd_answers_to_a_batch_are_typed_outcomes(
    session: requests.Session, answer: bytes, expected: type
) -> None:
    with canned_server(answer) as url:
        outcome = _adapter(session, url).submit_batch([sample_item()])
    assert isinstance(outcome, expected), outcome


def test_a_retry_after_date_is_turned_into_seconds(session: requests.Session) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC))
    answer = _http("429 Too Many", b"", "text/plain", "Retry-After: Fri, 27 Nov 2026 02:31:00 GMT")
    with canned_server(answer) as url:
        outcome = _adapter(session, url, clock=clock).server_time()
    assert outcome == RetryLater(429, 60.0)


def test_a_ten_megabyte_garbage_answer_is_malformed(session: requests.Session) -> None:
    answer = _http("200 OK", b"x" * 10_000_000, "application/json")
    with canned_server(answer) as url:
        assert isinstance(_adapter(session, url).server_time(), MalformedResponse)


def test_a_connection_closed_after_the_request_may_have_delivered_it(
    session: requests.Session,
) -> None:
    with canned_server(CLOSE) as url:
        outcome = _adapter(session, url).submit_batch([sample_item()])
    assert isinstance(outcome, Unreachable) and outcome.maybe_delivered


def test_a_refused_connection_certainly_did_not_deliver(session: requests.Session) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = _adapter(session, f"http://127.0.0.1:{port}").submit_batch([sample_item()])
    assert isinstance(outcome, Unreachable) and not outcome.maybe_delivered


def test_the_server_time_header_is_recorded_from_any_answer(session: requests.Session) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 2, 25, tzinfo=dt.UTC))
    body = json.dumps(
        {"server_time": "2026-11-27T02:30:00.000000Z", "api_version": "v1", "office_code": "2104"}
    ).encode()
    answer = _http("200 OK", body, "application/json", "X-Server-Time: 2026-11-27T02:30:00Z")
    with canned_server(answer) as url:
        adapter = _adapter(session, url, clock=clock)
        assert isinstance(adapter.server_time(), ServerClock)
    assert adapter.last_server_time is not None
    assert adapter.last_server_time.offset == dt.timedelta(minutes=5)


def test_a_result_about_another_uuid_is_malformed(session: requests.Session) -> None:
    body = json.dumps(
        {
            "server_time": "2026-11-27T02:30:00Z",
            "results": [
                {
                    "index": 0,
                    "client_uuid": str(uuid.uuid4()),
                    "outcome": "rejected",
                    "code": "malformed",
                    "reason": "",
                    "field": None,
                }
            ],
        }
    ).encode()
    with canned_server(_http("200 OK", body, "application/json")) as url:
        outcome = _adapter(session, url).submit_batch([sample_item()])
    assert isinstance(outcome, MalformedResponse)
