"""What the status bar and the sync panel show, as one plain value.

The controller builds a ``SyncView`` from the runner's events and the
database's counts; the widgets only draw it, so both always agree. What an
outcome means (its state, whether a person must act, its sentence) is the
outcome's own declaration in ``sync.engine.outcomes``; nothing here maps it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.sync_status import SyncStatus
from sync.engine import Connection, ProgressSnapshot, SyncOutcome, SyncSummary

__all__ = ["LONG_OFFLINE", "NOT_SYNCED_YET", "Connection", "SyncView", "brought_changes"]

NOT_SYNCED_YET = Message(N_("No sync has run since the desk was opened."))
LONG_OFFLINE = dt.timedelta(days=1)
"""After this long without a successful sync, the first pass's summary is shown unasked."""


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

    outcome: SyncOutcome | None = None
    """The outcome the shown state stands on; None before the first (a cancelled pass keeps it)."""
    status: SyncStatus | None = None
    running: bool = False
    progress: ProgressSnapshot | None = None
    summary: SyncSummary | None = None
    """The last finished pass's reconciliation summary."""

    @property
    def connection(self) -> Connection:
        if self.outcome is None or self.outcome.connection is None:
            return Connection.UNKNOWN
        return self.outcome.connection

    @property
    def needs_person(self) -> bool:
        """Shown in the warning colour: no timer will fix it."""
        return self.outcome is not None and self.outcome.needs_person

    @property
    def message(self) -> Message:
        """The one sentence that explains the state."""
        return NOT_SYNCED_YET if self.outcome is None else self.outcome.message
