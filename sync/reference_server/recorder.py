"""A record of every request the server received, so tests can assert on what crossed the wire.

A WSGI middleware: it hashes the body bytes as the application reads them
(before any gunzip) and drops the bearer token from the recorded headers.
Admin requests are not recorded. It also counts requests in flight, so
stopping the server can wait for them.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import io
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sync.protocol.wire import format_time

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ADMIN_PREFIX = "/_admin"
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-admin-token"})


@dataclass(frozen=True)
class RecordedRequest:
    seq: int
    received_at: dt.datetime
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    """As received, except that the token's value reads ``<redacted>``."""
    body_sha256: str
    body_length: int
    status: int
    remote_addr: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "received_at": format_time(self.received_at),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": [list(pair) for pair in self.headers],
            "body_sha256": self.body_sha256,
            "body_length": self.body_length,
            "status": self.status,
            "remote_addr": self.remote_addr,
        }


class _HashingInput(io.RawIOBase):
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.digest = hashlib.sha256()
        self.length = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        # read1: whatever has arrived, so a body cut off mid-way still yields its first part.
        reader = getattr(self._inner, "read1", self._inner.read)
        data = reader(len(view))
        count = len(data)
        view[:count] = data
        self.digest.update(data)
        self.length += count
        return count


class RequestRecorder:
    """Wraps the Flask app; ``requests()`` returns what was recorded, oldest first."""

    def __init__(self, app: WsgiApp, clock: Callable[[], dt.datetime], keep: int = 100_000) -> None:
        self._app = app
        self._clock = clock
        self._lock = threading.Lock()
        self._records: collections.deque[RecordedRequest] = collections.deque(maxlen=keep)
        self._seq = 0
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(ADMIN_PREFIX):
            return self._app(environ, start_response)
        received_at = self._clock()
        body = _HashingInput(environ["wsgi.input"])
        environ["wsgi.input"] = body
        status: list[int] = [0]

        def recording_start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = int(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        with self._lock:
            self._in_flight += 1
        try:
            return self._app(environ, recording_start_response)
        finally:
            self._record(environ, path, received_at, body, status[0])

    def _record(
        self,
        environ: dict[str, Any],
        path: str,
        received_at: dt.datetime,
        body: _HashingInput,
        status: int,
    ) -> None:
        headers = tuple(
            (_header_name(key), "<redacted>" if _is_secret(key) else str(value))
            for key, value in environ.items()
            if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")
        )
        with self._lock:
            self._seq += 1
            self._records.append(
                RecordedRequest(
                    seq=self._seq,
                    received_at=received_at,
                    method=str(environ.get("REQUEST_METHOD", "")),
                    path=path,
                    query=str(environ.get("QUERY_STRING", "")),
                    headers=headers,
                    body_sha256=body.digest.hexdigest(),
                    body_length=body.length,
                    status=status,
                    remote_addr=str(environ.get("REMOTE_ADDR", "")),
                )
            )
            self._in_flight -= 1
            self._idle.notify_all()

    def requests(self, since: int = 0) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self._records if r.seq > since]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)


def _header_name(key: str) -> str:
    name = key.removeprefix("HTTP_")
    return "-".join(part.capitalize() for part in name.split("_"))


def _is_secret(key: str) -> bool:
    return _header_name(key).lower() in _SECRET_HEADERS
