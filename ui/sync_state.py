"""What the status bar and the sync panel show, as one plain value, and the words for it.

The controller builds a ``SyncView`` from the runner's events and the
database's counts; the widgets only draw it, so both always agree.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.sync_status import SyncStatus
from sync.engine import (
    AuthProblem,
    Cancelled,
    Done,
    NeedsSignIn,
    Offline,
    PassOutcome,
    ProgressSnapshot,
    ServiceUnavailable,
    SyncSummary,
)


class Connection(enum.StrEnum):
    """How the desk stands with the national service, as the last pass found it."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    CAPTIVE_PORTAL = "captive_portal"
    SERVICE_BUSY = "service_busy"
    NEEDS_ATTENTION = "needs_attention"
    NOT_CONFIGURED = "not_configured"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]

    @property
    def warns(self) -> bool:
        """A person must act (shown in the warning colour)."""
        return self in (
            Connection.CAPTIVE_PORTAL,
            Connection.NEEDS_ATTENTION,
            Connection.NOT_CONFIGURED,
        )


_LABELS = {
    Connection.UNKNOWN: N_("Not synced yet"),
    Connection.ONLINE: N_("Online"),
    Connection.OFFLINE: N_("Offline"),
    Connection.CAPTIVE_PORTAL: N_("Hotspot sign-in needed"),
    Connection.SERVICE_BUSY: N_("LAPOR! busy"),
    Connection.NEEDS_ATTENTION: N_("Needs attention"),
    Connection.NOT_CONFIGURED: N_("Not configured"),
}
_EXPLANATIONS = {
    Connection.UNKNOWN: N_("No sync has run since the desk was opened."),
    Connection.ONLINE: N_(
        "The national LAPOR! service answered; complaints are sent as they are saved."
    ),
    Connection.OFFLINE: N_(
        "The national service cannot be reached. Complaints wait safely on this computer "
        "and go as soon as the network returns."
    ),
    Connection.CAPTIVE_PORTAL: N_(
        "The network asks for a sign-in page (a hotspot or captive portal). Open a web browser, "
        "sign in to the network, then press Sync now."
    ),
    Connection.SERVICE_BUSY: N_(
        "The national service is busy or failing; the desk tries again by itself."
    ),
    Connection.NEEDS_ATTENTION: N_(
        "The national service refused this desk (device token, permission or certificate). "
        "Nothing is retried until IT staff fix it in Settings."
    ),
    Connection.NOT_CONFIGURED: N_("This desk does not know its national service yet."),
}

LONG_OFFLINE = dt.timedelta(days=1)
"""After this long without a successful sync, the first pass's summary is shown unasked."""


def connection_of(outcome: PassOutcome) -> Connection | None:
    """The state a pass's outcome reveals; None for a cancelled pass (it revealed nothing)."""
    if isinstance(outcome, Done):
        return Connection.ONLINE
    if isinstance(outcome, Offline):
        return Connection.OFFLINE
    if isinstance(outcome, NeedsSignIn):
        return Connection.CAPTIVE_PORTAL
    if isinstance(outcome, AuthProblem):
        return Connection.NEEDS_ATTENTION
    if isinstance(outcome, ServiceUnavailable):
        return Connection.SERVICE_BUSY
    assert isinstance(outcome, Cancelled), outcome
    return None


def brought_changes(summary: SyncSummary) -> bool:
    return any(
        (
            summary.sent,
            summary.already_present,
            summary.rejected,
            summary.conflicts,
            summary.status_updates,
        )
    )


@dataclass(frozen=True)
class SyncView:
    """Everything the sync widgets draw; replaced whole on every change."""

    connection: Connection = Connection.UNKNOWN
    status: SyncStatus | None = None
    running: bool = False
    progress: ProgressSnapshot | None = None
    summary: SyncSummary | None = None
    """The last finished pass's reconciliation summary."""
    problem: Message | None = None
    """What a person must do (not configured, the auth problem's detail)."""
