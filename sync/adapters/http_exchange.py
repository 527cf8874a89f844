"""One HTTP exchange with the national service, reduced to bytes or a typed failure.

The session is injected (``sync.transport`` makes one with verified TLS and
the device token), so this module never decides about certificates. It
maps network errors and HTTP statuses to ``outcomes``, spots captive
portals, caps the size of answers and notes the server's time.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import requests
from urllib3.exceptions import NewConnectionError

from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Failure,
    Forbidden,
    MalformedResponse,
    NotFound,
    Rejected,
    RetryLater,
    ServerError,
    TooLarge,
    Unauthorized,
    Unreachable,
)
from sync.adapters.service import ServerTimeSample
from sync.protocol.codec import decode_problem
from sync.protocol.messages import Problem
from sync.protocol.problems import PROBLEM_MEDIA_TYPE
from sync.protocol.wire import ProtocolError, dump_json, load_json, parse_time, whole_number

SERVER_TIME_HEADER = "X-Server-Time"
SMALL_EXCHANGE_BYTES = 4096
"""Bodies (each way, as sent) up to this size make a clock sample; a bigger one's transfer
time (seconds on a slow link) would be counted as clock offset."""
JSON_TYPES = frozenset({"application/json", PROBLEM_MEDIA_TYPE})
T = TypeVar("T")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


class HttpExchange:
    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        clock: Callable[[], dt.datetime],
        token: str | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        language: str = "id",
        compress_from: int = 1024,
        max_response_bytes: int = 32 * 1024 * 1024,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._clock = clock
        self._token = token
        self._timeout = timeout
        self._language = language
        self._compress_from = compress_from
        self._max_response_bytes = max_response_bytes
        self.last_server_time: ServerTimeSample | None = None
        self.bytes_sent = 0
        """Request bodies handed to the link so far, as sent (compressed), for progress."""

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Reply | Unreachable | CertificateProblem | MalformedResponse:
        """Send one request; the raw reply whatever its status, or why none came."""
        sent = {"Accept": "application/json", "Accept-Language": self._language}
        if self._token is not None:
            sent["Authorization"] = f"Bearer {self._token}"
        if json_body is not None:
            data = dump_json(json_body)
            sent["Content-Type"] = "application/json"
            if len(data) >= self._compress_from:
                data = gzip.compress(data, compresslevel=6, mtime=0)
                sent["Content-Encoding"] = "gzip"
        sent.update(headers or {})
        self.bytes_sent += len(data or b"")
        started = self._clock()
        try:
            with self._session.request(
                method,
                self.base_url + path,
                data=data,
                headers=sent,
                params=params,
                timeout=self._timeout,
                stream=True,
                allow_redirects=False,
            ) as response:
                body = self._read_capped(response)
                reply_headers = dict(response.headers)
                status = response.status_code
        except requests.exceptions.SSLError as error:
            return CertificateProblem(str(error))
        except requests.exceptions.RequestException as error:
            return Unreachable(
                str(error),
                maybe_delivered=not _never_connected(error),
                timed_out=isinstance(error, requests.exceptions.Timeout),
            )
        if body is None:
            return MalformedResponse("the answer is larger than allowed")
        reply = Reply(status, reply_headers, body)
        if max(len(data or b""), len(body)) <= SMALL_EXCHANGE_BYTES:
            self._note_time(reply, started)
        return reply

    def _read_capped(self, response: requests.Response) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self._max_response_bytes:
                return None
            parts.append(chunk)
        return b"".join(parts)

    def _note_time(self, reply: Reply, started: dt.datetime) -> None:
        """Only the protocol's own header: a portal's ``Date`` says nothing about LAPOR!.

        The server stamped its answer about half a round trip after ``started``: the
        local reading is the exchange's midpoint, so latency cancels out (as in NTP).
        """
        stamp = reply.headers.get(SERVER_TIME_HEADER)
        if stamp is None:
            return
        try:
            server_time = parse_time(stamp.strip())
        except ProtocolError:
            return
        local_time = started + (self._clock() - started) / 2
        self.last_server_time = ServerTimeSample(server_time, local_time)


def _never_connected(error: requests.exceptions.RequestException) -> bool:
    """True when the request certainly did not reach the server (refused, unresolvable)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(error, requests.exceptions.ConnectionError):
        return False
    pending: list[object] = [*error.args, error.__cause__, error.__context__]
    for _ in range(50):  # urllib3 nests its errors a few levels deep; never loop forever
        if not pending:
            break
        item = pending.pop()
        if isinstance(item, NewConnectionError):
            return True
        if isinstance(item, BaseException):
            pending.extend((getattr(item, "reason", None), item.__cause__, item.__context__))
    return False


def decode_json(reply: Reply, decoder: Callable[[object], T]) -> T | Failure:
    """A 2xx JSON answer decoded, or the failure it really is."""
    if reply.media_type not in JSON_TYPES:
        return not_json(reply)
    try:
        return decoder(load_json(reply.body))
    except ProtocolError as error:
        return MalformedResponse(str(error))


def not_json(reply: Reply) -> CaptivePortal | MalformedResponse:
    if reply.media_type in ("text/html", "application/xhtml+xml") or reply.body.lstrip()[
        :15
    ].lower().startswith((b"<!doctype html", b"<html")):
        return CaptivePortal(reply.status, reply.media_type)
    return MalformedResponse(f"expected JSON, got {reply.media_type or 'no content type'}")


def problem_of(reply: Reply) -> Problem | None:
    if reply.media_type not in JSON_TYPES:
        return None
    try:
        return decode_problem(load_json(reply.body))
    except ProtocolError:
        return None


def retry_after(reply: Reply, problem: Problem | None, now: dt.datetime) -> float | None:
    """Seconds to wait: ``Retry-After`` as seconds or as an HTTP date, else the problem's."""
    header = reply.headers.get("Retry-After", "").strip()
    seconds = whole_number(header)
    if seconds is not None:
        return float(seconds)
    if header:
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0.0, (when - now).total_seconds())
    return None if problem is None or problem.retry_after is None else float(problem.retry_after)


def failure_of(reply: Reply, now: dt.datetime) -> Failure | NotFound:
    """What a non-success status means for the engine."""
    problem = problem_of(reply)
    if reply.status < 300:
        return not_json(reply)
    if reply.status < 400 or reply.status == 511:
        # The protocol never redirects: a redirect is a hotspot sending us to its login page
        # (511 Network Authentication Required is the standard way to say so).
        return CaptivePortal(reply.status, reply.media_type)
    detail = problem.detail if problem is not None else ""
    status = reply.status
    if status == 401:
        return Unauthorized(detail)
    if status == 403:
        return Forbidden(detail)
    if status == 404:
        return NotFound()
    if status == 413:
        limit = problem.extras.get("max_bytes") if problem is not None else None
        return TooLarge(limit if isinstance(limit, int) and not isinstance(limit, bool) else None)
    if status in (429, 503, 423):
        return RetryLater(status, retry_after(reply, problem, now))
    if status >= 500:
        return ServerError(status, detail)
    code = problem.code if problem is not None and problem.code else str(status)
    return Rejected(status, code, detail)
