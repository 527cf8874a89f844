"""Moving spooled complaints into the office database once it answers again.

One complaint per office transaction, in the order they were spooled, and
each is looked up there by its client UUID first. That makes the replay
idempotent and resumable: if it is cut (a kill, the database gone again)
after the office committed but before the spool forgot the complaint, the
next replay finds the same version there and only forgets it. Rows are
copied as they are (identities stay sealed; no key is needed), so a replay
can also run with nobody signed in.

What the office database may already hold under the UUID:
- nothing: the complaint is added;
- the draft autosaved before the outage (still a draft, or queued and not yet
  sent): it is replaced by the spooled version, and its queued submission re-hashed;
- a version that was sent or changed elsewhere: a conflict, kept in the spool and
  shown to the operator (the spool's audit says so once), never overwritten.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session, selectinload

from lapor_desktop.domain.status import Status
from lapor_desktop.services import audit, outbox
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import DeskContext
from lapor_desktop.services.spool import CONFLICT_ACTION, MERGED_ACTION, Spool, database_away
from lapor_desktop.storage.models import (
    Attachment,
    AuditEntry,
    ComplainantIdentity,
    Complaint,
    FollowUpNote,
    OutboxEntry,
    StatusEvent,
)

REPLAYER = "spool"
_REPLACEABLE = frozenset({Status.DRAFT.value, Status.QUEUED.value})
_KEPT_ON_REPLACE = frozenset({"id", "uuid", "created_at", "created_by", "station_id"})


class MergeResult(enum.StrEnum):
    ADDED = "added"
    REPLACED_DRAFT = "replaced_draft"
    ALREADY_THERE = "already_there"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Merged:
    uuid: str
    registration_number: str | None
    result: MergeResult


@dataclass(frozen=True)
class ReplayReport:
    """What one replay did; ``away`` when the office database was (or went) away again."""

    merged: tuple[Merged, ...] = ()
    waiting: int = 0
    away: bool = False

    @property
    def moved(self) -> tuple[Merged, ...]:
        """The complaints now in the office database (not the conflicts)."""
        return tuple(m for m in self.merged if m.result is not MergeResult.CONFLICT)

    @property
    def changes(self) -> DeskChanges:
        moved = [m.uuid for m in self.moved]
        if not moved:
            return NOTHING
        return DeskChanges.of_complaints(moved, added=moved, outbox=moved)


def replay(spool: Spool, office: DeskContext) -> ReplayReport:
    """Merge what waits in ``spool`` into ``office``'s database; the link is back if it answered.

    The office database is asked first even with nothing spooled, so the
    window learns that it is back. Errors other than "away" are bugs and raise.
    """
    merged: list[Merged] = []
    try:
        with office.database.read() as session:
            session.execute(text("SELECT 1"))
        for uuid in _waiting_uuids(spool):
            merged.append(_merge_one(spool, office, uuid))
    except Exception as error:
        if not database_away(error):
            raise
        spool.link.lost(office.now())
        return ReplayReport(tuple(merged), len(_waiting_uuids(spool)), away=True)
    spool.link.back()
    report = ReplayReport(tuple(merged), len(_waiting_uuids(spool)))
    office.hub.publish(report.changes)
    return report


def _waiting_uuids(spool: Spool) -> list[str]:
    if not spool.path.exists():
        return []
    with spool.database.read() as session:
        return list(session.scalars(select(Complaint.uuid).order_by(Complaint.id)))


def _merge_one(spool: Spool, office: DeskContext, uuid: str) -> Merged:
    copy = _read(spool, uuid)
    now = office.now()
    with office.database.write() as session:
        found = session.scalars(select(Complaint).where(Complaint.uuid == uuid)).first()
        if found is None:
            target = _add(session, copy, office.station.station_id)
            result = MergeResult.ADDED
        elif _same_version(found, copy):
            target, result = found, MergeResult.ALREADY_THERE
        elif found.status in _REPLACEABLE and found.sent_at is None and found.tracking_id is None:
            target = _replace(session, found, copy)
            result = MergeResult.REPLACED_DRAFT
        else:
            target, result = found, MergeResult.CONFLICT
        if result in (MergeResult.ADDED, MergeResult.REPLACED_DRAFT):
            session.flush()
            _queue(session, target, copy, office)
            _audit_again(session, copy, office.station.station_id)
            audit.record(
                session,
                at=now,
                actor=REPLAYER,
                station_id=office.station.station_id,
                action=MERGED_ACTION,
                entity_type="complaint",
                entity_id=uuid,
                details={"registration_number": copy.complaint["registration_number"]},
            )
    _settle(spool, copy, result, now)
    return Merged(uuid, copy.complaint["registration_number"], result)


@dataclass(frozen=True)
class _Copy:
    """A spooled complaint as plain column values, read in one spool transaction."""

    complaint: dict[str, Any]
    identity: dict[str, Any] | None
    events: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    follow_ups: list[dict[str, Any]]
    submissions: list[dict[str, Any]]
    audit: list[dict[str, Any]]


def _columns(row: object, *, without: frozenset[str] = frozenset()) -> dict[str, Any]:
    mapper = inspect(type(row))
    return {c.key: getattr(row, c.key) for c in mapper.column_attrs if c.key not in without}


def _read(spool: Spool, uuid: str) -> _Copy:
    with spool.database.read() as session:
        row = session.scalars(
            select(Complaint)
            .where(Complaint.uuid == uuid)
            .options(
                selectinload(Complaint.identity),
                selectinload(Complaint.events),
                selectinload(Complaint.attachments),
                selectinload(Complaint.follow_ups),
            )
        ).one()
        return _copy_of(session, row)


def _copy_of(session: Session, row: Complaint) -> _Copy:
    child = frozenset({"id", "complaint_id"})
    submissions = session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.complaint_id == row.id,
            OutboxEntry.kind.in_(outbox.SUBMISSION_KINDS),
            OutboxEntry.state == outbox.OutboxState.PENDING.value,
        )
    ).all()
    entries = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_id == row.uuid,
            AuditEntry.action.not_in((MERGED_ACTION, CONFLICT_ACTION)),
        )
        .order_by(AuditEntry.id)
    ).all()
    return _Copy(
        complaint=_columns(row, without=frozenset({"id"})),
        identity=_columns(row.identity, without=child) if row.identity else None,
        events=[_columns(e, without=child) for e in row.events],
        attachments=[_columns(a, without=child) for a in row.attachments],
        follow_ups=[_columns(f, without=child) for f in row.follow_ups],
        submissions=[
            _columns(s, without=frozenset({"id", "complaint_id", "bundle_id"})) for s in submissions
        ],
        audit=[_columns(e, without=frozenset({"id", "prev_hash", "entry_hash"})) for e in entries],
    )


def _same_version(found: Complaint, copy: _Copy) -> bool:
    """The office database already holds exactly this version (an earlier replay was cut).

    Every column is compared, the identity's too: a draft saved again keeps its
    ``updated_at``, so the time alone cannot tell two versions apart.
    """
    mine = {k: v for k, v in copy.complaint.items() if k not in _KEPT_ON_REPLACE}
    theirs = _columns(found, without=_KEPT_ON_REPLACE)
    identity = (
        _columns(found.identity, without=frozenset({"complaint_id"})) if found.identity else None
    )
    return theirs == mine and identity == copy.identity


def _add(session: Session, copy: _Copy, station_id: str) -> Complaint:
    complaint = Complaint(**{**copy.complaint, "station_id": station_id})
    if copy.identity is not None:
        complaint.identity = ComplainantIdentity(**copy.identity)
    complaint.events = [StatusEvent(**e) for e in copy.events]
    complaint.attachments = [Attachment(**a) for a in copy.attachments]
    complaint.follow_ups = [FollowUpNote(**f) for f in copy.follow_ups]
    session.add(complaint)
    return complaint


def _replace(session: Session, found: Complaint, copy: _Copy) -> Complaint:
    """The office's draft of it becomes the spooled version; its timeline gains the new steps."""
    for name, value in copy.complaint.items():
        if name not in _KEPT_ON_REPLACE:
            setattr(found, name, value)
    if copy.identity is not None:
        if found.identity is None:
            found.identity = ComplainantIdentity()
        for name, value in copy.identity.items():
            setattr(found.identity, name, value)
    known = {(e.status, e.occurred_at) for e in found.events}
    for event in copy.events:
        if (event["status"], event["occurred_at"]) not in known:
            found.events.append(StatusEvent(**event))
    wanted = {a["sha256"]: a for a in copy.attachments}
    for row in [a for a in found.attachments if a.sha256 not in wanted]:
        found.attachments.remove(row)
    present = {a.sha256 for a in found.attachments}
    found.attachments.extend(Attachment(**a) for s, a in wanted.items() if s not in present)
    session.flush()
    return found


def _queue(session: Session, complaint: Complaint, copy: _Copy, office: DeskContext) -> None:
    """The spooled submission waits in the office's outbox (the one pending entry re-hashed)."""
    routes = {kind.value: route for route, kind in outbox.ROUTE_KINDS.items()}
    for entry in copy.submissions:
        outbox.enqueue_submission(
            session,
            complaint,
            entry["content_hash"],
            at=entry["created_at"],
            route=routes.get(entry["kind"], office.office.website.route),
        )


def _audit_again(session: Session, copy: _Copy, station_id: str) -> None:
    """The spool's audit entries of the complaint join the office's chain, marked as spooled."""
    for entry in copy.audit:
        audit.record(
            session,
            at=entry["occurred_at"],
            actor=entry["actor"],
            station_id=station_id,
            action=entry["action"],
            entity_type=entry["entity_type"],
            entity_id=entry["entity_id"],
            details={**entry["details"], "spooled": True},
        )


def _settle(spool: Spool, copy: _Copy, result: MergeResult, now: dt.datetime) -> None:
    """Forget a merged complaint in the spool (unless saved again since it was read); mark a
    conflict once."""
    uuid = copy.complaint["uuid"]
    with spool.database.write() as session:
        row = session.scalars(select(Complaint).where(Complaint.uuid == uuid)).one()
        action = MERGED_ACTION
        if result is MergeResult.CONFLICT:
            marked = session.scalar(
                select(AuditEntry.id).where(
                    AuditEntry.action == CONFLICT_ACTION, AuditEntry.entity_id == uuid
                )
            )
            if marked is not None:
                return
            action = CONFLICT_ACTION
        elif _copy_of(session, row) != copy:
            return  # saved again in the spool meanwhile: the next replay takes that version
        else:
            session.delete(row)
        audit.record(
            session,
            at=now,
            actor=REPLAYER,
            station_id=spool.station_id,
            action=action,
            entity_type="complaint",
            entity_id=uuid,
            details={
                "registration_number": copy.complaint["registration_number"],
                "result": result.value,
            },
        )
