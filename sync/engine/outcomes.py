"""What a sync pass ended with: the one vocabulary the runner, the window and the command line read.

Offline is a normal state, not an error; an auth or certificate problem and
a captive portal need a person; a busy or failing service is waited out.
Each outcome declares, in one place, everything its readers need:

- ``kind``: a stable name, stored after every pass so a status display can
  tell offline from an auth problem without running one;
- ``connection``: the state the status bar shows;
- ``needs_person``: shown in the warning colour; no timer can fix it;
- ``message``: one sentence for the person reading it, in any language;
- ``retry``: when the runner tries again.

A new outcome is a new class here, added to ``PassOutcome`` (the engine's)
or ``SyncOutcome`` (also the runner's own); the type checker then names
every table that must learn it (the command line's exit codes).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import ClassVar, assert_never

from lapor_desktop.i18n import N_, Message
from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Failure,
    Forbidden,
    Unauthorized,
    UntrustedReceipt,
)


class Connection(enum.StrEnum):
    """How the desk stands with the national service, as the last outcome found it."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    CAPTIVE_PORTAL = "captive_portal"
    SERVICE_BUSY = "service_busy"
    NEEDS_ATTENTION = "needs_attention"
    NOT_CONFIGURED = "not_configured"

    @property
    def label(self) -> str:
        """The state in two or three words (a msgid), as the status bar shows it."""
        match self:
            case Connection.UNKNOWN:
                return N_("Not synced yet")
            case Connection.ONLINE:
                return N_("Online")
            case Connection.OFFLINE:
                return N_("Offline")
            case Connection.CAPTIVE_PORTAL:
                return N_("Hotspot sign-in needed")
            case Connection.SERVICE_BUSY:
                return N_("LAPOR! busy")
            case Connection.NEEDS_ATTENTION:
                return N_("Needs attention")
            case Connection.NOT_CONFIGURED:
                return N_("Not configured")
            case _:
                assert_never(self)


class Retry(enum.StrEnum):
    """When the runner tries again after an outcome."""

    ON_TIMER = "on_timer"
    """All is well: the next pass on the idle timer, or soon after a save."""
    PROBE = "probe"
    """Cheap probes with backoff until the service itself answers, then a pass at once."""
    AT_RETRY_AFTER = "at_retry_after"
    """Nothing before ``retry_at`` (the server's Retry-After or the backoff), not even if asked."""
    WHEN_A_PERSON_ACTS = "when_a_person_acts"
    """Only when someone asks (Sync now), or on the slow timer in case it was fixed elsewhere."""


OFFLINE = Message(N_("LAPOR! cannot be reached; the desk keeps working offline."))


@dataclass(frozen=True)
class Done:
    """Nothing more to do now: the queue is empty or waits only for its backoff."""

    kind: ClassVar[str] = "done"
    connection: ClassVar[Connection | None] = Connection.ONLINE
    needs_person: ClassVar[bool] = False
    retry: ClassVar[Retry] = Retry.ON_TIMER
    retry_at: ClassVar[None] = None

    @property
    def message(self) -> Message:
        return Message(
            N_("The national LAPOR! service answered; complaints are sent as they are saved.")
        )


@dataclass(frozen=True)
class Offline:
    """The service could not be reached; records that failed are due again at ``retry_at``."""

    kind: ClassVar[str] = "offline"
    connection: ClassVar[Connection | None] = Connection.OFFLINE
    needs_person: ClassVar[bool] = False
    retry: ClassVar[Retry] = Retry.PROBE

    reason: str
    retry_at: dt.datetime | None

    @property
    def message(self) -> Message:
        return OFFLINE


@dataclass(frozen=True)
class ServiceUnavailable:
    """Busy, failing or garbled answers (429, 503, 500, malformed): wait until ``retry_at``."""

    kind: ClassVar[str] = "service_unavailable"
    connection: ClassVar[Connection | None] = Connection.SERVICE_BUSY
    needs_person: ClassVar[bool] = False
    retry: ClassVar[Retry] = Retry.AT_RETRY_AFTER

    failure: Failure
    retry_at: dt.datetime | None

    @property
    def message(self) -> Message:
        """The failure's own sentence: busy, an internal error or an unreadable answer."""
        return self.failure.message


@dataclass(frozen=True)
class AuthProblem:
    """Token, permission, certificate or receipt key: never retried until a person fixes it."""

    kind: ClassVar[str] = "auth_problem"
    connection: ClassVar[Connection | None] = Connection.NEEDS_ATTENTION
    needs_person: ClassVar[bool] = True
    retry: ClassVar[Retry] = Retry.WHEN_A_PERSON_ACTS
    retry_at: ClassVar[None] = None

    failure: Unauthorized | Forbidden | CertificateProblem | UntrustedReceipt

    @property
    def message(self) -> Message:
        """The failure's own sentence, which names what IT staff must renew or check."""
        return self.failure.message


@dataclass(frozen=True)
class NeedsSignIn:
    """A captive portal answered: not success; someone must sign in to the hotspot."""

    kind: ClassVar[str] = "captive_portal"
    connection: ClassVar[Connection | None] = Connection.CAPTIVE_PORTAL
    needs_person: ClassVar[bool] = True
    retry: ClassVar[Retry] = Retry.PROBE
    """The probes notice the sign-in (the service answers again) and sync at once."""
    retry_at: ClassVar[None] = None

    failure: CaptivePortal

    @property
    def message(self) -> Message:
        return self.failure.message


@dataclass(frozen=True)
class Cancelled:
    """Someone pressed cancel; the pass stopped between requests, nothing half-recorded."""

    kind: ClassVar[str] = "cancelled"
    connection: ClassVar[Connection | None] = None
    """A cancelled pass reveals nothing about the link: the state shown before stands."""
    needs_person: ClassVar[bool] = False
    retry: ClassVar[Retry] = Retry.ON_TIMER
    retry_at: ClassVar[None] = None

    @property
    def message(self) -> Message:
        return Message(N_("Interrupted; what was sent is recorded, the rest stays queued."))


@dataclass(frozen=True)
class Unconfigured:
    """No pass could start: no national service or device token here; ``reason`` says which."""

    kind: ClassVar[str] = "not_configured"
    connection: ClassVar[Connection | None] = Connection.NOT_CONFIGURED
    needs_person: ClassVar[bool] = True
    retry: ClassVar[Retry] = Retry.WHEN_A_PERSON_ACTS
    retry_at: ClassVar[None] = None

    reason: Message

    @property
    def message(self) -> Message:
        return self.reason


@dataclass(frozen=True)
class UnexpectedError:
    """A bug or a database error ended the pass (``error_type`` names it); the log has the rest."""

    kind: ClassVar[str] = "unexpected_error"
    connection: ClassVar[Connection | None] = Connection.NEEDS_ATTENTION
    needs_person: ClassVar[bool] = True
    retry: ClassVar[Retry] = Retry.WHEN_A_PERSON_ACTS
    retry_at: ClassVar[None] = None

    error_type: str

    @property
    def message(self) -> Message:
        return Message(
            N_("Synchronisation stopped on an unexpected error ({kind}); it will try again later."),
            {"kind": self.error_type},
        )


PassOutcome = Done | Offline | ServiceUnavailable | AuthProblem | NeedsSignIn | Cancelled
"""What one engine pass ends with."""
SyncOutcome = PassOutcome | Unconfigured | UnexpectedError
"""Whatever the runner or a sync command can end on: a pass, a desk not set up, or a bug."""


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
    bundles_relayed: int = 0
    """Other desks' sealed bundles handed to the service; their return bundles wait here."""
    reference_updated: bool = False
    """A newer reference set (regions, agencies, categories) was installed."""
    outcome: PassOutcome = field(default_factory=Done)
    clock_offset: dt.timedelta | None = None
    """Server minus this PC, from the last answer (nothing depends on the PC's clock)."""
    left: int = 0
    """Records the lanes could still send when the pass ended (another process may hold
    some, or they wait for a backoff): "all sent" only when this is 0."""

    @property
    def needs_person(self) -> bool:
        return self.outcome.needs_person
