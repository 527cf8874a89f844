"""Discarding a draft that was never queued: a form saved by accident, or a walk-in who left.

A draft that never reached the queue has no registration number (one is given only when a
complaint is queued, ``registration``), no outbox entry and nothing the national service or
a bundle ever saw, so its row is removed outright: no number is lost from the register, and
the search indexes and the citizen's identity go with it (the database's triggers and
cascades). The audit log is never touched backwards: the draft's earlier entries stay, and
one ``complaint.draft_discarded`` entry, chained after them, says who removed it and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from lapor_desktop.domain.roles import Permission
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.events import EventHub
from lapor_desktop.services.permissions import require
from lapor_desktop.storage.models import Complaint, OutboxEntry

DISCARDED_ACTION = "complaint.draft_discarded"
NOT_FOUND = N_("This draft is no longer at this desk.")
NOT_A_DRAFT = N_(
    "Only a draft that was never queued can be discarded; this complaint is kept in the register."
)


@dataclass(frozen=True)
class DiscardOutcome:
    """The draft is gone (``refused`` None), or why it was kept."""

    uuid: str
    refused: Message | None = None
    changes: DeskChanges = field(default=NOTHING, compare=False)

    @property
    def discarded(self) -> bool:
        return self.refused is None


class DraftService:
    """``hub`` hears each discard once committed (the desk's own unless one is given)."""

    def __init__(self, context: DeskContext, *, hub: EventHub | None = None) -> None:
        self._ctx = context
        self._hub = hub if hub is not None else context.hub

    def discard(self, complaint_uuid: str, *, actor: Actor) -> DiscardOutcome:
        """Remove a never-queued draft and audit it; refuse anything that was ever queued."""
        require(actor, Permission.RECORD_COMPLAINTS)
        ctx = self._ctx
        now = ctx.now()
        with ctx.database.write() as session:
            complaint = session.scalars(
                select(Complaint).where(Complaint.uuid == complaint_uuid)
            ).first()
            if complaint is None:
                return DiscardOutcome(complaint_uuid, Message(NOT_FOUND))
            queued_ever = session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.complaint_id == complaint.id)
            )
            if (
                complaint.status != Status.DRAFT.value
                or complaint.registration_number is not None
                or complaint.submitted_at is not None
                or queued_ever
            ):
                return DiscardOutcome(complaint_uuid, Message(NOT_A_DRAFT))
            audit.record(
                session,
                at=now,
                actor=actor.username,
                station_id=ctx.station.station_id,
                action=DISCARDED_ACTION,
                entity_type="complaint",
                entity_id=complaint.uuid,
                details={
                    "created_by": complaint.created_by,
                    "attachments": len(complaint.attachments),
                    "follow_ups": len(complaint.follow_ups),
                },
            )
            session.delete(complaint)
        changes = DeskChanges(removed=frozenset({complaint_uuid}))
        self._hub.publish(changes)
        return DiscardOutcome(complaint_uuid, changes=changes)
