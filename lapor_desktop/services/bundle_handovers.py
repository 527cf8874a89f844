"""The parent office's record of the hand-over bundles its districts brought, and what it
knows of a district's complaints for the answer.

One ``bundles`` row per hand-over taken (direction ``handover``), so a bundle taken twice
is recognised and the parent's answer names the latest bundle of that district; the sync
layer seals ``district_record`` into that answer, and ``answer_written`` keeps a row of it
(a return handed out), so the Bundles page shows both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.services.bundle_records import BundleState, Direction, find_bundle, new_bundle
from lapor_desktop.services.changes import BUNDLES
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.services.sync_records import name_changes
from lapor_desktop.storage.bundle_models import Bundle
from lapor_desktop.storage.models import Complaint, FollowUpNote, OutboxEntry, StatusEvent


@dataclass(frozen=True)
class HandoverRef:
    bundle_id: str
    sequence: int


def handover_taken(
    session: Session,
    *,
    bundle_id: str,
    sequence: int,
    origin_office: str,
    envelope_sha256: str,
    counts: Mapping[str, int],
    now: dt.datetime,
) -> bool:
    """Record the hand-over (in the caller's transaction); False when it was taken before."""
    if find_bundle(session, bundle_id) is not None:
        return False
    session.add(
        new_bundle(
            bundle_id,
            Direction.HANDOVER,
            BundleState.IMPORTED,
            sequence=sequence,
            origin_office=origin_office,
            envelope_sha256=envelope_sha256,
            now=now,
            counts=counts,
        )
    )
    session.flush()
    name_changes(session, BUNDLES)
    return True


def answer_written(
    session: Session,
    *,
    bundle_id: str,
    office: str,
    answers: HandoverRef | None,
    envelope_sha256: str,
    counts: Mapping[str, int],
    volumes: int,
    now: dt.datetime,
) -> None:
    """Keep the return this desk wrote for a district (written straight to the carrier's
    folder, so already handed out), in the caller's transaction."""
    session.add(
        new_bundle(
            bundle_id,
            Direction.RETURN,
            BundleState.HANDED_OUT,
            sequence=answers.sequence if answers is not None else 0,
            origin_office=office,
            envelope_sha256=envelope_sha256,
            now=now,
            counts=counts,
            in_reply_to=answers.bundle_id if answers is not None else None,
            volumes=volumes,
        )
    )
    session.flush()
    name_changes(session, BUNDLES)


def latest_handover(session: Session, office: str) -> HandoverRef | None:
    """The district's newest hand-over bundle here, which the parent's answer replies to."""
    row = session.execute(
        select(Bundle.bundle_id, Bundle.sequence)
        .where(Bundle.direction == Direction.HANDOVER.value, Bundle.origin_office == office)
        .order_by(Bundle.sequence.desc(), Bundle.id.desc())
        .limit(1)
    ).first()
    return None if row is None else HandoverRef(row.bundle_id, row.sequence)


@dataclass(frozen=True)
class DistrictComplaint:
    """A district's complaint as the parent holds it: where its route stands."""

    id: int
    uuid: str
    tracking_id: str | None
    receipt: Mapping[str, Any] | None
    """The national receipt as stored (``StoredReceipt.as_json``), when the route gave one."""
    delivered_via: str | None
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class NationalEvent:
    """A national status change in a district complaint's timeline here."""

    id: int
    complaint_id: int
    status: str
    note: str
    occurred_at: dt.datetime


@dataclass(frozen=True)
class DeliveredNote:
    """A district's follow-up that this desk's route delivered."""

    message_uuid: str
    written_at: dt.datetime


@dataclass(frozen=True)
class DistrictRecord:
    """Everything the parent knows of one district's complaints, for its answer."""

    complaints: tuple[DistrictComplaint, ...]
    refusals: Mapping[int, str]
    """The reason of each complaint whose submission is set aside, by complaint row id."""
    digests: Mapping[int, str]
    """The content digest of each complaint's submission (protocol or website route)."""
    events: tuple[NationalEvent, ...]
    """Oldest first."""
    follow_ups: tuple[DeliveredNote, ...] = ()
    """Oldest first."""


def district_record(session: Session, office: str, *, own_office: str) -> DistrictRecord:
    """The complaints of ``office`` taken in here (never this office's own), their refusals,
    digests, national status changes and delivered follow-ups."""
    complaints = tuple(
        DistrictComplaint(r.id, r.uuid, r.tracking_id, r.receipt, r.delivered_via, r.sent_at)
        for r in session.execute(
            select(Complaint.id, Complaint.uuid, Complaint.tracking_id, Complaint.receipt)
            .add_columns(Complaint.delivered_via, Complaint.sent_at)
            .where(Complaint.office_code == office, Complaint.office_code != own_office)
            .order_by(Complaint.id)
        )
    )
    ids = [c.id for c in complaints]
    refusals = {
        int(r.complaint_id): r.last_error
        for r in session.execute(
            select(OutboxEntry.complaint_id, OutboxEntry.last_error)
            .where(
                OutboxEntry.complaint_id.in_(ids),
                OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
                OutboxEntry.state == OutboxState.QUARANTINED.value,
            )
            .order_by(OutboxEntry.id)
        )
    }
    # Oldest entry first, so a complaint queued again (an edit) keeps its latest digest.
    digests = {
        int(r.complaint_id): r.content_hash
        for r in session.execute(
            select(OutboxEntry.complaint_id, OutboxEntry.content_hash)
            .where(
                OutboxEntry.complaint_id.in_(ids),
                OutboxEntry.kind.in_(
                    (OutboxKind.SUBMIT_COMPLAINT.value, OutboxKind.WEBSITE_SUBMIT.value)
                ),
            )
            .order_by(OutboxEntry.id)
        )
    }
    events = tuple(
        NationalEvent(r.id, r.complaint_id, r.status, r.note, r.occurred_at)
        for r in session.execute(
            select(StatusEvent.id, StatusEvent.complaint_id, StatusEvent.status)
            .add_columns(StatusEvent.note, StatusEvent.occurred_at)
            .where(StatusEvent.complaint_id.in_(ids), StatusEvent.source == "national")
            .order_by(StatusEvent.id)
        )
    )
    follow_ups = tuple(
        DeliveredNote(r.uuid, r.created_at)
        for r in session.execute(
            select(FollowUpNote.uuid, FollowUpNote.created_at)
            .join(
                OutboxEntry,
                (OutboxEntry.ref_uuid == FollowUpNote.uuid)
                & (OutboxEntry.kind == OutboxKind.FOLLOW_UP.value),
            )
            .where(
                FollowUpNote.complaint_id.in_(ids),
                OutboxEntry.state == OutboxState.DONE.value,
            )
            .order_by(FollowUpNote.id)
        )
    )
    return DistrictRecord(complaints, refusals, digests, events, follow_ups)
