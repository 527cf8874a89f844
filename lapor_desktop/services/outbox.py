"""The outbox: what the sync engine must send, written with the change it describes.

A complaint has at most one pending ``submit`` entry: editing a queued
complaint before it left replaces the entry's hash instead of queuing a
second copy. Each of its attachments gets an ``upload`` entry in the same
transaction (``ref_uuid`` the complaint, ``content_hash`` the file's
SHA-256); the engine sends those only once the complaint is accepted.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lapor_desktop.storage.models import Complaint, OutboxEntry


class OutboxKind(enum.StrEnum):
    SUBMIT_COMPLAINT = "submit_complaint"
    FOLLOW_UP = "follow_up"
    UPLOAD_ATTACHMENT = "upload_attachment"
    WEBSITE_SUBMIT = "website_submit"
    """A complaint an operator types into the LAPOR! website (the website lane)."""


SUBMISSION_KINDS = (OutboxKind.SUBMIT_COMPLAINT.value, OutboxKind.WEBSITE_SUBMIT.value)
"""A complaint's one pending submission travels by one of these routes."""
ROUTE_KINDS = {"protocol": OutboxKind.SUBMIT_COMPLAINT, "website": OutboxKind.WEBSITE_SUBMIT}


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    QUARANTINED = "quarantined"


URGENT_PRIORITY = 10
NORMAL_PRIORITY = 0


def pending_submission(session: Session, complaint_id: int) -> OutboxEntry | None:
    """The complaint's one pending submission, by whichever route it waits."""
    return session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.complaint_id == complaint_id,
            OutboxEntry.kind.in_(SUBMISSION_KINDS),
            OutboxEntry.state == OutboxState.PENDING.value,
        )
    ).first()


def enqueue_submission(
    session: Session,
    complaint: Complaint,
    content_hash: str,
    *,
    at: dt.datetime,
    route: str = "protocol",
) -> OutboxEntry:
    """Queue (or re-hash) the complaint's submission; a queued one keeps the route it has."""
    priority = URGENT_PRIORITY if complaint.urgent else NORMAL_PRIORITY
    pending = pending_submission(session, complaint.id)
    _queue_uploads(session, complaint, priority, at)
    if pending is not None:
        pending.content_hash = content_hash
        pending.priority = priority
        return pending
    return enqueue(
        session,
        complaint_id=complaint.id,
        kind=ROUTE_KINDS[route],
        ref_uuid=complaint.uuid,
        content_hash=content_hash,
        priority=priority,
        at=at,
    )


def _queue_uploads(session: Session, complaint: Complaint, priority: int, at: dt.datetime) -> None:
    """One upload entry per attachment; a file removed before sending loses its pending entry."""
    wanted = {a.sha256 for a in complaint.attachments}
    queued = dict(
        session.execute(
            select(OutboxEntry.content_hash, OutboxEntry.state).where(
                OutboxEntry.complaint_id == complaint.id,
                OutboxEntry.kind == OutboxKind.UPLOAD_ATTACHMENT.value,
            )
        ).all()
    )
    dropped = [
        h for h, state in queued.items() if h not in wanted and state == OutboxState.PENDING.value
    ]
    if dropped:
        session.execute(
            delete(OutboxEntry)
            .where(
                OutboxEntry.complaint_id == complaint.id,
                OutboxEntry.kind == OutboxKind.UPLOAD_ATTACHMENT.value,
                OutboxEntry.content_hash.in_(dropped),
            )
            .execution_options(synchronize_session=False)
        )
    for sha256 in sorted(wanted - queued.keys()):
        enqueue(
            session,
            complaint_id=complaint.id,
            kind=OutboxKind.UPLOAD_ATTACHMENT,
            ref_uuid=complaint.uuid,
            content_hash=sha256,
            priority=priority,
            at=at,
        )


def enqueue(
    session: Session,
    *,
    complaint_id: int,
    kind: str,
    ref_uuid: str,
    content_hash: str,
    at: dt.datetime,
    priority: int = NORMAL_PRIORITY,
) -> OutboxEntry:
    """A new pending entry: the one place an outbox row is made.

    ``kind`` is an ``OutboxKind``, or the kind of a lane defined elsewhere (its claim filter's).
    """
    entry = OutboxEntry(
        complaint_id=complaint_id,
        kind=str(kind),
        ref_uuid=ref_uuid,
        content_hash=content_hash,
        priority=priority,
        state=OutboxState.PENDING.value,
        attempts=0,
        last_error="",
        created_at=at,
    )
    session.add(entry)
    return entry
