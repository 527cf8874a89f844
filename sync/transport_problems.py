"""What a failed request to the national service means: retry later, or a person must act.

Kept apart from :mod:`sync.transport` (which makes the requests) so the
advice a person reads sits in one place, with the OpenSSL codes it reads.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, TypeAlias
from urllib.parse import urlsplit

import requests.exceptions as rex
import urllib3.exceptions
from requests.models import PreparedRequest

from lapor_desktop.i18n import N_, Message
from sync.device_token import REDACTOR

_CONFIGURATION_ERRORS = (rex.InvalidURL, rex.MissingSchema, rex.InvalidSchema)
_REDIRECT_OR_HEADER_ERRORS = (rex.InvalidHeader, rex.TooManyRedirects)

_UNREACHABLE = N_(
    "The national LAPOR! service at {host} cannot be reached (no network, or the service is "
    "down). Complaints stay in the outbox; sync will try again."
)
_NO_ANSWER = N_(
    "The national LAPOR! service at {host} did not answer in time. Complaints stay in the "
    "outbox; sync will try again."
)
_NOT_AS_CONFIGURED = N_(
    "The request to {host} cannot be made as configured ({reason}). Check the address of the "
    "national service in the settings."
)
_TLS_FAILED = N_(
    "A secure connection to {host} could not be made ({reason}), so nothing was sent. Ask IT "
    "staff to check the certificate settings and any proxy."
)
_UNTRUSTED_ADVICE = N_(
    "The certificate of {host} is not signed by a certificate authority trusted for the "
    "national service, so the connection was refused and nothing was sent. The connection may "
    "be intercepted (a hotspot sign-in page or an office proxy): sign in to the hotspot, or ask "
    "IT staff to check the pinned certificate authority."
)
_MISMATCH_ADVICE = N_(
    "The certificate presented by {host} belongs to another server, so the connection was "
    "refused and nothing was sent. Check the address of the national service; on a hotspot "
    "that needs a sign-in page, sign in with a browser first."
)
# OpenSSL verify codes (X509_V_ERR_*): 9 not yet valid, 10 expired, 62/64 name or address
# mismatch, 2/18/19/20/21 an issuer that is not trusted.
_CERTIFICATE_ADVICE = {
    9: N_(
        "The certificate of {host} is not valid yet, so the connection was refused and nothing "
        "was sent. This computer's date and time are probably wrong: correct them and sync again."
    ),
    10: N_(
        "The certificate of {host} has expired, so the connection was refused and nothing was "
        "sent. Check that this computer's date and time are right; if they are, tell the "
        "national LAPOR! service."
    ),
    **dict.fromkeys((62, 64), _MISMATCH_ADVICE),
    **dict.fromkeys((2, 18, 19, 20, 21), _UNTRUSTED_ADVICE),
}


class TransportRefused(rex.RequestException):
    """Refused by our own rules before any connection was made; ``message`` says what to fix."""

    def __init__(self, message: Message, *, request: PreparedRequest | None = None) -> None:
        super().__init__(message.bilingual(), request=request)
        self.message = message


@dataclass(frozen=True)
class CertificateProblem:
    """The server's certificate was not accepted; nothing was sent.

    Never retried automatically: waiting does not fix a certificate, and
    retrying blindly against an interceptor repeats the exposure. A person
    acts (corrects the clock, signs in to a hotspot, updates the pinned CA)
    and then syncs again.
    """

    message: Message
    detail: str = ""
    retryable: ClassVar[bool] = False
    maybe_delivered: ClassVar[bool] = False


@dataclass(frozen=True)
class Unreachable:
    """No connection, or it broke; ``maybe_delivered`` means look the record up before resending."""

    message: Message
    maybe_delivered: bool = False
    detail: str = ""
    retryable: ClassVar[bool] = True


@dataclass(frozen=True)
class TimedOut:
    """No answer in time; after a read timeout the server may have acted on the request."""

    message: Message
    maybe_delivered: bool = False
    detail: str = ""
    retryable: ClassVar[bool] = True


@dataclass(frozen=True)
class Misconfigured:
    """The settings make the request impossible or unsafe; a person must change them."""

    message: Message
    detail: str = ""
    retryable: ClassVar[bool] = False
    maybe_delivered: ClassVar[bool] = False


TransportProblem: TypeAlias = CertificateProblem | Unreachable | TimedOut | Misconfigured


def classify_transport_error(exc: rex.RequestException) -> TransportProblem:
    """What a failed request means for the sync engine: retry later, or a person must act."""
    host = _host_of(exc)
    detail = REDACTOR.redact(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, TransportRefused):
        return Misconfigured(exc.message, detail)
    if isinstance(exc, rex.SSLError):
        return CertificateProblem(_certificate_message(exc, host), detail)
    if isinstance(exc, _CONFIGURATION_ERRORS + _REDIRECT_OR_HEADER_ERRORS):
        params = {"host": host, "reason": type(exc).__name__}
        return Misconfigured(Message(_NOT_AS_CONFIGURED, params), detail)
    connecting = _caused_by(exc, urllib3.exceptions.NewConnectionError)
    if isinstance(exc, rex.Timeout) or _caused_by(exc, urllib3.exceptions.ReadTimeoutError):
        delivered = not (isinstance(exc, rex.ConnectTimeout) or connecting)
        return TimedOut(Message(_NO_ANSWER, {"host": host}), delivered, detail)
    return Unreachable(Message(_UNREACHABLE, {"host": host}), not connecting, detail)


def _certificate_message(exc: rex.SSLError, host: str) -> Message:
    """Advice for the person who must act; the OpenSSL verify code tells what went wrong."""
    failure = next((e for e in _chain(exc) if isinstance(e, ssl.SSLCertVerificationError)), None)
    advice = _CERTIFICATE_ADVICE.get(failure.verify_code) if failure is not None else None
    if advice is not None:
        return Message(advice, {"host": host})
    *_, innermost = _chain(exc)
    reason = REDACTOR.redact(str(failure or innermost))
    return Message(_TLS_FAILED, {"host": host, "reason": reason})


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port): what decides where the token may go."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").rstrip("."), port


def _host_of(exc: rex.RequestException) -> str:
    _scheme, host, port = origin_of(getattr(exc.request, "url", None) or "")
    return f"{host or '?'}:{port}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (args, causes, urllib3's ``reason``)."""
    seen: set[int] = set()
    pending = [exc]
    while pending and len(seen) < 32:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [*current.args, current.__cause__, current.__context__]
        linked.append(getattr(current, "reason", None))
        pending.extend(e for e in linked if isinstance(e, BaseException))


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(e, kind) for e in _chain(exc))
