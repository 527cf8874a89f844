"""The audit log: append-only and hash-chained, written in the change's own transaction.

Each entry carries the hash of the one before it, so an entry edited or
deleted in the database breaks the chain at that point and ``audit verify``
names it. An entry about a complaint also carries its row's digest
(``audit_covers``), so a complaint row edited outside the desk is named too.
Details hold identifiers and field names only, never personal data.
Entries are chained one at a time: SQLite's ``BEGIN IMMEDIATE`` already
serialises writers; on PostgreSQL a transaction-scoped advisory lock does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.audit_anchors import AnchorCheck, check_anchors
from lapor_desktop.services.audit_covers import (
    EditedComplaint,
    covers_of,
    edited_complaints,
    row_digest,
)
from lapor_desktop.storage.audit_models import AuditCover
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
    cover = row_digest(session, entity_id) if entity_type == "complaint" else None
    entry.entry_hash = entry_hash(entry, cover)
    session.add(entry)
    session.flush()
    if cover is not None:
        session.add(AuditCover(entry_id=entry.id, complaint_uuid=entity_id, row_digest=cover))
        session.flush()
    return entry


def entry_hash(entry: AuditEntry, cover: str | None = None) -> str:
    """SHA-256 over the previous hash, every field of the entry and its row cover, if any."""
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
    if cover is not None:
        body["cover"] = cover
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain (where it first breaks) and the complaint rows it covers."""

    checked: int
    first_broken_id: int | None = None
    reason: Message | None = None
    edited: tuple[EditedComplaint, ...] = ()
    anchors: AnchorCheck = field(default_factory=AnchorCheck)

    @property
    def intact(self) -> bool:
        return (
            self.first_broken_id is None and not self.edited and self.anchors.first_failed is None
        )


def verify(
    database: Database,
    *,
    batch: int = 2000,
    trusted_keys: Iterable[Ed25519PublicKey] | None = None,
) -> ChainReport:
    """Walk the whole log in order, recomputing every hash; then covered rows and anchors.

    ``trusted_keys``: the national service's receipt keys, to check each anchor's signature.
    """
    with database.read() as session:
        anchors = check_anchors(session, trusted_keys)
        checked, broken = _walk(session, batch)
        if broken is not None:
            return ChainReport(checked, broken[0], broken[1], anchors=anchors)
        edited = tuple(edited_complaints(session, batch=batch))
        return ChainReport(checked, edited=edited, anchors=anchors)


def _walk(session: Session, batch: int) -> tuple[int, tuple[int, Message] | None]:
    """How many entries hold from the start, and the first that does not (with why)."""
    expected_prev = GENESIS
    checked = 0
    for entry, cover in _entries(session, batch):
        if entry.prev_hash != expected_prev:
            return checked, (entry.id, _LINK_BROKEN)
        if entry_hash(entry, cover) != entry.entry_hash:
            return checked, (entry.id, _CONTENT_CHANGED)
        expected_prev = entry.entry_hash
        checked += 1
    return checked, None


def _entries(session: Session, batch: int) -> Iterator[tuple[AuditEntry, str | None]]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        covers = covers_of(session, (row.id for row in rows))
        for row in rows:
            yield row, covers.get(row.id)
        last_id = rows[-1].id
        session.expunge_all()
