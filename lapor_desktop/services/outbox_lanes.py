"""The claim filters of the outbox lanes: which entries each lane takes and what it hands out.

Each is a ``LaneClaim`` for the one claim query in ``outbox_leases``; a new lane (the
LAPOR! website's, a bundle's) adds its filter here and its sending in ``sync/engine/lanes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from lapor_desktop.domain.canonical import content_hash
from lapor_desktop.services.content_digest import contents_of
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.outbox_leases import LaneClaim, Query, maybe_sent
from lapor_desktop.services.sync_records import ClaimedFollowUp, ClaimedSubmission, ClaimedUpload
from lapor_desktop.storage.models import Attachment, Complaint, FollowUpNote, OutboxEntry

PROTOCOL_DELIVERED = Complaint.delivered_via.is_distinct_from("website")
"""The protocol service knows the complaint: the website lane's are typed in by a person."""
STALE_CONTENT = "local content differs from the queued hash"
ATTACHMENT_GONE = "the attachment is no longer part of the complaint"
NOTE_GONE = "the follow-up note no longer exists"


def submissions(vault: IdentityVault) -> LaneClaim[ClaimedSubmission]:
    """Queued complaints with the canonical content to send, rebuilt as the intake hashed it.

    A content that no longer matches its queued hash is set aside at the claim. Three
    queries whatever the batch size (entries, complaints with identities, attachments).
    """

    def build(
        session: Session, rows: Sequence[Any]
    ) -> tuple[list[ClaimedSubmission], dict[int, str]]:
        contents = contents_of(session, vault, [r.complaint_id for r in rows])
        claimed: list[ClaimedSubmission] = []
        stale: dict[int, str] = {}
        for row in rows:
            content = contents[row.complaint_id]
            if content_hash(content) != row.content_hash:
                stale[row.id] = STALE_CONTENT
                continue
            claimed.append(
                ClaimedSubmission(
                    row.id, row.ref_uuid, row.content_hash, content, row.attempts, maybe_sent(row)
                )
            )
        return claimed, stale

    return LaneClaim(OutboxKind.SUBMIT_COMPLAINT, lambda query: query, build)


def _uploads_shape(query: Query) -> Query:
    return (
        query.add_columns(
            Complaint.uuid, Attachment.filename, Attachment.media_type, Attachment.size_bytes
        )
        .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
        .outerjoin(
            Attachment,
            (Attachment.complaint_id == OutboxEntry.complaint_id)
            & (Attachment.sha256 == OutboxEntry.content_hash),
        )
        .where(Complaint.tracking_id.is_not(None), PROTOCOL_DELIVERED)
    )


def _uploads_build(
    session: Session, rows: Sequence[Any]
) -> tuple[list[ClaimedUpload], dict[int, str]]:
    gone = {r.id: ATTACHMENT_GONE for r in rows if r.filename is None}
    claimed = [
        ClaimedUpload(
            r.id, r.uuid, r.content_hash, r.filename, r.media_type, r.size_bytes, r.attempts
        )
        for r in rows
        if r.id not in gone
    ]
    return claimed, gone


UPLOADS = LaneClaim(OutboxKind.UPLOAD_ATTACHMENT, _uploads_shape, _uploads_build)
"""Attachments of complaints the server has accepted, urgent first."""


def _follow_ups_shape(query: Query) -> Query:
    return (
        query.add_columns(Complaint.uuid, FollowUpNote.text, FollowUpNote.created_at)
        .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
        .outerjoin(FollowUpNote, FollowUpNote.uuid == OutboxEntry.ref_uuid)
        .where(Complaint.tracking_id.is_not(None), PROTOCOL_DELIVERED)
    )


def _follow_ups_build(
    session: Session, rows: Sequence[Any]
) -> tuple[list[ClaimedFollowUp], dict[int, str]]:
    gone = {r.id: NOTE_GONE for r in rows if r.text is None}
    claimed = [
        ClaimedFollowUp(r.id, r.uuid, r.ref_uuid, r.text, r.created_at, r.attempts)
        for r in rows
        if r.id not in gone
    ]
    return claimed, gone


FOLLOW_UPS = LaneClaim(OutboxKind.FOLLOW_UP, _follow_ups_shape, _follow_ups_build)
"""Follow-up notes of complaints the server has accepted, oldest first."""
