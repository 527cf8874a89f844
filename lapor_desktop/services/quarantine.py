"""The quarantine: records the national service refused, kept for a supervisor to decide.

One bad record never blocks the queue (the sync engine sets it aside with
the server's reason); a supervisor looks at the list, corrects the complaint
if it needs correcting, and sends it again. Every decision is audited. A
quarantined entry that a later correction already re-queued is superseded:
it stays as history but is no longer open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session, aliased

from lapor_desktop.domain.complaint import ComplaintForm
from lapor_desktop.domain.roles import Permission
from lapor_desktop.domain.status import SyncState
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.content_digest import current_digest, digest_of
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.intake import IntakeService, SaveOutcome
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.services.permissions import require
from lapor_desktop.storage.models import Complaint, OutboxEntry

NOT_QUARANTINED = N_("No quarantined record has the number or outbox ID {key}.")


@dataclass(frozen=True)
class QuarantinedRecord:
    outbox_id: int
    registration_number: str | None
    complaint_uuid: str
    kind: str
    reason: str
    """The server's reason (or the engine's), as it was given."""
    quarantined_at: dt.datetime
    attempts: int


@dataclass(frozen=True)
class Resent:
    """The entry is pending again; ``corrected``: it goes with the complaint's current content."""

    outbox_id: int
    registration_number: str | None
    corrected: bool
    changes: DeskChanges = field(default=NOTHING, compare=False)


@dataclass(frozen=True)
class ResendRefused:
    message: Message


def is_open() -> ColumnElement[bool]:
    """Quarantined and not superseded by a later entry for the same record (a correction)."""
    later = aliased(OutboxEntry)
    superseded = exists().where(
        and_(
            later.complaint_id == OutboxEntry.complaint_id,
            later.kind == OutboxEntry.kind,
            later.ref_uuid == OutboxEntry.ref_uuid,
            later.id > OutboxEntry.id,
        )
    )
    return and_(OutboxEntry.state == OutboxState.QUARANTINED.value, ~superseded)


class QuarantineService:
    def __init__(self, context: DeskContext, intake: IntakeService) -> None:
        self._ctx = context
        self._intake = intake

    def list(self, *, actor: Actor) -> list[QuarantinedRecord]:
        """Open quarantined records, oldest first."""
        require(actor, Permission.DECIDE_QUARANTINE)
        with self._ctx.database.read() as session:
            rows = session.execute(
                select(OutboxEntry, Complaint)
                .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
                .where(is_open())
                .order_by(OutboxEntry.id)
            ).all()
            return [
                QuarantinedRecord(
                    outbox_id=entry.id,
                    registration_number=complaint.registration_number,
                    complaint_uuid=complaint.uuid,
                    kind=entry.kind,
                    reason=entry.last_error,
                    quarantined_at=complaint.updated_at,
                    attempts=entry.attempts,
                )
                for entry, complaint in rows
            ]

    def resend(self, key: str, *, actor: Actor) -> Resent | ResendRefused:
        outcome = self._resend(key, actor)
        if isinstance(outcome, Resent):
            self._ctx.hub.publish(outcome.changes)
        return outcome

    def _resend(self, key: str, actor: Actor) -> Resent | ResendRefused:
        """Queue a quarantined record again, by outbox ID or registration number.

        A complaint whose content was corrected since it was queued goes with
        its current content (a new content hash); otherwise as it was, e.g.
        after the national service's reference data caught up.
        """
        require(actor, Permission.DECIDE_QUARANTINE)
        vault = self._ctx.require_vault()
        now = self._ctx.now()
        with self._ctx.database.write() as session:
            found = _find_open(session, key)
            if found is None:
                return ResendRefused(Message(NOT_QUARANTINED, {"key": key}))
            entry, complaint = found
            corrected = False
            if entry.kind == OutboxKind.SUBMIT_COMPLAINT.value:
                current = current_digest(complaint, vault)
                corrected = current != entry.content_hash
                entry.content_hash = current
                complaint.sync_state = SyncState.PENDING.value
                complaint.updated_at = now
            _requeue(entry)
            audit.record(
                session,
                at=now,
                actor=actor.username,
                station_id=self._ctx.station.station_id,
                action="quarantine.resent",
                entity_type="complaint",
                entity_id=complaint.uuid,
                details={
                    "outbox_id": entry.id,
                    "registration_number": complaint.registration_number,
                    "corrected": corrected,
                },
            )
            changed = [complaint.uuid]
            return Resent(
                entry.id,
                complaint.registration_number,
                corrected,
                DeskChanges.of_complaints(changed, outbox=changed),
            )

    def fix_and_resend(
        self, key: str, form: ComplaintForm, *, actor: Actor
    ) -> SaveOutcome | Resent | ResendRefused:
        """Save the supervisor's correction of a quarantined complaint and queue it again.

        A form that no longer validates is kept as typed (the intake's rule)
        and the record stays quarantined; a form identical to what was sent
        is a plain resend.
        """
        require(actor, Permission.DECIDE_QUARANTINE)
        vault = self._ctx.require_vault()
        with self._ctx.database.read() as session:
            found = _find_open(session, key)
            if found is None or found[0].kind != OutboxKind.SUBMIT_COMPLAINT.value:
                return ResendRefused(Message(NOT_QUARANTINED, {"key": key}))
            entry, complaint = found
            data = self._intake.validate(form).data
            unchanged = data is not None and digest_of(complaint, data, vault) == entry.content_hash
            outbox_id, complaint_uuid = entry.id, complaint.uuid
        if unchanged:
            return self.resend(str(outbox_id), actor=actor)
        outcome = self._intake.submit(form, actor=actor, complaint_uuid=complaint_uuid)
        if outcome.queued:
            now = self._ctx.now()
            with self._ctx.database.write() as session:
                audit.record(
                    session,
                    at=now,
                    actor=actor.username,
                    station_id=self._ctx.station.station_id,
                    action="quarantine.fixed_and_resent",
                    entity_type="complaint",
                    entity_id=complaint_uuid,
                    details={
                        "outbox_id": outbox_id,
                        "registration_number": outcome.registration_number,
                    },
                )
        return outcome


def _find_open(session: Session, key: str) -> tuple[OutboxEntry, Complaint] | None:
    text = key.strip()
    match = (
        OutboxEntry.id == int(text)
        if text.isdigit()
        else Complaint.registration_number == text.upper()
    )
    row = session.execute(
        select(OutboxEntry, Complaint)
        .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
        .where(match, is_open())
        .order_by(OutboxEntry.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def _requeue(entry: OutboxEntry) -> None:
    entry.state = OutboxState.PENDING.value
    entry.attempts = 0
    entry.last_error = ""
    entry.next_attempt_at = None
    entry.needs_lookup = False
    entry.lease_owner = None
    entry.lease_expires_at = None
    entry.lease_taken_at = None
