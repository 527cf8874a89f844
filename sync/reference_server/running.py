"""Serving the app on a real socket: in a thread (tests, training mode) or in the foreground.

werkzeug's ``make_server`` gives a real threaded HTTP/1.1 server without
a hand-written parser. Its ``Date`` header follows the server's own clock
(clock-offset fault included), like every time the server reports.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email.utils import format_datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sync.protocol.receipts import public_key_text
from sync.reference_server.app import create_app
from sync.reference_server.config import Faults, ServerConfig
from sync.reference_server.recorder import RecordedRequest, RequestRecorder
from sync.reference_server.state import ServerState

_STOP_WAIT_SECONDS = 10.0


def _handler_for(state: ServerState) -> type[WSGIRequestHandler]:
    class Handler(WSGIRequestHandler):
        timeout = 120  # a half-open connection must not hold a thread forever

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(state.now(), usegmt=True)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Quiet: the request recorder keeps what tests need."""

    return Handler


def build_server(config: ServerConfig, host: str, port: int) -> RunningServer:
    """Open the store and bind the socket; nothing is served until ``serve_forever``."""
    state = ServerState(config)
    try:
        app, recorder = create_app(state)
        server = make_server(host, port, app, threaded=True, request_handler=_handler_for(state))
    except BaseException:
        state.close()
        raise
    return RunningServer(state=state, server=server, recorder=recorder)


@dataclass
class RunningServer:
    """A reference server bound to a socket; ``stop()`` closes everything it opened."""

    state: ServerState
    server: BaseWSGIServer
    recorder: RequestRecorder
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
