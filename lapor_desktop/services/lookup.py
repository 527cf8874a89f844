"""Finding complaints: lists with filters, full-text search, and one complaint in full."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from lapor_desktop.domain.complaint import (
    AttachmentView,
    ComplaintDetail,
    ComplaintSummary,
    FollowUpView,
    Identity,
    StatusEventView,
)
from lapor_desktop.domain.privacy import CONFIDENTIAL_PLACEHOLDER, may_see_identity
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.permissions import require
from lapor_desktop.storage.models import Complaint
from lapor_desktop.storage.search import match_clause

PAGE_SIZE = 50
NOT_FOR_YOUR_ROLE = N_("(hidden: your role does not show identities)")


@dataclass(frozen=True)
class ComplaintQuery:
    """Filters for lists and searches; every one optional, all combined with AND."""

    text: str = ""
    status: str | None = None
    sync_state: str | None = None
    classification: str | None = None
    agency_code: str | None = None
    category_code: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    limit: int = PAGE_SIZE
    before_id: int | None = None
    """Keyset paging: the next page starts below the last row's id."""


class LookupService:
    def __init__(self, context: DeskContext) -> None:
        self._ctx = context
        self._db = context.database

    def find(self, query: ComplaintQuery, *, actor: Actor) -> list[ComplaintSummary]:
        """Newest first. Search and filters combine; paging is by key, never by offset."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            statement = self._statement(session, query)
            return [summary_of(c) for c in session.scalars(statement)]

    def find_page(
        self, query: ComplaintQuery, *, actor: Actor
    ) -> tuple[list[ComplaintSummary], int | None]:
        """One page plus the key of the next one (None on the last page)."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            rows = list(session.scalars(self._statement(session, query)))
            next_key = rows[-1].id if len(rows) == query.limit else None
            return [summary_of(c) for c in rows], next_key

    def count(self, query: ComplaintQuery, *, actor: Actor) -> int:
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            inner = self._statement(session, query).limit(None).order_by(None)
            return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)

    def get(self, key: str, *, actor: Actor) -> ComplaintDetail | None:
        """By UUID, registration number or national tracking ID, as the citizen brings it.

        The identity is opened only for a role that may see it (``domain.privacy``);
        every such opening is written to the audit log.
        """
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        key = key.strip()
        if not key:
            return None
        conditions = [
            Complaint.registration_number == key.upper(),
            Complaint.tracking_id == key,
        ]
        if _is_uuid(key):
            conditions.append(Complaint.uuid == key.lower())
        with self._db.read() as session:
            complaint = session.scalars(
                select(Complaint)
                .where(or_(*conditions))
                .options(
                    selectinload(Complaint.events),
                    selectinload(Complaint.attachments),
                    selectinload(Complaint.follow_ups),
                    selectinload(Complaint.identity),
                )
            ).first()
            if complaint is None:
                return None
            identity, hidden = self._identity_for(complaint, actor)
            detail = detail_of(complaint, identity, hidden)
        if hidden is None and not identity.is_empty():
            # Only an opened identity takes the write lock, so looking complaints up
            # never queues behind the sync engine's writes.
            with self._db.write() as session:
                audit.record(
                    session,
                    at=self._ctx.now(),
                    actor=actor.username,
                    station_id=self._ctx.station.station_id,
                    action="identity.viewed",
                    entity_type="complaint",
                    entity_id=detail.summary.uuid,
                )
        return detail

    def _identity_for(self, complaint: Complaint, actor: Actor) -> tuple[Identity, str | None]:
        """The opened identity, or an empty one and the msgid of the placeholder to show."""
        if not may_see_identity(actor.role, rahasia=complaint.rahasia):
            hidden = CONFIDENTIAL_PLACEHOLDER if complaint.rahasia else NOT_FOR_YOUR_ROLE
            return Identity(), hidden
        vault = self._ctx.require_vault()
        return vault.open(complaint.uuid, complaint.identity), None

    def _statement(self, session: Session, query: ComplaintQuery) -> Select[Complaint]:
        statement = select(Complaint)
        match = match_clause(session, query.text)
        if match is not None:
            statement = statement.where(match)
        filters = {
            Complaint.status: query.status,
            Complaint.sync_state: query.sync_state,
            Complaint.classification: query.classification,
            Complaint.agency_code: query.agency_code,
            Complaint.category_code: query.category_code,
        }
        for column, value in filters.items():
            if value:
                statement = statement.where(column == value)
        if query.created_from:
            statement = statement.where(Complaint.created_at >= query.created_from)
        if query.created_to:
            statement = statement.where(Complaint.created_at < query.created_to)
        if query.before_id is not None:
            statement = statement.where(Complaint.id < query.before_id)
        return statement.order_by(Complaint.id.desc()).limit(query.limit)


def _is_uuid(text: str) -> bool:
    try:
        uuid_module.UUID(text)
    except ValueError:
        return False
    return True


def summary_of(c: Complaint) -> ComplaintSummary:
    return ComplaintSummary(
        uuid=c.uuid,
        registration_number=c.registration_number,
        classification=c.classification,
        title=c.title,
        status=c.status,
        sync_state=c.sync_state,
        agency_code=c.agency_code,
        category_code=c.category_code,
        incident_date=c.incident_date,
        created_at=c.created_at,
        tracking_id=c.tracking_id,
        anonim=c.anonim,
        rahasia=c.rahasia,
    )


def detail_of(c: Complaint, identity: Identity, identity_hidden: str | None) -> ComplaintDetail:
    return ComplaintDetail(
        summary=summary_of(c),
        description=c.description,
        region_code=c.region_code,
        location_text=c.location_text,
        channel=c.channel,
        urgent=c.urgent,
        identity=identity,
        identity_hidden=identity_hidden,
        draft_form=c.draft_form,
        timeline=tuple(
            StatusEventView(e.status, e.occurred_at, e.actor, e.source, e.note) for e in c.events
        ),
        attachments=tuple(
            AttachmentView(a.sha256, a.filename, a.media_type, a.size_bytes) for a in c.attachments
        ),
        follow_ups=tuple(
            FollowUpView(f.uuid, f.created_at, f.author, f.text) for f in c.follow_ups
        ),
    )
