"""Recording a complaint at the desk.

Saving writes the complaint, its timeline event, its outbox entry and its
audit entry in one transaction: all or nothing. A form that fails
validation is still kept, as a draft with its issues, so nothing the
operator typed is ever lost.
"""

from __future__ import annotations

import dataclasses
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.attachments.store import StoredFile, clean_filename
from lapor_desktop.domain.complaint import (
    IDENTITY_FIELDS,
    AttachmentView,
    ComplaintData,
    ComplaintForm,
    Identity,
)
from lapor_desktop.domain.roles import Permission
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit, outbox, timeline
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.content_digest import digest_of
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.duplicates import LikelyDuplicate, find_likely_duplicates
from lapor_desktop.services.events import EventHub
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.overrides import audit_duplicate_override
from lapor_desktop.services.permissions import require
from lapor_desktop.services.registration import next_registration_number
from lapor_desktop.settings import AttachmentSettings
from lapor_desktop.storage.models import Attachment, ComplainantIdentity, Complaint
from lapor_desktop.validation.form import ValidationResult, validate_form
from lapor_desktop.validation.issues import ValidationIssue

EDITABLE = frozenset({Status.DRAFT.value, Status.QUEUED.value})
QUEUED_ACTION = "complaint.queued"
FILE_GONE = N_("the file is no longer on this computer; attach it again.")


@dataclass(frozen=True)
class SaveOutcome:
    """What became of a save: queued, kept as a draft with issues, or refused."""

    uuid: str
    registration_number: str | None
    status: Status | None
    issues: tuple[ValidationIssue, ...] = ()
    refused: Message | None = None
    changes: DeskChanges = field(default=NOTHING, compare=False)
    """What the save wrote (published on the desk's hub once committed)."""
    spooled: bool = False
    """Saved in this PC's spool: the office database was away (``services.spool``)."""

    @property
    def queued(self) -> bool:
        return self.status is Status.QUEUED and not self.issues


class IntakeService:
    """``hub`` hears each committed save (the desk's own unless one is given)."""

    def __init__(self, context: DeskContext, *, hub: EventHub | None = None) -> None:
        self._ctx = context
        self._hub = hub if hub is not None else context.hub

    def save_draft(
        self,
        form: ComplaintForm,
        *,
        actor: Actor,
        complaint_uuid: str | None = None,
        files: Sequence[AttachmentView] | None = None,
    ) -> SaveOutcome:
        """Keep the form as typed, valid or not; the operator finishes it later.

        ``files`` (already in the store, see :meth:`store_file`) become the
        draft's attachments exactly; None leaves them as they are.
        """
        require(actor, Permission.RECORD_COMPLAINTS)
        result = self.validate(form)
        exact, file_issues = self._present(files)
        issues = result.issues + file_issues
        return self._announce(self._save(form, None, issues, actor, complaint_uuid, (), exact))

    def submit(
        self,
        form: ComplaintForm,
        *,
        actor: Actor,
        complaint_uuid: str | None = None,
        attachments: Sequence[Path] = (),
        files: Sequence[AttachmentView] | None = None,
        despite_duplicates: Sequence[str] = (),
    ) -> SaveOutcome:
        """Queue the complaint for the national service, or keep it as a draft with its issues.

        ``attachments`` are paths stored now and added; ``files`` are already
        stored (:meth:`store_file`) and become the attachments exactly, so a
        file the operator removed before saving is dropped in the same transaction.
        ``despite_duplicates``: the UUIDs of the likely duplicates the operator was shown
        and saved over; the override is audited with the complaint.
        """
        require(actor, Permission.RECORD_COMPLAINTS)
        stored, file_issues = self._store_files(attachments)
        exact, missing = self._present(files)
        result = self.validate(form)
        issues = result.issues + file_issues + missing
        data = result.data if not issues else None
        outcome = self._save(
            form, data, issues, actor, complaint_uuid, stored, exact, tuple(despite_duplicates)
        )
        return self._announce(outcome)

    def store_file(self, path: Path, *, actor: Actor) -> AttachmentView | Message:
        """Encrypt one file into the store as soon as it is picked, or say why it is refused.

        The office's limits (``AttachmentSettings``) apply; the complaint row
        is only written when the form is saved with the file in ``files``.
        """
        require(actor, Permission.RECORD_COMPLAINTS)
        outcome = self._ctx.attachment_store().add(path, settings=self._ctx.office.attachments)
        if isinstance(outcome, Message):
            return outcome
        return AttachmentView(outcome.sha256, path.name, outcome.media_type, outcome.size_bytes)

    def likely_duplicates(
        self, form: ComplaintForm, *, actor: Actor, complaint_uuid: str | None = None
    ) -> tuple[LikelyDuplicate, ...]:
        """Open complaints of the same NIK or phone that look like this one (``duplicates``)."""
        require(actor, Permission.RECORD_COMPLAINTS)
        return find_likely_duplicates(self._ctx, form, actor=actor, exclude_uuid=complaint_uuid)

    @property
    def attachment_settings(self) -> AttachmentSettings:
        """The office's limits, for the form to state before anyone picks a file."""
        return self._ctx.office.attachments

    def validate(self, form: ComplaintForm) -> ValidationResult:
        """Check a form against the office's rules and reference data, saving nothing."""
        return validate_form(
            form,
            today=self._ctx.office_today(),
            references=self._ctx.references,
            settings=self._ctx.office.validation,
        )

    def _store_files(
        self, paths: Sequence[Path]
    ) -> tuple[list[tuple[StoredFile, str]], tuple[ValidationIssue, ...]]:
        stored: list[tuple[StoredFile, str]] = []
        issues: list[ValidationIssue] = []
        if not paths:
            return stored, ()
        store = self._ctx.attachment_store()
        for path in paths:
            outcome = store.add(path, settings=self._ctx.office.attachments)
            if isinstance(outcome, StoredFile):
                stored.append((outcome, path.name))
            else:
                message = Message(
                    N_("{filename}: {reason}"), {"filename": path.name, "reason": outcome}
                )
                issues.append(ValidationIssue("attachment", message))
        return stored, tuple(issues)

    def _present(
        self, files: Sequence[AttachmentView] | None
    ) -> tuple[Sequence[AttachmentView] | None, tuple[ValidationIssue, ...]]:
        """The files still in the store, and an issue for each one that is gone."""
        if not files:
            return files, ()
        store = self._ctx.attachment_store()
        present = [f for f in files if store.exists(f.sha256)]
        gone = tuple(
            ValidationIssue(
                "attachment",
                Message(
                    N_("{filename}: {reason}"),
                    {"filename": f.filename, "reason": Message(FILE_GONE)},
                ),
            )
            for f in files
            if f not in present
        )
        return present, gone

    def _save(
        self,
        form: ComplaintForm,
        data: ComplaintData | None,
        issues: tuple[ValidationIssue, ...],
        actor: Actor,
        complaint_uuid: str | None,
        files: Sequence[tuple[StoredFile, str]],
        exact: Sequence[AttachmentView] | None = None,
        despite: tuple[str, ...] = (),
    ) -> SaveOutcome:
        ctx = self._ctx
        vault = ctx.require_vault()
        now = ctx.now()
        with ctx.database.write() as session:
            complaint = _find(session, complaint_uuid) if complaint_uuid else None
            if complaint is not None and complaint.status not in EDITABLE:
                return SaveOutcome(
                    complaint.uuid,
                    complaint.registration_number,
                    Status(complaint.status),
                    refused=Message(
                        N_(
                            "This complaint was already sent to LAPOR! and can no longer be "
                            "changed; add a follow-up note instead."
                        )
                    ),
                )
            is_new = complaint is None
            if complaint is None:
                complaint = Complaint(
                    uuid=complaint_uuid or str(uuid_module.uuid4()),
                    office_code=ctx.office.office_code,
                    station_id=ctx.station.station_id,
                    channel=form.channel,
                    status=Status.DRAFT.value,
                    sync_state=SyncState.NOT_QUEUED.value,
                    created_by=actor.username,
                    created_at=now,
                    updated_at=now,
                )
                session.add(complaint)
            if exact is not None:
                _keep_exactly(complaint, exact, now)
            _attach(session, complaint, files, now)
            if data is None:
                _fill_draft(complaint, form, vault)
                action = "complaint.draft_saved"
                if complaint.status != Status.DRAFT.value:
                    action = "complaint.edit_kept_as_draft"
                elif is_new:
                    timeline.move(session, complaint, Status.DRAFT, at=now, actor=actor.username)
            else:
                _fill_valid(
                    complaint, data, ctx.references.region_label(data.region_code or ""), vault
                )
                if complaint.registration_number is None:
                    complaint.registration_number = next_registration_number(
                        session, ctx.office.office_code, ctx.station.station_id, ctx.office_today()
                    )
                session.flush()
                digest = digest_of(complaint, data, vault)
                if complaint.status == Status.DRAFT.value:
                    timeline.move(session, complaint, Status.QUEUED, at=now, actor=actor.username)
                    complaint.submitted_at = now
                complaint.sync_state = SyncState.PENDING.value
                complaint.updated_at = now
                outbox.enqueue_submission(
                    session, complaint, digest, at=now, route=ctx.office.website.route
                )
                action = QUEUED_ACTION
            session.flush()
            audit.record(
                session,
                at=now,
                actor=actor.username,
                station_id=ctx.station.station_id,
                action=action,
                entity_type="complaint",
                entity_id=complaint.uuid,
                details={
                    "registration_number": complaint.registration_number,
                    "issues": sorted({i.field for i in issues}),
                    "attachments": len(complaint.attachments),
                },
            )
            if despite and data is not None:
                audit_duplicate_override(
                    session, complaint, despite, actor, ctx.station.station_id, now
                )
            queued = [complaint.uuid] if data is not None else []
            return SaveOutcome(
                complaint.uuid,
                complaint.registration_number,
                Status(complaint.status),
                issues,
                changes=DeskChanges.of_complaints(
                    [complaint.uuid], added=[complaint.uuid] if is_new else [], outbox=queued
                ),
            )

    def _announce(self, outcome: SaveOutcome) -> SaveOutcome:
        """Tell the desk what a committed save changed."""
        self._hub.publish(outcome.changes)
        return outcome


def _find(session: Session, complaint_uuid: str) -> Complaint | None:
    return session.scalars(select(Complaint).where(Complaint.uuid == complaint_uuid)).first()


def _identity_row(complaint: Complaint) -> ComplainantIdentity:
    if complaint.identity is None:
        complaint.identity = ComplainantIdentity()
    return complaint.identity


def _fill_draft(complaint: Complaint, form: ComplaintForm, vault: IdentityVault) -> None:
    """Keep every field exactly as typed; typed columns only where the text is unambiguous."""
    raw = dataclasses.asdict(form)
    complaint.draft_form = {k: v for k, v in raw.items() if k not in IDENTITY_FIELDS}
    complaint.title = form.title
    complaint.description = form.description
    complaint.location_text = form.location_text
    complaint.channel = form.channel
    complaint.anonim, complaint.rahasia, complaint.urgent = form.anonim, form.rahasia, form.urgent
    typed = Identity(**{name: getattr(form, name) for name in IDENTITY_FIELDS})
    vault.store(_identity_row(complaint), complaint.uuid, typed, indexable=False)


def valid_columns(data: ComplaintData, region_label: str) -> dict[str, object]:
    """A validated complaint's columns: one mapping for a save and a batch (``intake_batch``)."""
    return {
        "draft_form": None,
        "classification": data.classification.value,
        "title": data.title,
        "description": data.description,
        "incident_date": data.incident_date,
        "region_code": data.region_code,
        "region_label": region_label,
        "location_text": data.location_text,
        "category_code": data.category_code,
        "agency_code": data.agency_code,
        "channel": data.channel.value,
        "anonim": data.anonim,
        "rahasia": data.rahasia,
        "urgent": data.urgent,
    }


def _fill_valid(
    complaint: Complaint, data: ComplaintData, region_label: str, vault: IdentityVault
) -> None:
    for name, value in valid_columns(data, region_label).items():
        setattr(complaint, name, value)
    vault.store(_identity_row(complaint), complaint.uuid, data.identity)


def _attach(
    session: Session,
    complaint: Complaint,
    files: Sequence[tuple[StoredFile, str]],
    now: object,
) -> None:
    known = {a.sha256 for a in complaint.attachments}
    for stored, filename in files:
        if stored.sha256 in known:
            continue
        known.add(stored.sha256)
        complaint.attachments.append(
            Attachment(
                sha256=stored.sha256,
                filename=clean_filename(filename),
                media_type=stored.media_type,
                size_bytes=stored.size_bytes,
                added_at=now,
            )
        )


def _keep_exactly(complaint: Complaint, files: Sequence[AttachmentView], now: object) -> None:
    """Make the complaint's attachments exactly ``files``: removed ones go, new ones come."""
    wanted = {f.sha256: f for f in files}
    for row in [a for a in complaint.attachments if a.sha256 not in wanted]:
        complaint.attachments.remove(row)
    known = {a.sha256 for a in complaint.attachments}
    for sha256, view in wanted.items():
        if sha256 not in known:
            complaint.attachments.append(
                Attachment(
                    sha256=sha256,
                    filename=clean_filename(view.filename),
                    media_type=view.media_type,
                    size_bytes=view.size_bytes,
                    added_at=now,
                )
            )
