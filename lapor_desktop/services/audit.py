"""The audit log: append-only and hash-chained, written in the change's own transaction.

Each entry carries the hash of the one before it, so an entry edited or
deleted in the database breaks the chain at that point and ``audit verify``
names it. Details hold identifiers and field names only, never personal
data. Entries are chained one at a time: SQLite's ``BEGIN IMMEDIATE``
already serialises writers; on PostgreSQL a transaction-scoped advisory
lock does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry

GENESIS = "0" * 64
_LINK_BROKEN = Message(
    N_("The link to the previous entry is broken: an entry before it was deleted or changed.")
)
_CONTENT_CHANGED = Message(N_("The entry was changed after it was written."))
_PG_AUDIT_LOCK = 0x4C41504F52  # "LAPOR": one lock id for the whole office's chain


def record(
    session: Session,
    *,
    at: dt.datetime,
    actor: str,
    station_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    previous = session.scalars(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        occurred_at=at.astimezone(dt.UTC),
        actor=actor,
        station_id=station_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details or {},
        prev_hash=previous or GENESIS,
    )
    entry.entry_hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the previous hash and every field of the entry, in a fixed form."""
    body = {
        "prev": entry.prev_hash,
        "at": entry.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "station": entry.station_id,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "details": entry.details,
    }
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain: where it first breaks, if it does."""

    checked: int
    first_broken_id: int | None = None
    reason: Message | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify(database: Database, *, batch: int = 2000) -> ChainReport:
    """Walk the whole log in order, recomputing every hash."""
    expected_prev = GENESIS
    checked = 0
    with database.read() as session:
        for entry in _entries(session, batch):
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, entry.id, _LINK_BROKEN)
            if entry_hash(entry) != entry.entry_hash:
                return ChainReport(checked, entry.id, _CONTENT_CHANGED)
            expected_prev = entry.entry_hash
            checked += 1
    return ChainReport(checked)


def _entries(session: Session, batch: int) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()
