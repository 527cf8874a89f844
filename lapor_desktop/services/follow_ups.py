"""Follow-up notes: extra information or the complainant's reply, added after the fact.

Once a complaint has left the desk its content is never overwritten; what
the citizen adds later becomes a follow-up, queued for the national
service as its own message (idempotent by the note's UUID).
"""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from dataclasses import dataclass, field

from sqlalchemy import select

from lapor_desktop.domain.roles import Permission
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit, outbox
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.permissions import require
from lapor_desktop.storage.models import Complaint, FollowUpNote

MAX_LENGTH = 10_000


@dataclass(frozen=True)
class FollowUpOutcome:
    note_uuid: str | None
    problem: Message | None = None
    changes: DeskChanges = field(default=NOTHING, compare=False)


class FollowUpService:
    def __init__(self, context: DeskContext) -> None:
        self._ctx = context

    def add(self, complaint_uuid: str, text: str, *, actor: Actor) -> FollowUpOutcome:
        """Keep the note (queued once the complaint has left the desk) and announce it."""
        outcome = self._add(complaint_uuid, text, actor)
        self._ctx.hub.publish(outcome.changes)
        return outcome

    def _add(self, complaint_uuid: str, text: str, actor: Actor) -> FollowUpOutcome:
        require(actor, Permission.RECORD_COMPLAINTS)
        text = text.strip()
        if not text:
            return FollowUpOutcome(None, Message(N_("The follow-up note is empty.")))
        if len(text) > MAX_LENGTH:
            return FollowUpOutcome(
                None,
                Message(
                    N_("The follow-up note is too long: at most {limit} characters."),
                    {"limit": MAX_LENGTH},
                ),
            )
        ctx = self._ctx
        now = ctx.now()
        with ctx.database.write() as session:
            complaint = session.scalars(
                select(Complaint).where(Complaint.uuid == complaint_uuid)
            ).first()
            if complaint is None:
                return FollowUpOutcome(None, Message(N_("No such complaint.")))
            note = FollowUpNote(
                uuid=str(uuid_module.uuid4()), created_at=now, author=actor.username, text=text
            )
            complaint.follow_ups.append(note)
            queued = complaint.status != Status.DRAFT.value
            if queued:
                outbox.enqueue(
                    session,
                    complaint_id=complaint.id,
                    kind=OutboxKind.FOLLOW_UP,
                    ref_uuid=note.uuid,
                    content_hash=note_hash(note.uuid, text),
                    at=now,
                )
            session.flush()
            audit.record(
                session,
                at=now,
                actor=actor.username,
                station_id=ctx.station.station_id,
                action="complaint.follow_up_added",
                entity_type="complaint",
                entity_id=complaint.uuid,
                details={"note_uuid": note.uuid},
            )
            changed = [complaint.uuid]
            return FollowUpOutcome(
                note.uuid,
                changes=DeskChanges.of_complaints(changed, outbox=changed if queued else ()),
            )


def note_hash(note_uuid: str, text: str) -> str:
    """What tells a follow-up resent from one changed (its UUID and its words)."""
    return hashlib.sha256(f"{note_uuid}\n{text}".encode()).hexdigest()
