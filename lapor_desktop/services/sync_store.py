"""The database side of the sync engine: leases on the outbox, receipts, quarantine, the feed.

The engine (``sync/``) never sees an ORM object: it gets plain dataclasses
and hands back plain values, so it can run in a background thread or a
separate process. Every method is one short transaction; nothing is held
open across a network call, and a lease (with an expiry) is what keeps two
workstations of an office from sending the same record at the same time.
A whole exchange's results are recorded in one transaction (``record``):
a record counts as sent only once that commits, and a process killed
before it leaves leases that expire into a lookup before any resend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, BinaryIO

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from lapor_desktop.attachments.store import AttachmentStore
from lapor_desktop.domain.canonical import content_hash
from lapor_desktop.reference.dataset import ReferenceDataset
from lapor_desktop.reference.store import ReferenceLookup, install
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.services.sync_content import contents_of
from lapor_desktop.services.sync_feed import NationalChange, apply_changes
from lapor_desktop.services.sync_records import (
    BatchResults,
    ClaimedFollowUp,
    ClaimedSubmission,
    ClaimedUpload,
    StoredReceipt,
    mark_sent_rows,
    quarantine_rows,
)
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import (
    Attachment,
    Complaint,
    FollowUpNote,
    OutboxEntry,
    SyncValue,
)

DEFAULT_LEASE = dt.timedelta(minutes=5)
REFERENCE_ETAG_KEY = "reference_etag"
REFERENCE_SOURCE = "national"
STALE_CONTENT = "local content differs from the queued hash"
ATTACHMENT_GONE = "the attachment is no longer part of the complaint"
NOTE_GONE = "the follow-up note no longer exists"

__all__ = [
    "BatchResults",
    "ClaimedFollowUp",
    "ClaimedSubmission",
    "ClaimedUpload",
    "NationalChange",
    "StoredReceipt",
    "SyncStore",
]


class SyncStore:
    """``owner`` names this workstation's sync process in the leases it takes.

    ``files`` opens attachments for upload; ``references`` is told when a new
    reference set is installed. Both may be left out where nothing needs them.
    """

    def __init__(
        self,
        database: Database,
        vault: IdentityVault,
        clock: Callable[[], dt.datetime],
        *,
        owner: str,
        lease: dt.timedelta = DEFAULT_LEASE,
        files: AttachmentStore | None = None,
        references: ReferenceLookup | None = None,
    ) -> None:
        self._db = database
        self._vault = vault
        self._clock = clock
        self._owner = owner[:64]
        self._lease = lease
        self._files = files
        self._references = references

    # -- claiming ------------------------------------------------------------------------------

    def claim_submissions(self, limit: int) -> list[ClaimedSubmission]:
        """Lease up to ``limit`` due submissions, urgent first, skipping rows others hold.

        ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has no row locks, but
        ``BEGIN IMMEDIATE`` (``Database.write``) serialises the whole claim.
        A content that no longer matches its queued hash is quarantined here.
        Three queries whatever the batch size (entries, complaints with identities,
        attachments), so content building costs no query per record.
        """
        now = self._clock()
        claimed: list[ClaimedSubmission] = []
        with self._db.write() as session:
            rows = session.execute(
                select(
                    OutboxEntry.id,
                    OutboxEntry.complaint_id,
                    OutboxEntry.ref_uuid,
                    OutboxEntry.content_hash,
                    OutboxEntry.attempts,
                    OutboxEntry.needs_lookup,
                    OutboxEntry.lease_expires_at,
                )
                .where(*_due(OutboxKind.SUBMIT_COMPLAINT, now))
                .order_by(OutboxEntry.priority.desc(), OutboxEntry.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return []
            contents = contents_of(session, self._vault, [r.complaint_id for r in rows])
            stale: dict[int, str] = {}
            for row in rows:
                content = contents[row.complaint_id]
                if content_hash(content) != row.content_hash:
                    stale[row.id] = STALE_CONTENT
                    continue
                # A lease nobody gave back: its holder died, perhaps mid-send.
                expired = row.lease_expires_at is not None
                claimed.append(
                    ClaimedSubmission(
                        row.id,
                        row.ref_uuid,
                        row.content_hash,
                        content,
                        row.attempts,
                        row.needs_lookup or expired,
                    )
                )
            self._lease_rows(session, rows, now, exclude=stale)
            if stale:
                quarantine_rows(session, stale, now)
        return claimed

    def claim_uploads(self, limit: int) -> list[ClaimedUpload]:
        """Lease due attachment uploads of complaints the server has accepted, urgent first."""
        now = self._clock()
        with self._db.write() as session:
            rows = session.execute(
                select(
                    OutboxEntry.id,
                    OutboxEntry.lease_expires_at,
                    OutboxEntry.attempts,
                    OutboxEntry.content_hash,
                    Complaint.uuid,
                    Attachment.filename,
                    Attachment.media_type,
                    Attachment.size_bytes,
                )
                .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
                .outerjoin(
                    Attachment,
                    (Attachment.complaint_id == OutboxEntry.complaint_id)
                    & (Attachment.sha256 == OutboxEntry.content_hash),
                )
                .where(*_due(OutboxKind.UPLOAD_ATTACHMENT, now), Complaint.tracking_id.is_not(None))
                .order_by(OutboxEntry.priority.desc(), OutboxEntry.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=OutboxEntry)
            ).all()
            gone = {r.id: ATTACHMENT_GONE for r in rows if r.filename is None}
            claimed = [
                ClaimedUpload(
                    r.id, r.uuid, r.content_hash, r.filename, r.media_type, r.size_bytes, r.attempts
                )
                for r in rows
                if r.id not in gone
            ]
            self._lease_rows(session, rows, now, exclude=gone)
            if gone:
                quarantine_rows(session, gone, now)
        return claimed

    def claim_follow_ups(self, limit: int) -> list[ClaimedFollowUp]:
        """Lease due follow-up notes of complaints the server has accepted, oldest first."""
        now = self._clock()
        with self._db.write() as session:
            rows = session.execute(
                select(
                    OutboxEntry.id,
                    OutboxEntry.lease_expires_at,
                    OutboxEntry.attempts,
                    OutboxEntry.ref_uuid,
                    Complaint.uuid,
                    FollowUpNote.text,
                    FollowUpNote.created_at,
                )
                .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
                .outerjoin(FollowUpNote, FollowUpNote.uuid == OutboxEntry.ref_uuid)
                .where(*_due(OutboxKind.FOLLOW_UP, now), Complaint.tracking_id.is_not(None))
                .order_by(OutboxEntry.priority.desc(), OutboxEntry.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=OutboxEntry)
            ).all()
            gone = {r.id: NOTE_GONE for r in rows if r.text is None}
            claimed = [
                ClaimedFollowUp(r.id, r.uuid, r.ref_uuid, r.text, r.created_at, r.attempts)
                for r in rows
                if r.id not in gone
            ]
            self._lease_rows(session, rows, now, exclude=gone)
            if gone:
                quarantine_rows(session, gone, now)
        return claimed

    def _lease_rows(
        self, session: Session, rows: Sequence[Any], now: dt.datetime, *, exclude: Mapping[int, str]
    ) -> None:
        taken = [r.id for r in rows if r.id not in exclude]
        if not taken:
            return
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(taken))
            .values(lease_owner=self._owner, lease_expires_at=now + self._lease)
            .execution_options(synchronize_session=False)
        )
        expired = [r.id for r in rows if r.id not in exclude and r.lease_expires_at is not None]
        if expired:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(expired))
                .values(needs_lookup=True)
                .execution_options(synchronize_session=False)
            )

    def open_attachment(self, sha256: str) -> BinaryIO:
        """The plaintext of a stored attachment, seekable, one chunk in memory at a time.

        FileNotFoundError when the file is not in this desk's store.
        """
        if self._files is None:
            raise FileNotFoundError(sha256)
        return self._files.open_plaintext(sha256)  # type: ignore[return-value]

    # -- recording results ------------------------------------------------------------------

    def record(self, results: BatchResults) -> None:
        """Everything one exchange settled, in one transaction."""
        if not results:
            return
        now = self._clock()
        with self._db.write() as session:
            if results.receipts:
                mark_sent_rows(session, results.receipts, now)
            done = [*results.receipts, *results.delivered]
            if done:
                session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id.in_(done))
                    .values(
                        state=OutboxState.DONE.value,
                        last_error="",
                        needs_lookup=False,
                        lease_owner=None,
                        lease_expires_at=None,
                    )
                    .execution_options(synchronize_session=False)
                )
            if results.quarantined:
                quarantine_rows(session, results.quarantined, now)

    def mark_sent(self, outbox_id: int, receipt: StoredReceipt) -> None:
        """The server holds it: keep the tracking ID and receipt; the entry is done."""
        self.record(BatchResults(receipts={outbox_id: receipt}))

    def quarantine(self, outbox_id: int, reason: str) -> None:
        """Keep it for a person with the server's reason; the rest of the queue goes on."""
        self.record(BatchResults(quarantined={outbox_id: reason}))

    def defer(
        self,
        outbox_ids: Iterable[int],
        error: str,
        next_attempt_at: dt.datetime,
        *,
        maybe_delivered: bool,
    ) -> None:
        """A failed attempt: count it, wait until ``next_attempt_at``, maybe look up first."""
        ids = list(outbox_ids)
        if not ids:
            return
        values: dict[str, object] = {
            "attempts": OutboxEntry.attempts + 1,
            "last_error": error,
            "next_attempt_at": next_attempt_at,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if maybe_delivered:
            values["needs_lookup"] = True
        with self._db.write() as session:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(ids))
                .values(values)
                .execution_options(synchronize_session=False)
            )

    def release(self, outbox_ids: Iterable[int]) -> None:
        """Give leases back untried (the pass stopped before sending these)."""
        ids = list(outbox_ids)
        if not ids:
            return
        with self._db.write() as session:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(ids))
                .values(lease_owner=None, lease_expires_at=None)
                .execution_options(synchronize_session=False)
            )

    def attempts_of(self, outbox_id: int) -> int:
        with self._db.read() as session:
            return session.get_one(OutboxEntry, outbox_id).attempts

    # -- the feed, reference data and small values ---------------------------------------------

    def apply_changes(self, changes: Sequence[NationalChange], next_cursor: str) -> int:
        """Apply a feed page and store its cursor in one transaction; returns how many applied."""
        now = self._clock()
        with self._db.write() as session:
            applied = apply_changes(session, changes, now)
            _put(session, "changes_cursor", next_cursor, now)
        return applied

    def install_reference(self, dataset: ReferenceDataset, etag: str | None) -> None:
        """Replace regions, agencies and categories wholesale, with the ETag, in one transaction.

        The server sends a set only when its ETag differs from ours, so any set
        that arrives is installed, even under an unchanged version name.
        """
        now = self._clock()
        with self._db.write() as session:
            install(session, dataset, source=REFERENCE_SOURCE, now=now)
            if etag:
                _put(session, REFERENCE_ETAG_KEY, etag, now)
        if self._references is not None:
            self._references.invalidate()

    def get_value(self, key: str) -> str | None:
        with self._db.read() as session:
            row = session.get(SyncValue, key)
            return None if row is None else row.value

    def set_value(self, key: str, value: str) -> None:
        self.set_values({key: value})

    def set_values(self, values: Mapping[str, str]) -> None:
        """Several values in one transaction (a pass's outcome, time and clock offset)."""
        now = self._clock()
        with self._db.write() as session:
            for key, value in values.items():
                _put(session, key, value, now)

    def due_count(self) -> int:
        """Entries any workstation could send now (the total a pass's progress counts to)."""
        now = self._clock()
        with self._db.read() as session:
            due = _due(None, now)
            return int(
                session.scalar(select(func.count()).select_from(OutboxEntry).where(*due)) or 0
            )

    def counts(self) -> dict[str, int]:
        """Outbox entries by state (for the summary and a status display)."""
        with self._db.read() as session:
            found = dict(
                session.execute(
                    select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)
                ).all()
            )
        return {state.value: int(found.get(state.value, 0)) for state in OutboxState}


def _due(kind: OutboxKind | None, now: dt.datetime) -> list[ColumnElement[bool]]:
    """Pending entries (of ``kind``) that nobody holds and whose backoff has run out."""
    conditions = [
        OutboxEntry.state == OutboxState.PENDING.value,
        or_(OutboxEntry.lease_expires_at.is_(None), OutboxEntry.lease_expires_at < now),
        or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now),
    ]
    if kind is not None:
        conditions.append(OutboxEntry.kind == kind.value)
    return conditions


def _put(session: Session, key: str, value: str, now: dt.datetime) -> None:
    row = session.get(SyncValue, key)
    if row is None:
        session.add(SyncValue(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
