"""What a sync pass ended with, for the GUI and the command line.

Offline is a normal state, not an error; an auth or certificate problem and
a captive portal need a person; a busy or failing service is waited out.
Each outcome's ``kind`` is a stable name, stored after every pass so a status
display can tell offline from an auth problem without running one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Failure,
    Forbidden,
    Unauthorized,
    UntrustedReceipt,
)


@dataclass(frozen=True)
class Done:
    """Nothing more to do now: the queue is empty or waits only for its backoff."""

    kind: ClassVar[str] = "done"


@dataclass(frozen=True)
class Offline:
    """The service could not be reached; the next pass is due at ``retry_at``."""

    kind: ClassVar[str] = "offline"

    reason: str
    retry_at: dt.datetime | None


@dataclass(frozen=True)
class ServiceUnavailable:
    """Busy, failing or garbled answers (429, 503, 500, malformed): wait until ``retry_at``."""

    kind: ClassVar[str] = "service_unavailable"

    failure: Failure
    retry_at: dt.datetime | None


@dataclass(frozen=True)
class AuthProblem:
    """Token, permission, certificate or receipt key: never retried until a person fixes it."""

    kind: ClassVar[str] = "auth_problem"

    failure: Unauthorized | Forbidden | CertificateProblem | UntrustedReceipt


@dataclass(frozen=True)
class NeedsSignIn:
    """A captive portal answered: not success; someone must sign in to the hotspot."""

    kind: ClassVar[str] = "captive_portal"

    failure: CaptivePortal


@dataclass(frozen=True)
class Cancelled:
    """Someone pressed cancel; the pass stopped between requests, nothing half-recorded."""

    kind: ClassVar[str] = "cancelled"


PassOutcome = Done | Offline | ServiceUnavailable | AuthProblem | NeedsSignIn | Cancelled


@dataclass
class SyncSummary:
    """The reconciliation summary of one pass: the first thing shown after a long offline spell."""

    sent: int = 0
    already_present: int = 0
    rejected: int = 0
    conflicts: int = 0
    status_updates: int = 0
    attachments_sent: int = 0
    follow_ups_sent: int = 0
    reference_updated: bool = False
    """A newer reference set (regions, agencies, categories) was installed."""
    outcome: PassOutcome = field(default_factory=Done)
    clock_offset: dt.timedelta | None = None
    """Server minus this PC, from the last answer (nothing depends on the PC's clock)."""

    @property
    def needs_person(self) -> bool:
        return isinstance(self.outcome, AuthProblem | NeedsSignIn)
