"""Serving the app on a real socket: in a thread (tests, training mode) or in the foreground.

werkzeug's ``make_server`` gives a real threaded HTTP/1.1 server without
a hand-written parser. Connections are kept alive between requests (a new
connection costs a round trip on a slow link), and on stop the idle ones are
closed so no client goes on talking to a stopped server. Its ``Date`` header
follows the server's own clock (clock-offset fault included), like every
time the server reports.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import socket
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sync.protocol.receipts import public_key_text
from sync.protocol.wire import whole_number
from sync.reference_server.app import create_app
from sync.reference_server.config import Faults, ServerConfig
from sync.reference_server.faults import guard_admin
from sync.reference_server.recorder import RecordedRequest, RequestRecorder
from sync.reference_server.state import ServerState

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_STOP_WAIT_SECONDS = 10.0
_SKIP_AT_MOST_BYTES = 1024 * 1024
"""A connection whose answer left more of the body unread than this is closed after it."""
_NOTHING_TO_DRAIN = io.BytesIO(b"")


class OpenConnections:
    """The client connections being served, so that stopping can end the idle ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def add(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.add(connection)

    def discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)

    def stop_reading(self) -> None:
        """No further request on any of them: a handler waiting for one sees the end of the
        stream, while one answering a request still writes its answer, then closes."""
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RD)


class RequestBody(io.RawIOBase):
    """A request's body as the app reads it, so that what it left unread can be skipped.

    A kept-alive connection's next request starts where this body ends: the
    rest of a body refused unread (a 401, a 413) is read and dropped first.
    """

    def __init__(self, stream: io.BufferedIOBase, length: int) -> None:
        super().__init__()
        self._stream = stream
        self.left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")[: self.left]
        if not view:
            return 0
        count = self._stream.readinto1(view) or 0
        self.left -= count
        if count == 0:
            self.left = 0  # the client stopped sending: the connection ends anyway
        return count

    def skip_rest(self) -> None:
        while self.left and self.read(min(self.left, 65536)):
            pass


def _handler_for(state: ServerState, connections: OpenConnections) -> type[WSGIRequestHandler]:
    class Handler(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive; werkzeug frames every answer
        # Headers and body go out in two writes: with Nagle's algorithm on, a kept-alive
        # connection's body waits for the client's delayed ACK (40 ms) on every answer.
        disable_nagle_algorithm = True
        timeout = 120  # a half-open connection must not hold a thread forever
        body: RequestBody | None = None

        def handle(self) -> None:
            connections.add(self.connection)
            try:
                super().handle()
            finally:
                connections.discard(self.connection)

        def make_environ(self) -> WSGIEnvironment:
            """The body framed by its length, read through ``RequestBody``.

            werkzeug drains the socket after each answer (it closes every connection);
            on a kept-alive one that would eat the next request, so it is shown an
            empty stream, and the body's unread rest is skipped here instead (up to
            ``_SKIP_AT_MOST_BYTES``; beyond, and for uploads, the connection closes).
            """
            environ = super().make_environ()
            self.body = None
            length = whole_number(environ.get("CONTENT_LENGTH") or "0")
            if "HTTP_TRANSFER_ENCODING" not in environ and length is not None:
                self.body = RequestBody(environ["wsgi.input"], length)
                environ["wsgi.input"] = self.body
                self.rfile = _NOTHING_TO_DRAIN
            return environ

        def send_header(self, keyword: str, value: str) -> None:
            """Keep the connection when the client wants it and the body is framed."""
            closing = keyword.lower() == "connection" and value.lower() == "close"
            if closing and not self.close_connection and self._body_skippable():
                return
            super().send_header(keyword, value)

        def _body_skippable(self) -> bool:
            """Uploads (tus PATCH) close as before: one costs megabytes, not a round trip."""
            if self.command == "PATCH":
                return False
            return self.body is not None and self.body.left <= _SKIP_AT_MOST_BYTES

        def handle_one_request(self) -> None:
            stream = self.rfile
            try:
                super().handle_one_request()
                if self.body is not None and not self.close_connection:
                    self.body.skip_rest()  # a closing one drops it: an upload cut mid-body
            finally:
                self.rfile, self.body = stream, None

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(state.now(), usegmt=True)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Quiet: the request recorder keeps what tests need."""

    return Handler


def build_server(config: ServerConfig, host: str, port: int) -> RunningServer:
    """Open the store and bind the socket; nothing is served until ``serve_forever``."""
    state = ServerState(config)
    connections = OpenConnections()
    admin_token = config.admin_token or secrets.token_urlsafe(24)
    try:
        app, recorder = create_app(state)
        guard_admin(app, enabled=config.fault_injection, token=admin_token)
        handler = _handler_for(state, connections)
        server = make_server(host, port, app, threaded=True, request_handler=handler)
    except BaseException:
        state.close()
        raise
    return RunningServer(
        state=state,
        server=server,
        recorder=recorder,
        connections=connections,
        admin_token=admin_token if config.fault_injection else None,
    )


@dataclass
class RunningServer:
    """A reference server bound to a socket; ``stop()`` closes everything it opened."""

    state: ServerState
    server: BaseWSGIServer
    recorder: RequestRecorder
    connections: OpenConnections = field(default_factory=OpenConnections)
    admin_token: str | None = field(default=None, repr=False)
    """What ``/_admin`` wants in ``X-Admin-Token``; None when fault injection is off."""
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.state.signer.public_key

    @property
    def public_key_text(self) -> str:
        """What the desk puts in its configuration to verify receipts."""
        return public_key_text(self.public_key)

    @property
    def tokens(self) -> dict[str, str]:
        """Office code -> a device token the server accepts (``2171`` is a suspended office)."""
        return {t.office_code: t.token for t in self.state.default_tokens}

    def requests(self, since: int = 0) -> list[RecordedRequest]:
        return self.recorder.requests(since)

    def set_faults(self, **changes: object) -> Faults:
        return self.state.faults.update(changes)

    def serve_forever(self) -> None:
        try:
            self.server.serve_forever(poll_interval=0.1)
        finally:
            self.connections.stop_reading()
            self.recorder.wait_idle(_STOP_WAIT_SECONDS)
            self.state.close()

    def start(self) -> RunningServer:
        self._thread = threading.Thread(
            target=self.serve_forever, name="lapor-reference-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish, close the socket and the store."""
        if self._thread is None:
            return
        self.server.shutdown()
        self._thread.join(_STOP_WAIT_SECONDS + 5)
        self._thread = None

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_in_thread(config: ServerConfig, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """A server on ``host:port`` (port 0: a free one), serving from a background thread."""
    return build_server(config, host, port).start()
