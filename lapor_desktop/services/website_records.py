"""What the website lane writes: the tracking ID pasted back, statuses read on LAPOR!, route moves.

A tracking ID is the website's only proof of delivery, so it is taken only from the
operator who holds the submission, for the version they typed, once; then the complaint
counts as received by LAPOR! via the website, in the same timeline the protocol lane fills,
with an audit entry naming the operator. Each write announces its ``DeskChanges``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_desktop.domain.roles import Permission
from lapor_desktop.domain.status import NATIONAL_STATES, Status, SyncState, can_move
from lapor_desktop.domain.tracking_id import TrackingIdRefused, parse_tracking_id
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import timeline
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.outbox import (
    ROUTE_KINDS,
    OutboxKind,
    OutboxState,
    pending_submission,
)
from lapor_desktop.services.permissions import require
from lapor_desktop.services.website_handover import remove_folder
from lapor_desktop.services.website_lane import WEBSITE, WebsiteLane, audit_complaint, owner_of
from lapor_desktop.storage.models import Complaint, OutboxEntry

MAX_RESPONSE = 20_000

DUPLICATE = N_(
    "Tracking ID {tracking_id} already belongs to complaint {other}. Check that you copied "
    "the ID of this report; nothing was recorded."
)
EDITED = N_(
    "Complaint {registration_number} was changed while you were typing it. Start it again to "
    "see the new text, correct the report at LAPOR! if you can, then paste the tracking ID "
    "again; nothing was recorded."
)
NOT_HELD = N_(
    "You are not typing complaint {registration_number} any more (another operator took it "
    "over, or it was recorded). Nothing was recorded."
)
CITIZEN_TEXT = N_(
    "Your complaint {registration_number} has reached LAPOR! with tracking ID {tracking_id}. "
    "Follow it at {address} or ask at our office."
)
NOT_BY_WEBSITE = N_(
    "Complaint {registration_number} did not reach LAPOR! through the website: its statuses "
    "come from LAPOR! by themselves."
)
NOT_NATIONAL = N_("{status} is not a status that LAPOR! gives.")
BAD_MOVE = N_("Complaint {registration_number} cannot move from {old} to {new}.")
BEFORE_SENT = N_("The date {date} is before the complaint reached LAPOR! ({sent}).")
FUTURE_DATE = N_("The date {date} is in the future.")
RESPONSE_TOO_LONG = N_("The pasted text is too long: at most {limit} characters.")
NO_REASON = N_("Say why the complaint moves to the other route (it is kept in the audit log).")
NOT_MOVABLE = N_(
    "Complaint {registration_number} is not waiting to be sent, or is being typed into "
    "LAPOR! right now; it was not moved."
)
CHECK_FIRST = N_(
    "Complaint {registration_number} was started on the LAPOR! website and never finished: "
    "look for it at LAPOR! first, and record its tracking ID or confirm it is not there."
)
UNKNOWN_ROUTE = N_("Unknown route {route}: choose protocol or website.")
NO_COMPLAINT = N_("No complaint {key}.")


@dataclass(frozen=True)
class Recorded:
    """A complaint now received by LAPOR! via the website, and the text for the citizen."""

    registration_number: str
    tracking_id: str
    citizen_text: Message
    changes: DeskChanges = field(default=NOTHING, compare=False)


@dataclass(frozen=True)
class WebsiteRefused:
    message: Message


class WebsiteRecords:
    def __init__(self, context: DeskContext, lane: WebsiteLane | None = None) -> None:
        self._ctx = context
        self._lane = lane or WebsiteLane(context)

    def record_tracking_id(
        self, outbox_id: int, pasted: str, *, typed_digest: str, actor: Actor
    ) -> Recorded | WebsiteRefused:
        """Take the pasted tracking ID as LAPOR!'s proof of delivery, or say why not."""
        require(actor, Permission.RECORD_COMPLAINTS)
        ctx = self._ctx
        parsed = parse_tracking_id(pasted, ctx.office.website.tracking_id_pattern)
        if isinstance(parsed, TrackingIdRefused):
            return WebsiteRefused(parsed.message)
        value = parsed.value
        now = ctx.now()
        try:
            with ctx.database.write() as session:
                outcome = self._record(session, outbox_id, value, typed_digest, actor, now)
        except IntegrityError:  # another desk stored the same ID a moment earlier
            return WebsiteRefused(Message(DUPLICATE, {"tracking_id": value, "other": "?"}))
        if isinstance(outcome, Recorded):
            remove_folder(self._lane.folder_for(outbox_id))
            ctx.hub.publish(outcome.changes)
        return outcome

    def _record(
        self,
        session: Session,
        outbox_id: int,
        value: str,
        typed_digest: str,
        actor: Actor,
        now: dt.datetime,
    ) -> Recorded | WebsiteRefused:
        entry = session.get(OutboxEntry, outbox_id, with_for_update=True)
        complaint = session.get(Complaint, entry.complaint_id) if entry else None
        number = (complaint.registration_number if complaint else None) or "?"
        mine = owner_of(actor, self._ctx.station.station_id)
        if (
            entry is None
            or complaint is None
            or entry.kind != WEBSITE
            or entry.state != OutboxState.PENDING.value
            or entry.lease_owner != mine
        ):
            return WebsiteRefused(Message(NOT_HELD, {"registration_number": number}))
        if entry.content_hash != typed_digest:
            return WebsiteRefused(Message(EDITED, {"registration_number": number}))
        other = session.scalar(
            select(Complaint.registration_number).where(
                Complaint.tracking_id == value, Complaint.id != complaint.id
            )
        )
        if other is not None:
            return WebsiteRefused(Message(DUPLICATE, {"tracking_id": value, "other": other}))
        complaint.tracking_id = value
        complaint.sent_at = complaint.sent_at or now
        complaint.delivered_via = "website"
        complaint.sync_state = SyncState.SENT.value
        if complaint.status == Status.QUEUED.value:
            timeline.move(
                session,
                complaint,
                Status.SENT,
                at=now,
                actor=actor.username,
                source="website",
                note=value,
            )
        complaint.updated_at = now
        entry.state = OutboxState.DONE.value
        entry.needs_lookup = False
        entry.last_error = ""
        entry.lease_owner = entry.lease_expires_at = entry.lease_taken_at = None
        handed = session.execute(  # type: ignore[attr-defined]
            update(OutboxEntry)
            .where(
                OutboxEntry.complaint_id == complaint.id,
                OutboxEntry.kind == OutboxKind.UPLOAD_ATTACHMENT.value,
                OutboxEntry.state == OutboxState.PENDING.value,
            )
            .values(state=OutboxState.DONE.value, last_error="handed over on the website")
            .execution_options(synchronize_session=False)
        ).rowcount
        self._audit(
            session,
            actor,
            "complaint.sent_via_website",
            complaint,
            {"registration_number": number, "tracking_id": value, "files": handed},
        )
        session.flush()
        return Recorded(
            number,
            value,
            citizen_text(number, value, self._ctx.office.website.address),
            DeskChanges.of_complaints([complaint.uuid], outbox=[complaint.uuid]),
        )

    def record_status(
        self,
        complaint_key: str,
        status: str,
        occurred_on: dt.date,
        text: str,
        *,
        actor: Actor,
    ) -> DeskChanges | WebsiteRefused:
        """A status (and the agency's answer) the operator read on LAPOR!, into the timeline."""
        require(actor, Permission.RECORD_COMPLAINTS)
        ctx = self._ctx
        zone = ZoneInfo(ctx.office.timezone)
        if occurred_on > ctx.office_today():
            return WebsiteRefused(Message(FUTURE_DATE, {"date": occurred_on.strftime("%d/%m/%Y")}))
        text = text.strip()
        if len(text) > MAX_RESPONSE:
            return WebsiteRefused(Message(RESPONSE_TOO_LONG, {"limit": MAX_RESPONSE}))
        try:
            new = Status(status)
        except ValueError:
            return WebsiteRefused(Message(NOT_NATIONAL, {"status": status}))
        if new not in NATIONAL_STATES:
            return WebsiteRefused(Message(NOT_NATIONAL, {"status": Message(new.label)}))
        now = ctx.now()
        with ctx.database.write() as session:
            complaint = _find(session, complaint_key)
            if complaint is None:
                return WebsiteRefused(Message(NO_COMPLAINT, {"key": complaint_key}))
            number = complaint.registration_number or "?"
            if complaint.delivered_via != "website":
                return WebsiteRefused(Message(NOT_BY_WEBSITE, {"registration_number": number}))
            sent_on = (complaint.sent_at or now).astimezone(zone).date()
            if occurred_on < sent_on:
                when = {
                    "date": occurred_on.strftime("%d/%m/%Y"),
                    "sent": sent_on.strftime("%d/%m/%Y"),
                }
                return WebsiteRefused(Message(BEFORE_SENT, when))
            old = Status(complaint.status)
            if not can_move(old, new):
                params = {"registration_number": number, "old": Message(old.label)}
                return WebsiteRefused(Message(BAD_MOVE, {**params, "new": Message(new.label)}))
            if occurred_on == now.astimezone(zone).date():
                at = now
            else:
                at = dt.datetime.combine(occurred_on, dt.time(12), zone).astimezone(dt.UTC)
            timeline.move(
                session, complaint, new, at=at, actor=actor.username, source="website", note=text
            )
            complaint.updated_at = now
            self._audit(
                session,
                actor,
                "complaint.status_from_website",
                complaint,
                {"registration_number": number, "status": new.value},
            )
            changes = DeskChanges.of_complaints([complaint.uuid])
        ctx.hub.publish(changes)
        return changes

    def move_route(
        self, complaint_key: str, route: str, reason: str, *, actor: Actor
    ) -> DeskChanges | WebsiteRefused:
        """A supervisor sends one waiting complaint by the other route; audited with the reason."""
        require(actor, Permission.ROUTE_COMPLAINTS)
        if route not in ROUTE_KINDS:
            return WebsiteRefused(Message(UNKNOWN_ROUTE, {"route": route}))
        reason = " ".join(reason.split())
        if not reason:
            return WebsiteRefused(Message(NO_REASON))
        ctx = self._ctx
        now = ctx.now()
        with ctx.database.write() as session:
            complaint = _find(session, complaint_key)
            if complaint is None:
                return WebsiteRefused(Message(NO_COMPLAINT, {"key": complaint_key}))
            number = complaint.registration_number or "?"
            entry = pending_submission(session, complaint.id)
            if entry is None or (entry.lease_expires_at and entry.lease_expires_at >= now):
                return WebsiteRefused(Message(NOT_MOVABLE, {"registration_number": number}))
            old_kind = entry.kind
            if old_kind == WEBSITE and entry.needs_lookup and route != "website":
                # Someone started typing it and never finished: only LAPOR! knows if it is there.
                return WebsiteRefused(Message(CHECK_FIRST, {"registration_number": number}))
            entry.kind = ROUTE_KINDS[route].value
            # A lease nobody gave back may have delivered it: look before sending again.
            entry.needs_lookup = entry.needs_lookup or entry.lease_expires_at is not None
            entry.lease_owner = entry.lease_expires_at = entry.lease_taken_at = None
            self._audit(
                session,
                actor,
                "complaint.route_changed",
                complaint,
                {
                    "registration_number": number,
                    "from": _route_of(old_kind),
                    "to": route,
                    "reason": reason,
                },
            )
            changes = DeskChanges.of_complaints([complaint.uuid], outbox=[complaint.uuid])
        ctx.hub.publish(changes)
        return changes

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        complaint: Complaint,
        details: dict[str, object],
    ) -> None:
        audit_complaint(session, self._ctx, actor, action, complaint.uuid, details)


def citizen_text(registration_number: str, tracking_id: str, address: str) -> Message:
    """The short SMS/WhatsApp text the operator copies for the citizen."""
    params = {"registration_number": registration_number, "tracking_id": tracking_id}
    return Message(CITIZEN_TEXT, {**params, "address": address})


def _route_of(kind: str) -> str:
    return next(route for route, k in ROUTE_KINDS.items() if k.value == kind)


def _find(session: Session, key: str) -> Complaint | None:
    key = key.strip()
    return session.scalars(
        select(Complaint).where(
            (Complaint.registration_number == key.upper())
            | (Complaint.uuid == key.lower())
            | (Complaint.tracking_id == key)
        )
    ).first()


__all__ = ["Recorded", "WebsiteRecords", "WebsiteRefused", "citizen_text"]
