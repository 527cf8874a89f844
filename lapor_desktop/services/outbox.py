"""The outbox: what the sync engine must send, written with the change it describes.

A complaint has at most one pending ``submit`` entry: editing a queued
complaint before it left replaces the entry's hash instead of queuing a
second copy.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.storage.models import Complaint, OutboxEntry


class OutboxKind(enum.StrEnum):
    SUBMIT_COMPLAINT = "submit_complaint"
    FOLLOW_UP = "follow_up"


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    QUARANTINED = "quarantined"


URGENT_PRIORITY = 10
NORMAL_PRIORITY = 0


def enqueue_submission(
    session: Session, complaint: Complaint, content_hash: str, *, at: dt.datetime
) -> OutboxEntry:
    priority = URGENT_PRIORITY if complaint.urgent else NORMAL_PRIORITY
    pending = session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.complaint_id == complaint.id,
            OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
            OutboxEntry.state == OutboxState.PENDING.value,
        )
    ).first()
    if pending is not None:
        pending.content_hash = content_hash
        pending.priority = priority
        return pending
    return enqueue(
        session,
        complaint_id=complaint.id,
        kind=OutboxKind.SUBMIT_COMPLAINT,
        ref_uuid=complaint.uuid,
        content_hash=content_hash,
        priority=priority,
        at=at,
    )


def enqueue(
    session: Session,
    *,
    complaint_id: int,
    kind: OutboxKind,
    ref_uuid: str,
    content_hash: str,
    at: dt.datetime,
    priority: int = NORMAL_PRIORITY,
) -> OutboxEntry:
    """A new pending entry: the one place an outbox row is made."""
    entry = OutboxEntry(
        complaint_id=complaint_id,
        kind=kind.value,
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
