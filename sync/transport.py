"""HTTPS to the national LAPOR! service: certificates always checked, failures typed.

``make_session`` gives a ``requests.Session`` whose every request goes through
one adapter that forces certificate verification (the system's CAs, or only
the pinned CA when one is set), applies the timeouts, refuses plain http
except on this computer, and never retries on its own: the sync engine
decides, from ``classify_transport_error``, whether to try again later or to
show a problem a person must fix.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.exceptions as rex
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.models import PreparedRequest, Response

import lapor_desktop
from lapor_desktop.i18n import N_, Message
from sync.device_token import REDACTOR, DeviceToken
from sync.transport_problems import (
    CertificateProblem,
    Misconfigured,
    TimedOut,
    TransportProblem,
    TransportRefused,
    Unreachable,
    classify_transport_error,
    origin_of,
)

__all__ = [
    "CertificateProblem",
    "DeadlineExceeded",
    "Misconfigured",
    "TimedOut",
    "TransportProblem",
    "TransportRefused",
    "TransportSettings",
    "Unreachable",
    "check_base_url",
    "classify_transport_error",
    "is_loopback_host",
    "make_session",
]

log = logging.getLogger(__name__)

# Loggers that see URLs of our requests: the redaction filter goes on each.
_URLLIB3_MODULES = ("connection", "connectionpool", "poolmanager", "response", "util.retry")
REDACTED_LOGGERS = (__name__, "requests", *(f"urllib3.{name}" for name in _URLLIB3_MODULES))
_BODY_CHUNK_BYTES = 64 * 1024
_LOOPBACK_NAMES = frozenset({"localhost"})

_BAD_ADDRESS = N_(
    "The address of the national service must start with https:// and name a server; it is {url}."
)
_CREDENTIALS_IN_ADDRESS = N_(
    "The address of the national service must not contain a user name or password: the device "
    "token is what identifies this desk."
)
_PLAIN_HTTP = N_(
    "Refusing the unencrypted address {url}: the national service is only reached over "
    "https://. Plain http:// is allowed only on this computer (127.0.0.1, ::1, localhost), for "
    "training mode and tests."
)
_NO_PINNED_CA = N_(
    "The pinned certificate authority file {path} does not exist or is not a file. Correct the "
    "setting: certificate checks are never switched off."
)


@dataclass(frozen=True)
class TransportSettings:
    """Where the national service is and how long to wait for it (seconds)."""

    base_url: str
    pinned_ca_file: Path | None = None
    connect_timeout: float = 15.0
    read_timeout: float = 60.0
    total_deadline: float = 300.0

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_deadline"):
            value = getattr(self, name)
            if isinstance(value, bool) or not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds")


class DeadlineExceeded(rex.Timeout):
    """The whole answer took longer than ``total_deadline`` (a slow trickle, not silence)."""


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves this computer."""
    name = host.strip("[]").rstrip(".").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> Message | None:
    """Why this address of the national service cannot be used, or None when it can."""
    try:
        parts = urlsplit(url.strip())
        host, _port = parts.hostname, parts.port  # ValueError for a bad IPv6 host or port
    except ValueError:
        parts, host = urlsplit(""), None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        return Message(_BAD_ADDRESS, {"url": url})
    if parts.username is not None or parts.password is not None:
        return Message(_CREDENTIALS_IN_ADDRESS)
    if scheme == "http" and not is_loopback_host(host):
        return Message(_PLAIN_HTTP, {"url": url})
    return None


def make_session(
    settings: TransportSettings,
    token: DeviceToken | None,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> requests.Session:
    """A session for the national service; ``TransportRefused`` for unusable settings.

    The caller closes it (``with make_session(...) as session:``).
    """
    refusal = check_base_url(settings.base_url)
    if refusal is not None:
        raise TransportRefused(refusal)
    verify = _verify_setting(settings)
    session = requests.Session()
    adapter = _GuardedAdapter(settings, verify, clock)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.verify = verify
    session.headers["User-Agent"] = f"lapor-desktop/{lapor_desktop.__version__}"
    if token is not None:
        REDACTOR.register(token.reveal())
        session.auth = BearerAuth(token, settings.base_url)
    REDACTOR.install_on(REDACTED_LOGGERS)
    log.debug("transport to %s, trusting %s", settings.base_url, verify)
    return session


class BearerAuth(AuthBase):
    """Sends the device token, only to the national service's own origin."""

    def __init__(self, token: DeviceToken, base_url: str) -> None:
        self._token = token
        self._origin = origin_of(base_url)

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        if origin_of(r.url or "") == self._origin:
            r.headers["Authorization"] = "Bearer " + self._token.reveal()
        return r

    def __repr__(self) -> str:
        scheme, host, port = self._origin
        return f"BearerAuth({self._token!r}, origin='{scheme}://{host}:{port}')"


class _GuardedAdapter(HTTPAdapter):
    """Every request of the session passes here, so nothing can loosen the rules.

    Neither a caller's ``verify`` argument, nor ``REQUESTS_CA_BUNDLE``, nor a
    redirect can change what is trusted or reach a plain-http server elsewhere.
    """

    def __init__(
        self, settings: TransportSettings, verify: bool | str, clock: Callable[[], float]
    ) -> None:
        super().__init__(max_retries=0)  # retrying is the sync engine's decision
        self._settings = settings
        self._verify = verify
        self._clock = clock

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,  # ignored on purpose: self._verify always applies
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        scheme, host, _port = origin_of(request.url or "")
        if scheme == "http" and not is_loopback_host(host):
            refusal = Message(_PLAIN_HTTP, {"url": request.url})
            raise TransportRefused(refusal, request=request)
        _verify_setting(self._settings)  # the pinned CA file may have gone since
        deadline = self._clock() + self._settings.total_deadline
        if timeout is None:
            timeout = (self._settings.connect_timeout, self._settings.read_timeout)
        response = super().send(
            request, stream=True, timeout=timeout, verify=self._verify, cert=cert, proxies=proxies
        )
        remaining = max(0.0, deadline - self._clock())
        response.raw = _DeadlineBody(response.raw, _Watchdog(remaining, response), self._settings)
        if stream:
            return response  # read by the caller; the watchdog still ends it at the deadline
        try:
            self._read_body(response, deadline)
        except BaseException:
            response.close()
            raise
        return response

    def _read_body(self, response: Response, deadline: float) -> None:
        """What ``Response.content`` does, with the clock checked between chunks."""
        chunks: list[bytes] = []
        body = response.iter_content(_BODY_CHUNK_BYTES)
        while True:
            if self._clock() > deadline:
                raise DeadlineExceeded(
                    f"no complete answer within {self._settings.total_deadline:g} s",
                    request=response.request,
                )
            chunk = next(body, None)
            if chunk is None:
                break
            chunks.append(chunk)
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]


class _Watchdog:
    """Shuts the connection at the deadline, whatever the reading thread is blocked in.

    A read timeout restarts with every byte, so a server trickling a byte a
    second is never timed out by it; only closing the socket from outside
    stops a read that is already waiting.
    """

    def __init__(self, seconds: float, response: Response) -> None:
        self.fired = False
        self._response = response
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        connection = getattr(self._response.raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing left to stop
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


class _DeadlineBody:
    """The urllib3 body of a response, read under the request's wall-clock deadline."""

    def __init__(self, raw: Any, watchdog: _Watchdog, settings: TransportSettings) -> None:
        self._raw = raw
        self._watchdog = watchdog
        self._settings = settings

    def stream(self, amt: int = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        try:
            for chunk in self._raw.stream(amt, decode_content=decode_content):
                if self._watchdog.fired:
                    raise self._exceeded()
                yield chunk
            if self._watchdog.fired:
                raise self._exceeded()
        except (OSError, urllib3.exceptions.HTTPError) as error:
            if self._watchdog.fired:
                raise self._exceeded() from error
            raise
        finally:
            self._watchdog.cancel()

    def close(self) -> None:
        self._watchdog.cancel()
        self._raw.close()

    def release_conn(self) -> None:
        """Back to the pool: the watchdog must never shut a connection another request reuses."""
        self._watchdog.cancel()
        self._raw.release_conn()

    def _exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(f"no complete answer within {self._settings.total_deadline:g} s")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _verify_setting(settings: TransportSettings) -> bool | str:
    """``True`` (the system's CAs) or the pinned CA file, then the only CA trusted."""
    pinned = settings.pinned_ca_file
    if pinned is None:
        return True
    if not pinned.is_file():
        raise TransportRefused(Message(_NO_PINNED_CA, {"path": str(pinned)}))
    return str(pinned)
