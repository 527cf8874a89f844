"""A tiny real HTTP/1.1 server on loopback that records what it received, for the proxy tests.

``GET /bytes?n=N`` answers N bytes (``&chunked=1`` in chunked coding);
``POST /echo`` answers the body it read. Every request is recorded, including
bodies that a reset cut short, so a test can tell what reached the server.
"""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANDLER_TIMEOUT_S = 5.0


@dataclasses.dataclass(frozen=True)
class Received:
    method: str
    path: str
    declared: int | None  # Content-Length, None when chunked or absent
    received: int
    complete: bool
    sha256: str


def pattern(size: int) -> bytes:
    """Deterministic bytes that are not all alike, so reordering or loss shows."""
    block = bytes(range(251))
    return (block * (size // len(block) + 1))[:size]


class EchoServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins the handler threads

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._condition = threading.Condition()
        self._received: list[Received] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, entry: Received) -> None:
        with self._condition:
            self._received.append(entry)
            self._condition.notify_all()

    def received(self) -> list[Received]:
        with self._condition:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The first ``count`` requests, once they have been recorded (or fail after timeout)."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self._received) >= count, timeout):
                raise TimeoutError(f"the server saw {len(self._received)} of {count} requests")
            return list(self._received)

    def handle_error(self, request: object, client_address: object) -> None:
        """Resets are what these tests inject: no traceback on stderr for them."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = HANDLER_TIMEOUT_S
    disable_nagle_algorithm = True  # head and body are separate writes: no 40 ms stalls
    server: EchoServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        size = int(query.get("n", ["0"])[0])
        self._record(None, b"", complete=True)
        body = pattern(size)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if query.get("chunked") == ["1"]:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, size, 7000):
                piece = body[start : start + 7000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.write(body)

    def do_POST(self) -> None:
        declared = self.headers.get("Content-Length")
        try:
            body = self._read_chunked() if declared is None else self._read_exact(int(declared))
        except _ShortBody as short:
            self._record(int(declared) if declared else None, short.data, complete=False)
            self.close_connection = True
            return
        self._record(int(declared) if declared else None, body, complete=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self, declared: int | None, body: bytes, *, complete: bool) -> None:
        digest = hashlib.sha256(body).hexdigest()
        entry = Received(self.command, self.path, declared, len(body), complete, digest)
        self.server.record(entry)

    def _read_exact(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            try:
                piece = self.rfile.read1(min(65536, size - len(data)))
            except OSError:
                piece = b""
            if not piece:
                raise _ShortBody(bytes(data))
            data += piece
        return bytes(data)

    def _read_chunked(self) -> bytes:
        data = bytearray()
        for _ in range(1_000_000):
            line = self.rfile.readline(1024)
            if not line.endswith(b"\n"):
                raise _ShortBody(bytes(data))
            size = int(line.split(b";")[0], 16)
            if size == 0:
                for _trailer in range(100):
                    if self.rfile.readline(1024) in (b"\r\n", b"\n", b""):
                        break
                return bytes(data)
            data += self._read_exact(size)
            self._read_exact(2)
        raise _ShortBody(bytes(data))


class _ShortBody(Exception):
    def __init__(self, data: bytes) -> None:
        super().__init__(f"body cut after {len(data)} bytes")
        self.data = data


@contextmanager
def running() -> Iterator[EchoServer]:
    """Serve on a free loopback port in a thread; shut down and join everything after."""
    server = EchoServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def closed_port() -> int:
    """A loopback port with nothing listening on it (free the instant it is returned)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
