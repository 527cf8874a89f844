"""What an operator copies into the LAPOR! website: the fields in the form's order, and the files.

The panel and ``website show`` read the same ``Handover``, so both lanes of work show
one complaint the same way. Identity follows the role rules of the detail view, and an
anonim complaint's identity is never part of it. Files are decrypted into a private
folder for the browser's upload button, with photo metadata (EXIF, GPS) removed for
anonim and rahasia complaints; the folder goes when the submission ends.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.attachments.metadata import Cleaned, remove_metadata
from lapor_desktop.attachments.store import AttachmentStore, clean_filename
from lapor_desktop.domain.complaint import Classification, Identity
from lapor_desktop.domain.privacy import may_see_identity
from lapor_desktop.domain.roles import Role
from lapor_desktop.i18n import N_, Message
from lapor_desktop.reference.dataset import AgencyRow, CategoryRow
from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.security.file_modes import private_folder
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.storage.models import Complaint

FORM_ORDER = (
    ("classification", N_("Classification")),
    ("title", N_("Title")),
    ("description", N_("Report text")),
    ("incident_date", N_("Date of the incident")),
    ("location", N_("Location")),
    ("category", N_("Category")),
    ("agency", N_("Agency addressed")),
    ("anonim", N_("Anonymous (anonim)")),
    ("rahasia", N_("Confidential (rahasia)")),
)
"""The LAPOR! report form's fields, top to bottom: the panel's order and its copy keys."""

ON_LAPOR = {
    Classification.PENGADUAN.value: "Pengaduan",
    Classification.ASPIRASI.value: "Aspirasi",
    Classification.PERMINTAAN_INFORMASI.value: "Permintaan Informasi",
}
"""A classification as LAPOR!'s form names it (its choice is picked, never translated)."""

IDENTITY_ORDER = (
    ("full_name", N_("Name")),
    ("nik", N_("NIK")),
    ("phone", N_("Phone")),
    ("email", N_("E-mail")),
    ("address", N_("Address")),
)

YES, NO = N_("Yes"), N_("No")
ANONIM_HIDDEN = N_("Anonymous complaint: the identity is never typed into LAPOR!.")
RAHASIA_HIDDEN = N_("Confidential complaint: only a supervisor may see the identity.")
ROLE_HIDDEN = N_("Your role may not see complainants' identities.")
IMAGE_WITHHELD = N_(
    "{name} was not handed over: its photo data (place, camera) could not be removed ({reason})."
)
NOT_CLEANED = N_(
    "{name} is handed over as it is: the desk removes metadata from photos only; check "
    "that the file itself names nobody."
)


@dataclass(frozen=True)
class HandoverField:
    """One field of the LAPOR! form; ``flag`` marks the choices that must never be forgotten."""

    key: str
    label: str
    value: str
    flag: bool = False


@dataclass(frozen=True)
class HandedFile:
    """An attachment ready for the browser's upload button, or why it is not."""

    name: str
    path: Path | None
    warning: Message | None = None


@dataclass(frozen=True)
class Handover:
    """Everything the operator needs to type one complaint into the LAPOR! website."""

    outbox_id: int
    complaint_uuid: str
    registration_number: str
    typed_digest: str
    """The content version being typed; recording refuses if the complaint changed since."""
    anonim: bool
    rahasia: bool
    fields: tuple[HandoverField, ...]
    identity: tuple[HandoverField, ...]
    identity_hidden: str | None
    """The msgid saying why no identity is shown, or None when it is."""
    folder: Path | None
    files: tuple[HandedFile, ...]
    started_at: dt.datetime
    check_first: bool
    """A submission left unfinished: it may already be at LAPOR!, so look there first."""

    def value(self, key: str) -> str:
        return next(f.value for f in (*self.fields, *self.identity) if f.key == key)


def form_fields(complaint: Complaint, references: ReferenceLookup) -> tuple[HandoverField, ...]:
    """The complaint as the LAPOR! form asks for it, never an identity."""
    location = ", ".join(p for p in (complaint.location_text, complaint.region_label) if p)
    date = complaint.incident_date.strftime("%d/%m/%Y") if complaint.incident_date else ""
    classification = complaint.classification or ""
    values = {
        "classification": ON_LAPOR.get(classification, classification),
        "title": complaint.title,
        "description": complaint.description,
        "incident_date": date,
        "location": location,
        "category": _name(references.categories(), complaint.category_code),
        "agency": _name(references.agencies(), complaint.agency_code),
        "anonim": YES if complaint.anonim else NO,
        "rahasia": YES if complaint.rahasia else NO,
    }
    return tuple(
        HandoverField(key, label, values[key], flag=key in ("anonim", "rahasia"))
        for key, label in FORM_ORDER
    )


def identity_fields(
    complaint: Complaint, role: Role, vault: IdentityVault
) -> tuple[tuple[HandoverField, ...], str | None]:
    """The identity the role may see and LAPOR! may receive, or why there is none."""
    if complaint.anonim:
        return (), ANONIM_HIDDEN
    if not may_see_identity(role, rahasia=complaint.rahasia):
        return (), RAHASIA_HIDDEN if complaint.rahasia else ROLE_HIDDEN
    identity = vault.open(complaint.uuid, complaint.identity) if complaint.identity else Identity()
    return tuple(
        HandoverField(key, label, getattr(identity, key)) for key, label in IDENTITY_ORDER
    ), None


def hand_over_files(
    complaint: Complaint, store: AttachmentStore, folder: Path, *, role: Role
) -> tuple[HandedFile, ...]:
    """Decrypt the attachments into ``folder`` (private), photos cleaned where identity is sealed.

    A scanned KTP is an identity: a role that may not see the identity gets no files.
    """
    if not may_see_identity(role, rahasia=complaint.rahasia):
        return ()
    shutil.rmtree(folder, ignore_errors=True)
    private_folder(folder)
    sealed = complaint.anonim or complaint.rahasia
    handed: list[HandedFile] = []
    for number, attachment in enumerate(complaint.attachments, start=1):
        name = f"{number:02d}-{clean_filename(attachment.filename)}"
        data = _plaintext(store, attachment.sha256)
        warning: Message | None = None
        if sealed:
            cleaned = remove_metadata(data)
            if isinstance(cleaned, Cleaned):
                data = cleaned.data
            elif attachment.media_type.startswith("image/"):
                reason = cleaned.message.render("en")
                handed.append(
                    HandedFile(
                        name, None, Message(IMAGE_WITHHELD, {"name": name, "reason": reason})
                    )
                )
                continue
            else:
                warning = Message(NOT_CLEANED, {"name": name})
        target = folder / name
        with open(target, "wb", opener=_private_opener) as out:
            out.write(data)
        handed.append(HandedFile(name, target, warning))
    return tuple(handed)


def remove_folder(folder: Path | None) -> None:
    """The decrypted copies go as soon as the submission is finished or cancelled."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _plaintext(store: AttachmentStore, sha256: str) -> bytes:
    chunks: list[bytes] = []

    class _Sink:
        def write(self, chunk: bytes) -> int:
            chunks.append(bytes(chunk))
            return len(chunk)

    store.decrypt_into(sha256, _Sink())  # type: ignore[arg-type]
    return b"".join(chunks)


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _name(choices: Iterable[AgencyRow | CategoryRow], code: str | None) -> str:
    if not code:
        return ""
    return next((c.name for c in choices if c.code == code), code)
