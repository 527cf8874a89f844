"""What a sync claim hands out and what a pass hands back, and how results land in the tables.

Plain dataclasses, so the engine never holds an ORM object; the writers do a whole batch in a
few statements inside the caller's transaction (``SyncStore.record`` and the claims).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.storage.models import Complaint, OutboxEntry, StatusEvent

SYNC_ACTOR = "sync"
_CHANGES = "desk_changes"
LEASE_ENDED: Mapping[str, object] = MappingProxyType(
    {"lease_owner": None, "lease_expires_at": None, "lease_taken_at": None}
)
"""An entry nobody holds: what every result, backoff, release or refusal sets."""
ENTRY_DONE: Mapping[str, object] = MappingProxyType(
    {"state": OutboxState.DONE.value, "last_error": "", "needs_lookup": False}
)
"""A delivered entry: done, its last error cleared, nothing left to look up."""


@dataclass(frozen=True)
class ClaimedSubmission:
    """A leased outbox entry with the canonical content to send."""

    outbox_id: int
    client_uuid: str
    content_hash: str
    content: Mapping[str, object]
    attempts: int
    needs_lookup: bool


@dataclass(frozen=True)
class ClaimedUpload:
    """A leased attachment of a complaint the server already accepted."""

    outbox_id: int
    complaint_uuid: str
    sha256: str
    filename: str
    media_type: str
    size_bytes: int
    attempts: int


@dataclass(frozen=True)
class ClaimedFollowUp:
    """A leased follow-up note of a complaint the server already accepted."""

    outbox_id: int
    complaint_uuid: str
    message_uuid: str
    text: str
    written_at: dt.datetime
    attempts: int


@dataclass(frozen=True)
class StoredReceipt:
    """The server's signed receipt as the desk keeps it (a protocol-free copy)."""

    client_uuid: str
    content_hash: str
    tracking_id: str
    server_time: dt.datetime
    key_id: str
    signature: str

    def as_json(self) -> dict[str, str]:
        return {
            "client_uuid": self.client_uuid,
            "content_hash": self.content_hash,
            "tracking_id": self.tracking_id,
            "server_time": self.server_time.isoformat(),
            "key_id": self.key_id,
            "signature": self.signature,
        }


@dataclass
class BatchResults:
    """What one exchange settled, written in one transaction by :meth:`SyncStore.record`."""

    receipts: dict[int, StoredReceipt] = field(default_factory=dict)
    """Submissions the server holds, by outbox ID."""
    delivered: list[int] = field(default_factory=list)
    """Uploads and follow-ups the server holds."""
    quarantined: dict[int, str] = field(default_factory=dict)
    """Entries set aside for a person, with the reason."""

    def __bool__(self) -> bool:
        return bool(self.receipts or self.delivered or self.quarantined)


def mark_sent_rows(
    session: Session, receipts: Mapping[int, StoredReceipt], now: dt.datetime
) -> None:
    """Tracking IDs, receipts and the move to ``sent`` for a batch: three statements in all.

    The move is the timeline's (``timeline.move``) done in bulk: only a complaint
    still ``queued`` moves; one the feed already moved on keeps its national status.
    """
    complaint_of = dict(
        session.execute(
            select(OutboxEntry.id, OutboxEntry.complaint_id).where(OutboxEntry.id.in_(receipts))
        ).all()
    )
    rows = {
        r.id: r
        for r in session.execute(
            select(
                Complaint.id,
                Complaint.status,
                Complaint.tracking_id,
                Complaint.sent_at,
                Complaint.updated_at,
            ).where(Complaint.id.in_(complaint_of.values()))
        )
    }
    changes: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for outbox_id, receipt in receipts.items():
        row = rows[complaint_of[outbox_id]]
        moves = row.status == Status.QUEUED.value
        changes.append(
            {
                "row_id": row.id,
                "tracking_id": row.tracking_id or receipt.tracking_id,
                "receipt": receipt.as_json(),
                "sent_at": row.sent_at or receipt.server_time,
                "sync_state": SyncState.SENT.value,
                "delivered_via": "protocol",
                "status": Status.SENT.value if moves else row.status,
                "updated_at": now if moves else row.updated_at,
            }
        )
        if moves:
            events.append(
                {
                    "complaint_id": row.id,
                    "status": Status.SENT.value,
                    "occurred_at": now,
                    "actor": SYNC_ACTOR,
                    "source": "local",
                    "note": receipt.tracking_id,
                }
            )
    # Core executemany, not the ORM's bulk update by primary key: same SQL, far less Python.
    table = cast(Table, Complaint.__table__)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(name) for name in changes[0] if name != "row_id"}),
        changes,
    )
    if events:
        session.execute(insert(cast(Table, StatusEvent.__table__)), events)
    name_entry_changes(session, receipts)


def quarantine_rows(session: Session, reasons: Mapping[int, str], now: dt.datetime) -> None:
    """Set entries aside; a refused submission also shows its complaint as quarantined."""
    session.execute(
        update(OutboxEntry),
        [
            {
                "id": outbox_id,
                "state": OutboxState.QUARANTINED.value,
                "last_error": reason,
                "needs_lookup": False,
                **LEASE_ENDED,
            }
            for outbox_id, reason in reasons.items()
        ],
    )
    session.execute(
        update(Complaint)
        .where(
            Complaint.id.in_(
                select(OutboxEntry.complaint_id).where(
                    OutboxEntry.id.in_(reasons),
                    OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
                )
            )
        )
        .values(sync_state=SyncState.QUARANTINED.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    name_entry_changes(session, reasons)


def finish_entries(
    session: Session,
    outbox_ids: Iterable[int],
    *,
    values: Mapping[str, object] = ENTRY_DONE,
    named: bool = True,
) -> None:
    """End these entries' leases and set ``values`` (by default: delivered, ``ENTRY_DONE``),
    in the caller's transaction; ``named``: their complaints are noted as changed.

    The one statement behind a result, a backoff (``values`` counts the attempt) and a
    release (``values`` empty), online or from a bundle.
    """
    ids = list(outbox_ids)
    if not ids:
        return
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id.in_(ids))
        .values({**values, **LEASE_ENDED})
        .execution_options(synchronize_session=False)
    )
    if named:
        name_entry_changes(session, ids)


def name_changes(session: Session, changes: DeskChanges) -> None:
    """Note what this transaction changed, for its committer to announce (``named_changes``)."""
    session.info[_CHANGES] = session.info.get(_CHANGES, NOTHING) | changes


def named_changes(session: Session) -> DeskChanges:
    """Everything the writers noted in this session (taken: a second call finds nothing)."""
    changes: DeskChanges = session.info.pop(_CHANGES, NOTHING)
    return changes


def name_entry_changes(session: Session, outbox_ids: Iterable[int], *, rows: bool = True) -> None:
    """Note the complaints of these outbox entries as changed: their outbox, and with
    ``rows`` their list row too (a deferred attempt leaves the row as it was)."""
    ids = list(outbox_ids)
    if not ids:
        return
    uuids = session.scalars(
        select(Complaint.uuid)
        .join(OutboxEntry, OutboxEntry.complaint_id == Complaint.id)
        .where(OutboxEntry.id.in_(ids))
    ).all()
    name_changes(session, DeskChanges.of_complaints(uuids if rows else (), outbox=uuids))
