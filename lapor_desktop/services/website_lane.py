"""The website lane: complaints an operator types into the LAPOR! website, one lease at a time.

Starting a submission takes the outbox entry's lease through the same claim query as the
sync lanes (``outbox_leases``), owned by the operator and their workstation, so in a
shared office two operators never type the same complaint; the others see who has it and
since when. A lease that ran out (the operator went home, the PC died) is never silently
retyped: the claim marks it for a look-up, and the panel asks the operator to check LAPOR!
first. Recording the tracking ID lives in ``website_records``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.services.outbox_leases import LaneClaim, OutboxLeases
from lapor_desktop.services.permissions import require
from lapor_desktop.services.website_handover import (
    Handover,
    form_fields,
    hand_over_files,
    identity_fields,
    remove_folder,
)
from lapor_desktop.storage.models import Complaint, OutboxEntry

WEBSITE = OutboxKind.WEBSITE_SUBMIT.value
OWNER_PREFIX = "web:"

NOT_WAITING = N_(
    "Complaint {registration_number} is not waiting to be typed into LAPOR! (already "
    "recorded, or moved to the other route)."
)
HELD = N_(
    "{user} (workstation {station}) has been typing complaint {registration_number} into "
    "LAPOR! since {since}. Ask them before you take it over."
)
NOT_YOURS = N_(
    "You are not typing complaint {registration_number}: start it first (another operator "
    "may have taken it over)."
)
NO_SUCH = N_("No complaint {key} is waiting on the website lane.")


@dataclass(frozen=True)
class Holder:
    """Who is typing a complaint into LAPOR!, and since when."""

    user: str
    station: str
    since: dt.datetime | None
    until: dt.datetime


@dataclass(frozen=True)
class QueueItem:
    """One line of the website lane's work queue (urgent first, then oldest)."""

    outbox_id: int
    complaint_uuid: str
    registration_number: str
    title: str
    urgent: bool
    queued_at: dt.datetime
    holder: Holder | None
    mine: bool
    check_first: bool
    """Started before and never finished: it may already be at LAPOR!."""


@dataclass(frozen=True)
class Refused:
    message: Message


def owner_of(actor: Actor, station_id: str) -> str:
    """The lease owner a person at a workstation writes (never a sync process's form)."""
    return f"{OWNER_PREFIX}{actor.username}@{station_id}"[:64]


def holder_of(owner: str | None, since: dt.datetime | None, until: dt.datetime | None) -> Holder:
    user, _, station = (owner or "").removeprefix(OWNER_PREFIX).rpartition("@")
    return Holder(user or (owner or "?"), station or "?", since, until or dt.datetime.min)


class WebsiteLane:
    """The queue, and starting, resuming and cancelling a submission through the website."""

    def __init__(self, context: DeskContext) -> None:
        self._ctx = context
        self._leases = OutboxLeases(context.database, context.now, owner="website")

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(minutes=self._ctx.office.website.stale_after_minutes)

    @property
    def handover_root(self) -> Path:
        return self._ctx.attachments_root.parent / "handover"

    def queue(self, *, actor: Actor) -> list[QueueItem]:
        """Every complaint waiting for the website, urgent first, then oldest."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        now = self._ctx.now()
        mine = owner_of(actor, self._ctx.station.station_id)
        with self._ctx.database.read() as session:
            rows = session.execute(
                select(
                    OutboxEntry.id,
                    OutboxEntry.needs_lookup,
                    OutboxEntry.lease_owner,
                    OutboxEntry.lease_taken_at,
                    OutboxEntry.lease_expires_at,
                    OutboxEntry.created_at,
                    Complaint.uuid,
                    Complaint.registration_number,
                    Complaint.title,
                    Complaint.urgent,
                )
                .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
                .where(OutboxEntry.kind == WEBSITE, OutboxEntry.state == OutboxState.PENDING.value)
                .order_by(OutboxEntry.priority.desc(), OutboxEntry.id)
            ).all()
        return [self._item(row, now, mine) for row in rows]

    def waiting(self) -> int:
        """How many wait to be typed (the status bar's "3 menunggu diketik ke LAPOR!")."""
        with self._ctx.database.read() as session:
            return len(
                session.scalars(
                    select(OutboxEntry.id).where(
                        OutboxEntry.kind == WEBSITE, OutboxEntry.state == OutboxState.PENDING.value
                    )
                ).all()
            )

    def find(self, key: str, *, actor: Actor) -> QueueItem | Refused:
        """A queued complaint by its registration number or UUID."""
        key = key.strip()
        for item in self.queue(actor=actor):
            if key.upper() == item.registration_number or key == item.complaint_uuid:
                return item
        return Refused(Message(NO_SUCH, {"key": key}))

    def start(self, outbox_id: int, *, actor: Actor) -> Handover | Refused:
        """Take the complaint's lease (or resume one's own) and hand over what to type."""
        require(actor, Permission.RECORD_COMPLAINTS)
        mine = owner_of(actor, self._ctx.station.station_id)
        now = self._ctx.now()
        resumed = self._resume(outbox_id, mine, now)
        if isinstance(resumed, Refused):
            return resumed
        if resumed is None:
            claimed = self._leases.claim(self._claim_of(outbox_id), 1, owner=mine)
            if not claimed:
                return self._why_not(outbox_id, now)
        return self._hand_over(outbox_id, actor, resumed=resumed is not None)

    def cancel(self, outbox_id: int, *, actor: Actor) -> Refused | None:
        """Give the complaint back to the queue untyped; its handed-over files go."""
        require(actor, Permission.RECORD_COMPLAINTS)
        mine = owner_of(actor, self._ctx.station.station_id)
        with self._ctx.database.write() as session:
            entry = session.get(OutboxEntry, outbox_id)
            if entry is None or entry.lease_owner != mine:
                return Refused(Message(NOT_YOURS, {"registration_number": _number(session, entry)}))
            entry.lease_owner = entry.lease_expires_at = entry.lease_taken_at = None
            self._audit(session, actor, "website.cancelled", entry)
        remove_folder(self.folder_for(outbox_id))
        return None

    def confirm_not_sent(self, outbox_id: int, *, actor: Actor) -> Refused | None:
        """The operator looked at LAPOR! and the unfinished submission is not there."""
        require(actor, Permission.RECORD_COMPLAINTS)
        mine = owner_of(actor, self._ctx.station.station_id)
        with self._ctx.database.write() as session:
            entry = session.get(OutboxEntry, outbox_id)
            if entry is None or entry.lease_owner != mine:
                return Refused(Message(NOT_YOURS, {"registration_number": _number(session, entry)}))
            entry.needs_lookup = False
            self._audit(session, actor, "website.checked_not_at_lapor", entry)
        return None

    def folder_for(self, outbox_id: int) -> Path:
        return self.handover_root / str(outbox_id)

    def discard_stale_folders(self) -> int:
        """Handed-over copies whose submission holds no lease any more (a crash, a take-over)."""
        root = self.handover_root
        if not root.is_dir():
            return 0
        with self._ctx.database.read() as session:
            held = set(
                session.scalars(
                    select(OutboxEntry.id).where(
                        OutboxEntry.kind == WEBSITE, OutboxEntry.lease_owner.is_not(None)
                    )
                )
            )
        removed = 0
        for folder in root.iterdir():
            if not (folder.name.isdigit() and int(folder.name) in held):
                remove_folder(folder)
                removed += 1
        return removed

    def _resume(self, outbox_id: int, mine: str, now: dt.datetime) -> bool | Refused | None:
        """True when this operator's own lease still runs (and is renewed); None to claim."""
        with self._ctx.database.write() as session:
            entry = session.get(OutboxEntry, outbox_id)
            if entry is None or entry.kind != WEBSITE or entry.state != OutboxState.PENDING.value:
                return Refused(
                    Message(NOT_WAITING, {"registration_number": _number(session, entry)})
                )
            live = entry.lease_expires_at is not None and entry.lease_expires_at >= now
            if not live or entry.lease_owner != mine:
                return None
            entry.lease_expires_at = now + self.lease
            return True

    def _why_not(self, outbox_id: int, now: dt.datetime) -> Refused:
        """Read under a row lock: a claim that skipped a row another desk is taking waits for
        that desk's commit, so it names the holder instead of saying "not waiting"."""
        with self._ctx.database.write() as session:
            entry = session.get_one(OutboxEntry, outbox_id, with_for_update=True)
            number = _number(session, entry)
            if entry.lease_expires_at is not None and entry.lease_expires_at >= now:
                holder = holder_of(entry.lease_owner, entry.lease_taken_at, entry.lease_expires_at)
                return Refused(Message(HELD, self._held_params(holder, number)))
        return Refused(Message(NOT_WAITING, {"registration_number": number}))

    def _held_params(self, holder: Holder, number: str) -> dict[str, object]:
        since = (
            holder.since.astimezone(self._zone()).strftime("%d/%m/%Y %H:%M")
            if holder.since
            else "?"
        )
        return {
            "user": holder.user,
            "station": holder.station,
            "since": since,
            "registration_number": number,
        }

    def _zone(self) -> dt.tzinfo:
        return ZoneInfo(self._ctx.office.timezone)

    def _claim_of(self, outbox_id: int) -> LaneClaim[Any]:
        def build(session: Session, rows: Sequence[Any]) -> tuple[list[Any], dict[int, str]]:
            return list(rows), {}

        return LaneClaim(
            WEBSITE, lambda query: query.where(OutboxEntry.id == outbox_id), build, self.lease
        )

    def _hand_over(self, outbox_id: int, actor: Actor, *, resumed: bool) -> Handover:
        ctx = self._ctx
        folder = self.folder_for(outbox_id)
        with ctx.database.write() as session:
            entry = session.get_one(OutboxEntry, outbox_id)
            complaint = session.scalars(
                select(Complaint)
                .where(Complaint.id == entry.complaint_id)
                .options(selectinload(Complaint.identity), selectinload(Complaint.attachments))
            ).one()
            identity, hidden = identity_fields(complaint, actor.role, ctx.require_vault())
            files = hand_over_files(complaint, ctx.attachment_store(), folder, role=actor.role)
            handover = Handover(
                outbox_id=outbox_id,
                complaint_uuid=complaint.uuid,
                registration_number=complaint.registration_number or "",
                typed_digest=entry.content_hash,
                anonim=complaint.anonim,
                rahasia=complaint.rahasia,
                fields=form_fields(complaint, ctx.references),
                identity=identity,
                identity_hidden=hidden,
                folder=folder if files else None,
                files=files,
                started_at=entry.lease_taken_at or ctx.now(),
                check_first=entry.needs_lookup,
            )
            action = "website.resumed" if resumed else "website.started"
            self._audit(session, actor, action, entry, {"check_first": entry.needs_lookup})
        if not files:
            remove_folder(folder)
        return handover

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        entry: OutboxEntry,
        details: dict[str, Any] | None = None,
    ) -> None:
        complaint = session.get_one(Complaint, entry.complaint_id)
        number = {"registration_number": complaint.registration_number or "?"}
        audit_complaint(
            session, self._ctx, actor, action, complaint.uuid, {**number, **(details or {})}
        )

    def _item(self, row: Any, now: dt.datetime, mine: str) -> QueueItem:
        live = row.lease_expires_at is not None and row.lease_expires_at >= now
        holder = (
            holder_of(row.lease_owner, row.lease_taken_at, row.lease_expires_at) if live else None
        )
        return QueueItem(
            outbox_id=row.id,
            complaint_uuid=row.uuid,
            registration_number=row.registration_number or "",
            title=row.title,
            urgent=row.urgent,
            queued_at=row.created_at,
            holder=holder,
            mine=live and row.lease_owner == mine,
            check_first=bool(row.needs_lookup) or (row.lease_expires_at is not None and not live),
        )


def _number(session: Session, entry: OutboxEntry | None) -> str:
    if entry is None:
        return "?"
    found = session.scalar(
        select(Complaint.registration_number).where(Complaint.id == entry.complaint_id)
    )
    return found or "?"


def audit_complaint(
    session: Session,
    ctx: DeskContext,
    actor: Actor,
    action: str,
    complaint_uuid: str,
    details: dict[str, Any],
) -> None:
    """The website lane's audit entry: who did what to which complaint, at this workstation."""
    audit.record(
        session,
        at=ctx.now(),
        actor=actor.username,
        station_id=ctx.station.station_id,
        action=action,
        entity_type="complaint",
        entity_id=complaint_uuid,
        details=details,
    )
