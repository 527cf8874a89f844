"""Typed outcomes for the expected ways a call to the national service can fail.

The engine matches on these instead of catching exceptions: offline, a
captive portal or a 429 are normal states, not errors. ``retryable`` says
whether trying again later can help; the others need a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lapor_desktop.i18n import N_, Message


@dataclass(frozen=True)
class Unauthorized:
    """401: the device token is bad or revoked."""

    detail: str = ""
    retryable: ClassVar[bool] = False

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! refused this computer's device token; ask IT staff to renew it."))


@dataclass(frozen=True)
class Forbidden:
    """403: the office may not do this."""

    detail: str = ""
    retryable: ClassVar[bool] = False

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! does not allow this office to do that."))


@dataclass(frozen=True)
class NotFound:
    """404: the server holds no such complaint or upload (a normal answer to a lookup)."""

    retryable: ClassVar[bool] = False

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! does not hold this record."))


@dataclass(frozen=True)
class RetryLater:
    """429 or 503 (or a busy upload): come back after ``retry_after`` seconds, if given."""

    status: int
    retry_after: float | None
    retryable: ClassVar[bool] = True

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! is busy; sending will be tried again later."))


@dataclass(frozen=True)
class TooLarge:
    """413: the request was too big; send fewer items or smaller parts."""

    max_bytes: int | None
    retryable: ClassVar[bool] = True

    @property
    def message(self) -> Message:
        return Message(
            N_("The request was too large for LAPOR!; it will be sent in smaller parts.")
        )


@dataclass(frozen=True)
class Rejected:
    """The whole request was refused (400, 409, 422, 460...); ``code`` is the problem code."""

    status: int
    code: str
    detail: str
    retryable: ClassVar[bool] = False

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! refused the request: {detail}"), {"detail": self.detail})


@dataclass(frozen=True)
class ServerError:
    """A 5xx other than 503: the server's fault, worth another try later."""

    status: int
    detail: str = ""
    retryable: ClassVar[bool] = True

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! had an internal error ({status})."), {"status": self.status})


@dataclass(frozen=True)
class MalformedResponse:
    """An answer that is not what the protocol promises (truncated, wrong shape, garbage)."""

    reason: str
    retryable: ClassVar[bool] = True

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! sent an answer that cannot be read."))


@dataclass(frozen=True)
class CaptivePortal:
    """An HTML page where JSON was due: a hotspot login page, not the national service."""

    status: int
    content_type: str
    retryable: ClassVar[bool] = True

    @property
    def message(self) -> Message:
        return Message(
            N_("The network wants a sign-in first (a hotspot login page); open a browser.")
        )


@dataclass(frozen=True)
class Unreachable:
    """No answer. ``maybe_delivered``: the request may have reached the server (look it up).

    ``timed_out``: the link was too slow or silent for the timeout (not refused
    or reset), the hint for the engine to send smaller batches.
    """

    reason: str
    maybe_delivered: bool
    timed_out: bool = False
    retryable: ClassVar[bool] = True

    @property
    def message(self) -> Message:
        return Message(N_("LAPOR! cannot be reached; the desk keeps working offline."))


@dataclass(frozen=True)
class CertificateProblem:
    """TLS verification failed: never retried automatically, a person must look."""

    reason: str
    retryable: ClassVar[bool] = False

    @property
    def message(self) -> Message:
        return Message(
            N_("The server's certificate could not be verified; ask IT staff to check it.")
        )


@dataclass(frozen=True)
class UntrustedReceipt:
    """A receipt whose signature does not verify with the configured keys."""

    client_uuid: str
    reason: str
    retryable: ClassVar[bool] = False

    @property
    def message(self) -> Message:
        return Message(
            N_("A receipt from LAPOR! could not be verified; ask IT staff to check the key.")
        )


Failure = (
    Unauthorized
    | Forbidden
    | RetryLater
    | TooLarge
    | Rejected
    | ServerError
    | MalformedResponse
    | CaptivePortal
    | Unreachable
    | CertificateProblem
    | UntrustedReceipt
)
FAILURE_TYPES = (
    Unauthorized,
    Forbidden,
    RetryLater,
    TooLarge,
    Rejected,
    ServerError,
    MalformedResponse,
    CaptivePortal,
    Unreachable,
    CertificateProblem,
    UntrustedReceipt,
)
