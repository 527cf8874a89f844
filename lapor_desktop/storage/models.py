"""The database schema (SQLAlchemy 2 ORM). ORM objects never leave the storage and service layers.

Identity data sits in its own table so that it can be encrypted at rest
without touching the queryable complaint columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are stored in UTC and come back timezone-aware on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC timestamp")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UtcDateTime(),
        dict[str, Any]: JSON,
    }


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    registration_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    office_code: Mapped[str] = mapped_column(String(16))
    station_id: Mapped[str] = mapped_column(String(8))
    classification: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    incident_date: Mapped[dt.date | None] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(String(10))
    region_label: Mapped[str] = mapped_column(Text, default="")
    location_text: Mapped[str] = mapped_column(Text, default="")
    category_code: Mapped[str | None] = mapped_column(String(32))
    agency_code: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(24))
    anonim: Mapped[bool] = mapped_column(Boolean, default=False)
    rahasia: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(24))
    sync_state: Mapped[str] = mapped_column(String(16))
    tracking_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    draft_form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column()
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The national service's signed receipt (printable proof of delivery)."""
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    delivered_via: Mapped[str | None] = mapped_column(String(16))
    """The route by which LAPOR! received it (``protocol``, ``website``); None before then."""

    identity: Mapped[ComplainantIdentity | None] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", uselist=False
    )
    events: Mapped[list[StatusEvent]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", order_by="StatusEvent.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    follow_ups: Mapped[list[FollowUpNote]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", order_by="FollowUpNote.id"
    )

    __table_args__ = (
        Index("ix_complaints_status_created", "status", "created_at"),
        Index("ix_complaints_sync_state", "sync_state"),
        Index("ix_complaints_created", "created_at"),
        Index("ix_complaints_agency", "agency_code"),
        Index("ix_complaints_category", "category_code"),
        Index("ix_complaints_classification", "classification"),
        Index(
            "ix_complaints_received_report",  # the reports' period counts (migration 0006)
            "submitted_at",
            "status",
            "classification",
            "category_code",
            "agency_code",
            "channel",
            "region_code",
            "delivered_via",
            "rahasia",
            "anonim",
        ),
    )


class ComplainantIdentity(Base):
    """Personal data of the complainant (UU PDP), kept apart from the queryable columns.

    Each field holds AES-GCM ciphertext (``lapor_desktop.security``); a
    returning citizen is found through the keyed blind indexes of the NIK
    and phone number, never through the plaintext.
    """

    __tablename__ = "complainant_identities"

    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str] = mapped_column(Text, default="")
    nik: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    content_salt: Mapped[str] = mapped_column(Text, default="")
    """Sealed random salt of the content hash, so the hash cannot be brute-forced for a phone."""
    nik_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    erased_at: Mapped[dt.datetime | None] = mapped_column()

    complaint: Mapped[Complaint] = relationship(back_populates="identity")


class StatusEvent(Base):
    """One step of a complaint's timeline: who moved it where, and when."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[dt.datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")

    complaint: Mapped[Complaint] = relationship(back_populates="events")

    __table_args__ = (Index("ix_status_events_timeline", "complaint_id", "status", "occurred_at"),)


class Attachment(Base):
    """A file of a complaint, stored once in the data folder under its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(128))
    size_bytes: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[dt.datetime] = mapped_column()

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")

    __table_args__ = (UniqueConstraint("complaint_id", "sha256"),)


class FollowUpNote(Base):
    """A follow-up on a complaint (extra information, the complainant's reply)."""

    __tablename__ = "follow_up_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column()
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship(back_populates="follow_ups")


class OutboxEntry(Base):
    """What the sync engine must send, written in the same transaction as the change."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    """None only for an entry that carries another desk's bundle (the relay lane)."""
    kind: Mapped[str] = mapped_column(String(32))
    ref_uuid: Mapped[str] = mapped_column(String(36))
    content_hash: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column()
    lease_taken_at: Mapped[dt.datetime | None] = mapped_column()
    """Since when the holder has it (shown to other operators of the website lane)."""
    created_at: Mapped[dt.datetime] = mapped_column()
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column()
    """Backoff: not claimed again before this time."""
    needs_lookup: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The last send may have arrived: look the UUID up before sending again."""
    bundle_id: Mapped[int | None] = mapped_column(
        ForeignKey("bundles.id", ondelete="SET NULL", name="fk_outbox_bundle_id"), index=True
    )
    """The outbound bundle that carries this pending entry (it may still go online first)."""

    __table_args__ = (
        Index("ix_outbox_pending", "state", "priority", "id"),
        UniqueConstraint("kind", "ref_uuid", "content_hash"),
    )


class AuditEntry(Base):
    """Who did what, when. Never holds personal data in ``details``."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    station_id: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(48))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    entry_hash: Mapped[str] = mapped_column(String(64), default="")


class RegistrationCounter(Base):
    """Per-station, per-day sequence behind registration numbers."""

    __tablename__ = "registration_counters"

    station_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)


class OfficeSettingsRow(Base):
    """The office's shared settings as JSON (schema in ``lapor_desktop.settings``)."""

    __tablename__ = "office_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settings_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column()


class ReferenceVersion(Base):
    """Which version of each reference dataset is installed."""

    __tablename__ = "reference_versions"

    dataset: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    installed_at: Mapped[dt.datetime] = mapped_column()


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(String(10), index=True)


class Agency(Base):
    """An instansi / OPD a complaint can be addressed to."""

    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(32))


class Category(Base):
    """A node of the LAPOR! topic tree."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(32))


class User(Base):
    """A local account: the OS login is often shared, so people are told apart here."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column()
    last_login_at: Mapped[dt.datetime | None] = mapped_column()


class KeyWrap(Base):
    """The data key, wrapped per account (password-derived key) and per workstation's machine key.

    ``kind`` is ``user`` (with ``user_id``) or ``machine`` (with
    ``station_id``: each PC of a shared office has its own keyring).
    """

    __tablename__ = "key_wraps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    station_id: Mapped[str | None] = mapped_column(String(8))
    wrapped_key: Mapped[str] = mapped_column(Text)
    kdf: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column()

    __table_args__ = (
        UniqueConstraint("kind", "user_id"),
        UniqueConstraint("kind", "station_id"),
    )


class SyncValue(Base):
    """Small named sync values: the changes cursor, the last clock offset, the last success."""

    __tablename__ = "sync_values"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column()


class AppliedChange(Base):
    """A change of the national feed already applied, so a repeated page is applied once."""

    __tablename__ = "applied_changes"

    change_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36))
    applied_at: Mapped[dt.datetime] = mapped_column()


# Modelled in its own module (this one is at its size limit); imported here so the schema is whole.
from lapor_desktop.storage import audit_models as audit_models  # noqa: E402
from lapor_desktop.storage import bundle_models as bundle_models  # noqa: E402
