"""Complaint rows covered by the audit chain: a row's digest in the entry of each change.

An entry about a complaint keeps the digest of the complaint's row as the change left
it (``audit_covers``, hashed into the entry), so ``audit verify`` can recompute it from
the row and name a complaint edited outside the desk, by raw SQL on the database file.
Covered are the columns only a recorded change writes: the complaint's content, its
registration number, office, station and author, and its attachments' hashes; not the
sync state, status or receipt, which sync and the feed move, and not the identity's
ciphertext, whose AES-GCM already refuses an edit (and which a re-key rewrites).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lapor_desktop.storage.audit_models import AuditCover
from lapor_desktop.storage.models import Attachment, Complaint

COVERED_COLUMNS = (
    Complaint.uuid,
    Complaint.registration_number,
    Complaint.office_code,
    Complaint.station_id,
    Complaint.classification,
    Complaint.title,
    Complaint.description,
    Complaint.incident_date,
    Complaint.region_code,
    Complaint.location_text,
    Complaint.category_code,
    Complaint.agency_code,
    Complaint.channel,
    Complaint.anonim,
    Complaint.rahasia,
    Complaint.urgent,
    Complaint.created_by,
)


@dataclass(frozen=True)
class EditedComplaint:
    """A complaint whose row no longer matches the digest its last audit entry recorded."""

    complaint_uuid: str
    registration_number: str | None
    entry_id: int


def row_digests(session: Session, uuids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """Each existing complaint's row digest now, with its registration number (for people)."""
    rows = session.execute(
        select(Complaint.id, *COVERED_COLUMNS).where(Complaint.uuid.in_(uuids))
    ).all()
    hashes: dict[int, list[str]] = {row.id: [] for row in rows}
    if hashes:
        found = session.execute(
            select(Attachment.complaint_id, Attachment.sha256)
            .where(Attachment.complaint_id.in_(list(hashes)))
            .order_by(Attachment.id)
        )
        for complaint_id, sha256 in found:
            hashes[complaint_id].append(sha256)
    digests: dict[str, tuple[str, str | None]] = {}
    for row in rows:
        body: dict[str, object] = {c.key: _plain(getattr(row, c.key)) for c in COVERED_COLUMNS}
        body["attachments"] = hashes[row.id]
        encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digests[row.uuid] = (hashlib.sha256(encoded.encode()).hexdigest(), row.registration_number)
    return digests


def row_digest(session: Session, complaint_uuid: str) -> str | None:
    """The digest of one complaint's row as it stands in this transaction (None: no such row)."""
    found = row_digests(session, [complaint_uuid]).get(complaint_uuid)
    return None if found is None else found[0]


def covers_of(session: Session, entry_ids: Iterable[int]) -> dict[int, str]:
    """The row digests that these entries carry (hashed into each entry)."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(AuditCover.entry_id, AuditCover.row_digest).where(AuditCover.entry_id.in_(ids))
    )
    return {row.entry_id: row.row_digest for row in rows}


def edited_complaints(session: Session, *, batch: int = 2000) -> list[EditedComplaint]:
    """Complaints whose row differs from the digest in their latest covering entry."""
    edited: list[EditedComplaint] = []
    for latest in _latest_covers(session, batch):
        now = row_digests(session, [uuid for uuid, _, _ in latest])
        for uuid, entry_id, recorded in latest:
            current = now.get(uuid)
            if current is not None and current[0] != recorded:
                edited.append(EditedComplaint(uuid, current[1], entry_id))
    return edited


def _latest_covers(session: Session, batch: int) -> Iterator[list[tuple[str, int, str]]]:
    latest = (
        select(func.max(AuditCover.entry_id).label("entry_id"))
        .group_by(AuditCover.complaint_uuid)
        .subquery()
    )
    last_id = 0
    while True:
        rows = session.execute(
            select(AuditCover.complaint_uuid, AuditCover.entry_id, AuditCover.row_digest)
            .join(latest, latest.c.entry_id == AuditCover.entry_id)
            .where(AuditCover.entry_id > last_id)
            .order_by(AuditCover.entry_id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield [(r.complaint_uuid, r.entry_id, r.row_digest) for r in rows]
        last_id = rows[-1].entry_id


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value
