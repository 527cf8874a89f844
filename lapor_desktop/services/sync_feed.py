"""Applying the national changes feed to local timelines (the sync store's downward half).

The national status is authoritative; a change already applied (same
``change_id``) or about a complaint this desk does not hold is skipped.
A page costs a fixed number of queries, whatever its length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lapor_desktop.domain.status import NATIONAL_STATES, Status, can_move
from lapor_desktop.services import timeline
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.sync_records import name_changes
from lapor_desktop.storage.models import AppliedChange, Complaint

NATIONAL_ACTOR = "LAPOR!"
_NATIONAL_VALUES = frozenset(s.value for s in NATIONAL_STATES)


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


def apply_changes(session: Session, changes: Sequence[NationalChange], now: dt.datetime) -> int:
    """Apply one page inside the caller's transaction; returns how many moved a complaint."""
    if not changes:
        return 0
    seen = set(
        session.scalars(
            select(AppliedChange.change_id).where(
                AppliedChange.change_id.in_([c.change_id for c in changes])
            )
        )
    )
    complaints = {
        c.uuid: c
        for c in session.scalars(
            select(Complaint)
            .where(Complaint.uuid.in_({c.client_uuid for c in changes}))
            .options(selectinload(Complaint.events))
        )
    }
    applied = 0
    moved: set[str] = set()
    for change in changes:
        if change.change_id in seen:
            continue
        seen.add(change.change_id)
        session.add(
            AppliedChange(
                change_id=change.change_id, client_uuid=change.client_uuid, applied_at=now
            )
        )
        complaint = complaints.get(change.client_uuid)
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
        moved.add(complaint.uuid)
    name_changes(session, DeskChanges.of_complaints(moved))
    return applied
