"""Where the desk stands with the national service, read from the database alone.

The status bar, ``lapor-desktop sync-status`` and a monitoring script all
read the same figures: counts only, never a complainant's data, so any
signed-in role may see them. Nothing here needs the network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.services.outbox_leases import for_sync, stranded_owners
from lapor_desktop.services.quarantine import is_open
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import OutboxEntry, SyncValue

CLOCK_OFFSET_KEY = "clock_offset_seconds"
LAST_SUCCESS_KEY = "last_success_at"
LAST_ATTEMPT_KEY = "last_attempt_at"
LAST_OUTCOME_KEY = "last_outcome"
"""Written by the sync engine (``sync.engine``); the names are shared with it."""

WEBSITE = OutboxKind.WEBSITE_SUBMIT.value

CLOCK_WARNING = dt.timedelta(minutes=5)
"""Beyond this the PC's clock is visibly wrong (Anki refuses at 300 s; we only warn)."""


@dataclass(frozen=True)
class SyncStatus:
    pending: int
    """Waiting for a sync to send them: ``sending`` and ``waiting`` are part of it.

    Never the website lane's: a person types those (``typing``), no sync ever sends them.
    """
    sending: int
    """Leased by a workstation's sync right now (never a lease whose process is gone)."""
    waiting: int
    """Backing off after a failed attempt, until their next attempt time."""
    quarantined: int
    sent: int
    last_success_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_outcome: str | None
    clock_offset: dt.timedelta | None
    """Server minus this PC at the last answer."""
    oldest_pending_age: dt.timedelta | None
    typing: int = 0
    """Waiting for an operator to type them into the LAPOR! website (the website lane)."""

    @property
    def clock_warning(self) -> bool:
        return self.clock_offset is not None and abs(self.clock_offset) > CLOCK_WARNING


def read_status(database: Database, *, now: dt.datetime) -> SyncStatus:
    with database.read() as session:
        queued = OutboxEntry.state == OutboxState.PENDING.value
        pending = queued & for_sync()
        stranded = stranded_owners(session, now)
        sending = pending & (OutboxEntry.lease_expires_at > now)
        if stranded:
            sending = sending & OutboxEntry.lease_owner.not_in(stranded)
        waiting = pending & (OutboxEntry.next_attempt_at > now)
        oldest = session.scalar(select(func.min(OutboxEntry.created_at)).where(pending))
        values = {row.key: row.value for row in session.scalars(select(SyncValue))}
        return SyncStatus(
            pending=_count(session, pending),
            sending=_count(session, sending),
            waiting=_count(session, waiting),
            quarantined=_count(session, is_open()),
            sent=_count(session, OutboxEntry.state == OutboxState.DONE.value),
            last_success_at=_moment(values.get(LAST_SUCCESS_KEY)),
            last_attempt_at=_moment(values.get(LAST_ATTEMPT_KEY)),
            last_outcome=values.get(LAST_OUTCOME_KEY),
            clock_offset=_seconds(values.get(CLOCK_OFFSET_KEY)),
            oldest_pending_age=None if oldest is None else max(dt.timedelta(0), now - oldest),
            typing=_count(session, queued & (OutboxEntry.kind == WEBSITE)),
        )


def bring_forward(database: Database, *, now: dt.datetime) -> int:
    """Make every pending entry that is backing off due now; returns how many.

    For when a person asks to sync now, or the network has just come back:
    a backoff chosen while offline must not delay the first pass online.
    Leases are left alone, so a record another workstation is sending stays
    with it.
    """
    with database.write() as session:
        result = session.execute(
            update(OutboxEntry)
            .where(
                OutboxEntry.state == OutboxState.PENDING.value,
                OutboxEntry.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _count(session: Session, condition: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxEntry).where(condition)) or 0)


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _seconds(text: str | None) -> dt.timedelta | None:
    if not text:
        return None
    try:
        return dt.timedelta(seconds=float(text))
    except ValueError:
        return None
