"""What a complaint is: its kinds, its channels and the shapes it takes between layers."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field

from lapor_desktop.i18n import N_


class Classification(enum.StrEnum):
    """LAPOR!'s three kinds of report."""

    PENGADUAN = "pengaduan"
    ASPIRASI = "aspirasi"
    PERMINTAAN_INFORMASI = "permintaan_informasi"

    @property
    def label(self) -> str:
        return _CLASSIFICATION_LABELS[self]


_CLASSIFICATION_LABELS = {
    Classification.PENGADUAN: N_("Complaint (Pengaduan)"),
    Classification.ASPIRASI: N_("Aspiration (Aspirasi)"),
    Classification.PERMINTAAN_INFORMASI: N_("Information request (Permintaan Informasi)"),
}


class Channel(enum.StrEnum):
    """How the complaint reached the desk."""

    WALK_IN = "tatap_muka"
    PHONE = "telepon"
    LETTER = "surat"
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    SOCIAL_MEDIA = "media_sosial"

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]


_CHANNEL_LABELS = {
    Channel.WALK_IN: N_("Walk-in"),
    Channel.PHONE: N_("Phone"),
    Channel.LETTER: N_("Letter"),
    Channel.EMAIL: N_("Email"),
    Channel.SMS: N_("SMS"),
    Channel.WHATSAPP: N_("WhatsApp"),
    Channel.SOCIAL_MEDIA: N_("Social media"),
}


@dataclass
class ComplaintForm:
    """What the operator typed, exactly as typed: every field is text.

    A form is never rejected outright; it is validated into
    :class:`ComplaintData` or saved as a draft with its issues, so nothing
    typed is lost.
    """

    classification: str = ""
    title: str = ""
    description: str = ""
    incident_date: str = ""
    region_code: str = ""
    location_text: str = ""
    category_code: str = ""
    agency_code: str = ""
    channel: str = Channel.WALK_IN.value
    anonim: bool = False
    rahasia: bool = False
    urgent: bool = False
    full_name: str = ""
    nik: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


IDENTITY_FIELDS = ("full_name", "nik", "phone", "email", "address")


@dataclass(frozen=True)
class Identity:
    """The complainant's identity: personal data, stored apart and encrypted later."""

    full_name: str = ""
    nik: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    def is_empty(self) -> bool:
        return not any((self.full_name, self.nik, self.phone, self.email, self.address))


@dataclass(frozen=True)
class ComplaintData:
    """A validated complaint, ready to queue for the national service."""

    classification: Classification
    title: str
    description: str
    incident_date: dt.date | None
    region_code: str | None
    location_text: str
    category_code: str | None
    agency_code: str | None
    channel: Channel
    anonim: bool
    rahasia: bool
    urgent: bool
    identity: Identity


def new_complaint_uuid() -> uuid.UUID:
    """A complaint's identity everywhere, forever: made on the client at birth."""
    return uuid.uuid4()


@dataclass(frozen=True)
class StatusEventView:
    status: str
    occurred_at: dt.datetime
    actor: str
    source: str
    note: str


@dataclass(frozen=True)
class AttachmentView:
    sha256: str
    filename: str
    media_type: str
    size_bytes: int


@dataclass(frozen=True)
class FollowUpView:
    uuid: str
    created_at: dt.datetime
    author: str
    text: str


@dataclass(frozen=True)
class ComplaintSummary:
    """One row of a list or search result; no identity data."""

    uuid: str
    registration_number: str | None
    classification: str | None
    title: str
    status: str
    sync_state: str
    agency_code: str | None
    category_code: str | None
    incident_date: dt.date | None
    created_at: dt.datetime
    tracking_id: str | None
    anonim: bool
    rahasia: bool


@dataclass(frozen=True)
class ComplaintDetail:
    """Everything held about one complaint, for the detail view and ``show``."""

    summary: ComplaintSummary
    description: str
    region_code: str | None
    location_text: str
    channel: str
    urgent: bool
    identity: Identity
    identity_hidden: str | None
    """None when ``identity`` is shown; else the msgid of the placeholder to show instead."""
    draft_form: dict[str, object] | None
    timeline: tuple[StatusEventView, ...] = field(default_factory=tuple)
    attachments: tuple[AttachmentView, ...] = field(default_factory=tuple)
    follow_ups: tuple[FollowUpView, ...] = field(default_factory=tuple)
