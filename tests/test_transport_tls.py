"""The HTTPS transport against a real TLS server on loopback, with trustme certificates."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import requests.exceptions as rex
import trustme
import urllib3.util.connection

from sync.device_token import DeviceToken
from sync.transport import (
    CertificateProblem,
    Misconfigured,
    TimedOut,
    TransportProblem,
    TransportRefused,
    TransportSettings,
    Unreachable,
    classify_transport_error,
    is_loopback_host,
    make_session,
)

SYNC = Path(__file__).resolve().parent.parent / "sync"
BODY = b'{"status": "ok"}'


@dataclass
class Seen:
    """What the server saw: TCP connections accepted, HTTP requests that got through TLS."""

    connections: int = 0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    handshake_failures: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer
    timeout = 5

    def do_GET(self) -> None:
        self.server.seen.requests.append((self.path, dict(self.headers)))
        if self.server.hold is not None:
            self.server.hold.wait(5)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads ``seen`` instead."""


class LoopbackServer(ThreadingHTTPServer):
    """A real HTTP(S) server on 127.0.0.1; TLS is set up per connection, so failures are seen."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, tls: ssl.SSLContext | None, body: bytes, hold: threading.Event | None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tls, self.body, self.hold = tls, body, hold
        self.seen = Seen()
        self.port = self.server_address[1]

    def url(self, host: str = "127.0.0.1") -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        self.seen.connections += 1
        return connection, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(5)
        try:
            tls_socket = self.tls.wrap_socket(request, server_side=True)
        except OSError as exc:
            self.seen.handshake_failures.append(str(exc))
            return
        with tls_socket:
            super().finish_request(tls_socket, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a read timeout) is expected here, not a failure."""


ServerFactory = Callable[..., LoopbackServer]


@pytest.fixture
def serve() -> Iterator[ServerFactory]:
    running: list[tuple[LoopbackServer, threading.Thread]] = []

    def start(
        cert: trustme.LeafCert | None = None,
        *,
        body: bytes = BODY,
        hold: threading.Event | None = None,
    ) -> LoopbackServer:
        tls = None
        if cert is not None:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(tls)
        server = LoopbackServer(tls, body, hold)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        running.append((server, thread))
        return server

    yield start
    for server, thread in running:
        if server.hold is not None:
            server.hold.set()
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def other_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "national-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def token() -> DeviceToken:
    return DeviceToken("tok_" + secrets.token_urlsafe(32))


def _settings(server: LoopbackServer, ca_file: Path | None, **timeouts: float) -> TransportSettings:
    return TransportSettings(server.url(), pinned_ca_file=ca_file, **timeouts)


def _fail(session: requests.Session, url: str, **kwargs: Any) -> tuple[Exception, TransportProblem]:
    with pytest.raises(rex.RequestException) as raised:
        session.get(url, **kwargs)
    return raised.value, classify_transport_error(raised.value)


def test_a_request_to_a_server_with_the_pinned_ca_succeeds(
    serve: ServerFactory, ca: trustme.CA, ca_file: Path, token: DeviceToken
) -> None:
    server = serve(ca.issue_cert("127.0.0.1", "localhost"))

    with make_session(_settings(server, ca_file), token) as session:
        by_address = session.get(server.url() + "/api/v1/ping")
        by_name = session.get(server.url("localhost") + "/api/v1/ping")

    assert by_address.status_code == by_name.status_code == 200
    assert by_address.json() == {"status": "ok"}
    assert [path for path, _headers in server.seen.requests] == ["/api/v1/ping"] * 2


def test_the_token_reaches_the_server_in_the_authorization_header(
    serve: ServerFactory, ca: trustme.CA, ca_file: Path, token: DeviceToken
) -> None:
    server = serve(ca.issue_cert("127.0.0.1"))

    with make_session(_settings(server, ca_file), token) as session:
        session.get(server.url() + "/api/v1/ping")

    [(_path, headers)] = server.seen.requests
    assert headers["Authorization"] == "Bearer " + token.reveal()


def test_the_token_is_not_sent_to_another_origin(
    serve: ServerFactory, ca: trustme.CA, ca_file: Path, token: DeviceToken
) -> None:
    national = serve(ca.issue_cert("127.0.0.1"))
    elsewhere = serve(ca.issue_cert("127.0.0.1"))

    with make_session(_settings(national, ca_file), token) as session:
        session.get(elsewhere.url() + "/collect")

    [(_path, headers)] = elsewhere.seen.requests
    assert "Authorization" not in headers


def test_a_certificate_from_another_ca_is_a_certificate_problem_never_retried(
    serve: ServerFactory, other_ca: trustme.CA, ca_file: Path, token: DeviceToken
) -> None:
    server = serve(other_ca.issue_cert("127.0.0.1"))

    with make_session(_settings(server, ca_file), token) as session:
        _exc, problem = _fail(session, server.url() + "/api/v1/ping")

    assert isinstance(problem, CertificateProblem)
    assert problem.retryable is False
    assert problem.maybe_delivered is False
    english = problem.message.render("en")
    assert f"127.0.0.1:{server.port}" in english
    assert "not signed by a certificate authority trusted" in english
    assert server.seen.connections == 1, "a certificate failure must not be retried"
    assert server.seen.requests == [], "nothing, the token least of all, reached that server"


def test_the_pinned_ca_is_the_only_one_trusted_whatever_the_caller_or_environment_says(
    serve: ServerFactory,
    other_ca: trustme.CA,
    ca_file: Path,
    token: DeviceToken,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = serve(other_ca.issue_cert("127.0.0.1"))
    other_bundle = tmp_path / "other-ca.pem"
    other_ca.cert_pem.write_to_path(str(other_bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other_bundle))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(other_bundle))

    with make_session(_settings(server, ca_file), token) as session:
        _exc, from_environment = _fail(session, server.url())
        _exc, unverified = _fail(session, server.url(), verify=False)
        _exc, other_bundle_asked = _fail(session, server.url(), verify=str(other_bundle))

    assert isinstance(from_environment, CertificateProblem)
    assert isinstance(unverified, CertificateProblem)
    assert isinstance(other_bundle_asked, CertificateProblem)
    assert server.seen.requests == []


def test_without_a_pinned_ca_the_system_store_is_used_and_a_private_ca_is_refused(
    serve: ServerFactory, ca: trustme.CA, token: DeviceToken
) -> None:
    server = serve(ca.issue_cert("127.0.0.1"))

    with make_session(_settings(server, None), token) as session:
        _exc, problem = _fail(session, server.url())

    assert isinstance(problem, CertificateProblem)


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "advice"),
    [(-30, -1, "has expired"), (1, 30, "is not valid yet")],
    ids=["expired", "not-yet-valid"],
)
def test_a_certificate_outside_its_validity_is_refused_with_advice_about_the_clock(
    serve: ServerFactory,
    ca: trustme.CA,
    ca_file: Path,
    token: DeviceToken,
    valid_from: int,
    valid_until: int,
    advice: str,
) -> None:
    now = dt.datetime.now(dt.UTC)
    cert = ca.issue_cert(
        "127.0.0.1",
        not_before=now + dt.timedelta(days=valid_from),
        not_after=now + dt.timedelta(days=valid_until),
    )
    server = serve(cert)

    with make_session(_settings(server, ca_file), token) as session:
        _exc, problem = _fail(session, server.url())

    assert isinstance(problem, CertificateProblem)
    english = problem.message.render("en")
    assert advice in english
    assert "date and time" in english
    assert server.seen.connections == 1
    assert server.seen.requests == []


@pytest.mark.parametrize("asked_for", ["127.0.0.1", "localhost"])
def test_a_certificate_for_another_name_is_refused(
    serve: ServerFactory, ca: trustme.CA, ca_file: Path, token: DeviceToken, asked_for: str
) -> None:
    server = serve(ca.issue_cert("lapor.example.go.id"))

    with make_session(_settings(server, ca_file), token) as session:
        _exc, problem = _fail(session, server.url(asked_for))

    assert isinstance(problem, CertificateProblem)
    assert "belongs to another server" in problem.message.render("en")
    assert server.seen.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://lapor.example.go.id/api",
        "http://10.0.0.1:8080/api",
        "http://127.0.0.1.nip.io/api",
        "http://localhost.example.com/api",
        "http://[::ffff:127.0.0.1]/api",
    ],
)
def test_plain_http_to_another_computer_is_refused_before_any_connection(
    url: str, token: DeviceToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def no_connection(*args: object, **kwargs: object) -> socket.socket:
        attempts.append(args)
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", no_connection)

    with pytest.raises(TransportRefused) as refused:
        make_session(TransportSettings(url), token)
    with (
        make_session(TransportSettings("https://lapor.example.go.id"), token) as session,
        pytest.raises(TransportRefused) as at_request,
    ):
        session.get(url)

    for exc in (refused.value, at_request.value):
        problem = classify_transport_error(exc)
        assert isinstance(problem, Misconfigured)
        assert problem.retryable is False
        assert "https://" in problem.message.render("en")
    assert attempts == []


def test_plain_http_on_loopback_is_allowed_for_training_and_tests(
    serve: ServerFactory, token: DeviceToken
) -> None:
    server = serve(None)

    with make_session(TransportSettings(server.url("localhost")), token) as session:
        answer = session.get(server.url() + "/api/v1/ping")

    assert answer.json() == {"status": "ok"}
    [(_path, headers)] = server.seen.requests
    assert "Authorization" not in headers  # another origin: localhost is not 127.0.0.1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("10.0.0.1", False),
        ("128.0.0.1", False),
        ("localhost.example.com", False),
        ("lapor.go.id", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("ftp://lapor.go.id/", "https://"),
        ("lapor.go.id/api", "https://"),
        ("https:///api", "https://"),
        ("https://user:secret@lapor.go.id/api", "user name or password"),
    ],
)
def test_unusable_addresses_are_refused_with_a_message(url: str, needle: str) -> None:
    with pytest.raises(TransportRefused) as refused:
        make_session(TransportSettings(url), None)

    english = refused.value.message.render("en")
    assert needle in english
    assert "secret" not in english


def test_a_missing_pinned_ca_file_is_refused_not_ignored(tmp_path: Path) -> None:
    settings = TransportSettings("https://lapor.go.id", pinned_ca_file=tmp_path / "gone.pem")

    with pytest.raises(TransportRefused) as refused:
        make_session(settings, None)

    assert "gone.pem" in refused.value.message.render("en")
    assert "never switched off" in refused.value.message.render("en")


@pytest.mark.parametrize("name", ["connect_timeout", "read_timeout", "total_deadline"])
@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf")])
def test_timeouts_must_be_positive(name: str, value: float) -> None:
    with pytest.raises(ValueError, match=name):
        TransportSettings("https://lapor.go.id", **{name: value})


def test_a_refused_connection_is_unreachable_and_retried_later(token: DeviceToken) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with make_session(TransportSettings(f"https://127.0.0.1:{port}"), token) as session:
        _exc, problem = _fail(session, f"https://127.0.0.1:{port}/api")

    assert isinstance(problem, Unreachable)
    assert problem.retryable is True
    assert problem.maybe_delivered is False


def test_a_server_that_does_not_answer_in_time_times_out_and_may_have_acted(
    serve: ServerFactory, ca: trustme.CA, ca_file: Path, token: DeviceToken
) -> None:
    server = serve(ca.issue_cert("127.0.0.1"), hold=threading.Event())

    with make_session(_settings(server, ca_file, read_timeout=0.2), token) as session:
        _exc, problem = _fail(session, server.url() + "/api/v1/complaints")

    assert isinstance(problem, TimedOut)
    assert problem.retryable is True
    assert problem.maybe_delivered is True  # look the record up before sending it again


def test_an_answer_trickling_past_the_total_deadline_times_out(
    serve: ServerFactory, ca: trustme.CA, ca_file: Path, token: DeviceToken
) -> None:
    server = serve(ca.issue_cert("127.0.0.1"), body=b"x" * (256 * 1024))
    ticks = iter(range(0, 10_000, 100))
    settings = _settings(server, ca_file, total_deadline=150.0)

    with make_session(settings, token, clock=lambda: float(next(ticks))) as session:
        _exc, problem = _fail(session, server.url() + "/api/v1/changes")
    with make_session(settings, token, clock=lambda: 0.0) as session:
        complete = session.get(server.url() + "/api/v1/changes")

    assert isinstance(problem, TimedOut)
    assert problem.maybe_delivered is True
    assert len(complete.content) == 256 * 1024
    assert sum(len(chunk) for chunk in complete.iter_content(4096)) == 256 * 1024


def test_the_token_never_appears_in_repr_logs_or_errors(
    serve: ServerFactory,
    ca: trustme.CA,
    other_ca: trustme.CA,
    ca_file: Path,
    token: DeviceToken,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    good = serve(ca.issue_cert("127.0.0.1"))
    bad = serve(other_ca.issue_cert("127.0.0.1"))
    secret = token.reveal()

    with make_session(_settings(good, ca_file), token) as session:
        # A careless caller puts the token in a URL: urllib3 logs that URL at DEBUG.
        session.get(good.url() + "/api/v1/ping", params={"token": secret})
        exc, problem = _fail(session, bad.url() + "/api/v1/ping?token=" + secret)
        logging.getLogger("sync.transport").exception("sync failed", exc_info=exc)
        shown = [repr(session.auth), str(session.auth), repr(token), str(token), f"{token}"]

    assert any(r.name.startswith("urllib3") for r in caplog.records)
    assert secret not in caplog.text
    assert "token=****" in caplog.text
    assert all(secret not in text for text in shown)
    assert repr(token) == "DeviceToken(****)"
    assert "****" in repr(session.auth)
    assert secret not in problem.message.render("en")
    assert secret not in problem.message.render("id")
    assert secret not in problem.detail


def test_no_module_of_the_sync_engine_turns_certificate_checks_off() -> None:
    forbidden = re.compile(r"verify\s*=\s*False|_create_unverified_context|CERT_NONE")
    offenders = [
        f"{path.relative_to(SYNC)}:{number}"
        for path in sorted(SYNC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert offenders == []
