"""The database side of the sync engine: leases on the outbox, receipts, quarantine, the feed.

The engine (``sync/``) never sees an ORM object: it gets plain dataclasses
and hands back plain values, so it can run in a background thread or a
separate process. Every method is one short transaction; nothing is held
open across a network call, and a lease (with an expiry) is what keeps two
workstations of an office from sending the same record at the same time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lapor_desktop.domain.canonical import canonical_content, content_hash
from lapor_desktop.domain.complaint import Channel, Classification, ComplaintData
from lapor_desktop.domain.status import NATIONAL_STATES, Status, SyncState, can_move
from lapor_desktop.services import timeline
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AppliedChange, Complaint, OutboxEntry, SyncValue

SYNC_ACTOR = "sync"
NATIONAL_ACTOR = "LAPOR!"
DEFAULT_LEASE = dt.timedelta(minutes=5)
_NATIONAL_VALUES = frozenset(s.value for s in NATIONAL_STATES)


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


@dataclass(frozen=True)
class NationalChange:
    """One change from the national feed, as the timeline needs it."""

    change_id: str
    client_uuid: str
    tracking_id: str
    status: str
    text: str
    agency_code: str | None
    occurred_at: dt.datetime


class SyncStore:
    """``owner`` names this workstation's sync process in the leases it takes."""

    def __init__(
        self,
        database: Database,
        vault: IdentityVault,
        clock: Callable[[], dt.datetime],
        *,
        owner: str,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> None:
        self._db = database
        self._vault = vault
        self._clock = clock
        self._owner = owner[:64]
        self._lease = lease

    # -- the outbox --------------------------------------------------------------------------

    def claim_submissions(self, limit: int) -> list[ClaimedSubmission]:
        """Lease up to ``limit`` due submissions, urgent first, skipping rows others hold.

        ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has no row locks, but
        ``BEGIN IMMEDIATE`` (``Database.write``) serialises the whole claim.
        A content that no longer matches its queued hash is quarantined here.
        """
        now = self._clock()
        claimed: list[ClaimedSubmission] = []
        with self._db.write() as session:
            rows = session.scalars(
                select(OutboxEntry)
                .where(
                    OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
                    OutboxEntry.state == OutboxState.PENDING.value,
                    or_(OutboxEntry.lease_expires_at.is_(None), OutboxEntry.lease_expires_at < now),
                    or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now),
                )
                .order_by(OutboxEntry.priority.desc(), OutboxEntry.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for entry in rows:
                complaint = session.get_one(Complaint, entry.complaint_id)
                content = self._content_of(complaint)
                if content_hash(content) != entry.content_hash:
                    self._quarantine(
                        session, entry, "local content differs from the queued hash", now
                    )
                    continue
                if entry.lease_expires_at is not None:
                    # A lease nobody gave back: its holder died, perhaps mid-send.
                    entry.needs_lookup = True
                entry.lease_owner = self._owner
                entry.lease_expires_at = now + self._lease
                claimed.append(
                    ClaimedSubmission(
                        entry.id,
                        entry.ref_uuid,
                        entry.content_hash,
                        content,
                        entry.attempts,
                        entry.needs_lookup,
                    )
                )
        return claimed

    def _content_of(self, complaint: Complaint) -> dict[str, object]:
        """Rebuild the canonical content the intake hashed, identity opened with the vault."""
        data = ComplaintData(
            classification=Classification(complaint.classification or ""),
            title=complaint.title,
            description=complaint.description,
            incident_date=complaint.incident_date,
            region_code=complaint.region_code,
            location_text=complaint.location_text,
            category_code=complaint.category_code,
            agency_code=complaint.agency_code,
            channel=Channel(complaint.channel),
            anonim=complaint.anonim,
            rahasia=complaint.rahasia,
            urgent=complaint.urgent,
            identity=self._vault.open(complaint.uuid, complaint.identity),
        )
        salt = ""
        if complaint.identity is not None:
            salt = self._vault.content_salt(complaint.uuid, complaint.identity)
        hashes = [a.sha256 for a in complaint.attachments]
        return canonical_content(complaint.uuid, data, hashes, salt)

    def mark_sent(self, outbox_id: int, receipt: StoredReceipt) -> None:
        """The server holds it: keep the tracking ID and receipt; the entry is done."""
        now = self._clock()
        with self._db.write() as session:
            entry = session.get_one(OutboxEntry, outbox_id)
            complaint = session.get_one(Complaint, entry.complaint_id)
            if complaint.tracking_id is None:
                complaint.tracking_id = receipt.tracking_id
            complaint.receipt = receipt.as_json()
            complaint.sent_at = complaint.sent_at or receipt.server_time
            complaint.sync_state = SyncState.SENT.value
            if complaint.status == Status.QUEUED.value:
                timeline.move(
                    session,
                    complaint,
                    Status.SENT,
                    at=now,
                    actor=SYNC_ACTOR,
                    note=receipt.tracking_id,
                )
            entry.state = OutboxState.DONE.value
            entry.last_error = ""
            entry.needs_lookup = False
            _release(entry)

    def quarantine(self, outbox_id: int, reason: str) -> None:
        """Keep it for a person with the server's reason; the rest of the queue goes on."""
        with self._db.write() as session:
            self._quarantine(
                session, session.get_one(OutboxEntry, outbox_id), reason, self._clock()
            )

    def _quarantine(
        self, session: Session, entry: OutboxEntry, reason: str, now: dt.datetime
    ) -> None:
        entry.state = OutboxState.QUARANTINED.value
        entry.last_error = reason
        entry.needs_lookup = False
        _release(entry)
        complaint = session.get_one(Complaint, entry.complaint_id)
        complaint.sync_state = SyncState.QUARANTINED.value
        complaint.updated_at = now

    def defer(
        self,
        outbox_ids: Iterable[int],
        error: str,
        next_attempt_at: dt.datetime,
        *,
        maybe_delivered: bool,
    ) -> None:
        """A failed attempt: count it, wait until ``next_attempt_at``, maybe look up first."""
        with self._db.write() as session:
            for outbox_id in outbox_ids:
                entry = session.get_one(OutboxEntry, outbox_id)
                entry.attempts += 1
                entry.last_error = error
                entry.next_attempt_at = next_attempt_at
                entry.needs_lookup = entry.needs_lookup or maybe_delivered
                _release(entry)

    def release(self, outbox_ids: Iterable[int]) -> None:
        """Give leases back untried (the pass stopped before sending these)."""
        with self._db.write() as session:
            for outbox_id in outbox_ids:
                _release(session.get_one(OutboxEntry, outbox_id))

    def attempts_of(self, outbox_id: int) -> int:
        with self._db.read() as session:
            return session.get_one(OutboxEntry, outbox_id).attempts

    # -- the feed and small values ------------------------------------------------------------

    def apply_changes(self, changes: Sequence[NationalChange], next_cursor: str) -> int:
        """Apply a feed page and store its cursor in one transaction; returns how many applied.

        The national status is authoritative; a change already applied (same
        ``change_id``) or about a complaint this desk does not hold is skipped.
        """
        now = self._clock()
        applied = 0
        with self._db.write() as session:
            for change in changes:
                if session.get(AppliedChange, change.change_id) is not None:
                    continue
                session.add(
                    AppliedChange(
                        change_id=change.change_id, client_uuid=change.client_uuid, applied_at=now
                    )
                )
                complaint = session.scalars(
                    select(Complaint).where(Complaint.uuid == change.client_uuid)
                ).first()
                if complaint is None or change.status not in _NATIONAL_VALUES:
                    continue
                if not can_move(Status(complaint.status), Status(change.status)):
                    continue
                if complaint.tracking_id is None:
                    complaint.tracking_id = change.tracking_id
                timeline.move(
                    session,
                    complaint,
                    Status(change.status),
                    at=change.occurred_at,
                    actor=change.agency_code or NATIONAL_ACTOR,
                    source="national",
                    note=change.text,
                )
                complaint.updated_at = now
                applied += 1
            _put(session, "changes_cursor", next_cursor, now)
        return applied

    def get_value(self, key: str) -> str | None:
        with self._db.read() as session:
            row = session.get(SyncValue, key)
            return None if row is None else row.value

    def set_value(self, key: str, value: str) -> None:
        with self._db.write() as session:
            _put(session, key, value, self._clock())

    def counts(self) -> dict[str, int]:
        """Outbox entries by state (for the summary and a status display)."""
        with self._db.read() as session:
            states = session.scalars(select(OutboxEntry.state)).all()
        return {state.value: states.count(state.value) for state in OutboxState}


def _release(entry: OutboxEntry) -> None:
    entry.lease_owner = None
    entry.lease_expires_at = None


def _put(session: Session, key: str, value: str, now: dt.datetime) -> None:
    row = session.get(SyncValue, key)
    if row is None:
        session.add(SyncValue(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
