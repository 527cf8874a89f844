"""A district's complaints taken in by its parent office, from a hand-over bundle.

The regency office submits for its districts (often through the LAPOR! website lane). Each
complaint keeps what it was born with: its UUID, its content (so its digest is the one the
district computed), its registration number (printed on the citizen's receipt) and its
office code; it joins this desk's queue on this office's route. Taken twice, it is the same
complaint (nothing doubles); under the same UUID with other content, it is a conflict kept
for a person, as the national service would keep it.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.attachments.store import AttachmentStore
from lapor_desktop.domain.canonical import canonical_content, content_hash, form_of
from lapor_desktop.domain.complaint import ComplaintData
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit, outbox, timeline
from lapor_desktop.services.bundle_records import after_clash
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.content_digest import current_digest
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.follow_ups import note_hash
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.registration import next_registration_number
from lapor_desktop.services.sync_records import name_changes, named_changes
from lapor_desktop.storage.models import (
    Attachment,
    ComplainantIdentity,
    Complaint,
    FollowUpNote,
)
from lapor_desktop.validation.form import validate_form

EDITED_ELSEWHERE = N_(
    "This desk already holds complaint {number} under the same UUID with other content: "
    "kept for a supervisor, not replaced."
)
FILE_REFUSED = N_("A file of complaint {number} was not accepted here: {reason}")
FILE_MISMATCH = N_("A file of complaint {number} does not match its checksum.")
DIGEST_MISMATCH = N_(
    "Complaint {number} does not read back as it was sent (its checksum differs): not taken."
)


class Adopted(enum.StrEnum):
    NEW = "new"
    SAME = "same"
    """Already here with this content (the bundle was imported before)."""
    CONFLICT = "conflict"
    REFUSED = "refused"


@dataclass(frozen=True)
class CarriedFile:
    sha256: str
    filename: str
    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class CarriedComplaint:
    client_uuid: str
    content_hash: str
    content: Mapping[str, object]
    registration_number: str | None = None
    urgent: bool = False
    files: tuple[CarriedFile, ...] = ()


@dataclass(frozen=True)
class CarriedNote:
    complaint_uuid: str
    message_uuid: str
    text: str
    written_at: dt.datetime


@dataclass(frozen=True)
class AdoptResult:
    client_uuid: str
    outcome: Adopted
    reason: Message | None = None


@dataclass(frozen=True)
class Adoption:
    """Every complaint's outcome, and what the taking changed (committed, not announced)."""

    results: tuple[AdoptResult, ...]
    changes: DeskChanges


def adopt_handover(
    context: DeskContext,
    *,
    origin_office: str,
    bundle_id: str,
    complaints: Sequence[CarriedComplaint],
    notes: Sequence[CarriedNote] = (),
    actor: Actor,
) -> Adoption:
    """Validate, store the files, then take every complaint in one transaction.

    Another workstation taking the same bundle at the same moment commits first: the
    transaction runs again and finds those complaints already here (``after_clash``).
    """
    context.require_vault()  # locked: refuse before anything is stored
    store = context.attachment_store()
    ready: list[tuple[CarriedComplaint, ComplaintData]] = []
    checked_out: list[AdoptResult] = []
    for carried in complaints:
        number = carried.registration_number or carried.client_uuid[:8]
        checked = validate_form(
            form_of(dict(carried.content), urgent=carried.urgent),
            today=context.office_today(),
            references=context.references,
            settings=context.office.validation,
        )
        if checked.data is None:
            issue = checked.issues[0]
            checked_out.append(AdoptResult(carried.client_uuid, Adopted.REFUSED, issue.message))
            continue
        refused = _store_files(store, carried, context, number)
        if refused is not None:
            checked_out.append(AdoptResult(carried.client_uuid, Adopted.REFUSED, refused))
            continue
        ready.append((carried, checked.data))
    now = context.now()
    return after_clash(
        lambda: _take_all(context, ready, checked_out, notes, origin_office, bundle_id, actor, now)
    )


def _take_all(
    context: DeskContext,
    ready: Sequence[tuple[CarriedComplaint, ComplaintData]],
    checked_out: Sequence[AdoptResult],
    notes: Sequence[CarriedNote],
    origin_office: str,
    bundle_id: str,
    actor: Actor,
    now: dt.datetime,
) -> Adoption:
    results = list(checked_out)
    with context.database.write() as session:
        taken: list[str] = []
        for carried, data in ready:
            result = _adopt_one(session, context, carried, data, origin_office, actor, now)
            results.append(result)
            if result.outcome is Adopted.NEW:
                taken.append(carried.client_uuid)
        kept_out = {
            r.client_uuid for r in results if r.outcome in (Adopted.CONFLICT, Adopted.REFUSED)
        }
        noted = _adopt_notes(session, notes, origin_office, kept_out, actor, now)
        audit.record(
            session,
            at=now,
            actor=actor.username,
            station_id=context.station.station_id,
            action="bundle_handover_taken",
            entity_type="bundle",
            entity_id=bundle_id,
            details={
                "origin_office": origin_office,
                **{o.value: sum(1 for r in results if r.outcome is o) for o in Adopted},
            },
        )
        name_changes(
            session, DeskChanges.of_complaints(taken, added=taken, outbox=[*taken, *noted])
        )
        changes = named_changes(session)
    return Adoption(tuple(results), changes)


def _store_files(
    store: AttachmentStore, carried: CarriedComplaint, context: DeskContext, number: str
) -> Message | None:
    for file in carried.files:
        stored = store.add(
            io.BytesIO(file.data), settings=context.office.attachments, filename=file.filename
        )
        if isinstance(stored, Message):
            return Message(FILE_REFUSED, {"number": number, "reason": stored})
        if stored.sha256 != file.sha256:
            return Message(FILE_MISMATCH, {"number": number})
    return None


def _adopt_one(
    session: Session,
    context: DeskContext,
    carried: CarriedComplaint,
    data: ComplaintData,
    origin_office: str,
    actor: Actor,
    now: dt.datetime,
) -> AdoptResult:
    vault = context.require_vault()
    number = carried.registration_number or carried.client_uuid[:8]
    held = session.scalars(select(Complaint).where(Complaint.uuid == carried.client_uuid)).first()
    if held is not None:
        if current_digest(held, vault) == carried.content_hash:
            return AdoptResult(carried.client_uuid, Adopted.SAME)
        reason = Message(EDITED_ELSEWHERE, {"number": number})
        return AdoptResult(carried.client_uuid, Adopted.CONFLICT, reason)
    salt = str(carried.content.get("salt", ""))
    hashes = sorted(f.sha256 for f in carried.files)
    if content_hash(canonical_content(carried.client_uuid, data, hashes, salt)) != (
        carried.content_hash
    ):
        reason = Message(DIGEST_MISMATCH, {"number": number})
        return AdoptResult(carried.client_uuid, Adopted.REFUSED, reason)
    registration = carried.registration_number
    if registration is None or session.scalar(
        select(Complaint.id).where(Complaint.registration_number == registration)
    ):
        registration = next_registration_number(
            session, context.office.office_code, context.station.station_id, context.office_today()
        )
    complaint = Complaint(
        uuid=carried.client_uuid,
        registration_number=registration,
        office_code=origin_office,
        station_id=context.station.station_id,
        classification=data.classification.value,
        title=data.title,
        description=data.description,
        incident_date=data.incident_date,
        region_code=data.region_code,
        region_label=context.references.region_label(data.region_code or ""),
        location_text=data.location_text,
        category_code=data.category_code,
        agency_code=data.agency_code,
        channel=data.channel.value,
        anonim=data.anonim,
        rahasia=data.rahasia,
        urgent=data.urgent,
        status=Status.DRAFT.value,
        sync_state=SyncState.PENDING.value,
        created_by=actor.username,
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )
    complaint.identity = ComplainantIdentity()
    vault.store(complaint.identity, complaint.uuid, data.identity, salt=salt)
    for file in carried.files:
        complaint.attachments.append(
            Attachment(
                sha256=file.sha256,
                filename=file.filename,
                media_type=file.media_type,
                size_bytes=len(file.data),
                added_at=now,
            )
        )
    session.add(complaint)
    session.flush()
    timeline.move(session, complaint, Status.QUEUED, at=now, actor=actor.username)
    outbox.enqueue_submission(
        session, complaint, carried.content_hash, at=now, route=context.office.website.route
    )
    return AdoptResult(carried.client_uuid, Adopted.NEW)


def _adopt_notes(
    session: Session,
    notes: Sequence[CarriedNote],
    origin_office: str,
    kept_out: set[str],
    actor: Actor,
    now: dt.datetime,
) -> list[str]:
    """Follow-ups of the district's complaints held here, taken now or from an earlier bundle
    (a follow-up travels once its complaint has its tracking ID), queued behind them as the
    desk's own are; one already here is not taken twice. Returns their complaints' UUIDs."""
    wanted = {n.complaint_uuid for n in notes} - kept_out
    ids: dict[str, int] = {
        row.uuid: row.id
        for row in session.execute(
            select(Complaint.uuid, Complaint.id).where(
                Complaint.uuid.in_(wanted), Complaint.office_code == origin_office
            )
        )
    }
    present = set(
        session.scalars(
            select(FollowUpNote.uuid).where(FollowUpNote.uuid.in_([n.message_uuid for n in notes]))
        )
    )
    noted: list[str] = []
    for note in notes:
        if note.complaint_uuid not in ids or note.message_uuid in present:
            continue
        present.add(note.message_uuid)
        noted.append(note.complaint_uuid)
        row = FollowUpNote(
            uuid=note.message_uuid,
            complaint_id=ids[note.complaint_uuid],
            created_at=note.written_at,
            author=actor.username,
            text=note.text,
        )
        session.add(row)
        outbox.enqueue(
            session,
            complaint_id=ids[note.complaint_uuid],
            kind=OutboxKind.FOLLOW_UP,
            ref_uuid=note.message_uuid,
            content_hash=note_hash(note.message_uuid, note.text),
            at=now,
        )
    return noted
