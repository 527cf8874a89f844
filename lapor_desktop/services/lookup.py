"""Finding complaints: lists with filters, full-text search, and one complaint in full."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from lapor_desktop.domain.complaint import (
    ComplaintDetail,
    ComplaintSummary,
    Identity,
)
from lapor_desktop.domain.privacy import CONFIDENTIAL_PLACEHOLDER, may_see_identity
from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.domain.status import CLOSED_STATES, Status
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.keys import DecryptionError
from lapor_desktop.services import audit
from lapor_desktop.services.complaint_query import (
    PAGE_SIZE,
    ComplaintQuery,
    ListedComplaint,
    ListPage,
    PageRead,
    RowKey,
    plan_read,
)
from lapor_desktop.services.complaint_views import detail_of, fingerprint_of, summary_of
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.permissions import require
from lapor_desktop.services.sla import WorkingCalendar
from lapor_desktop.storage.models import Attachment, ComplainantIdentity, Complaint, StatusEvent
from lapor_desktop.storage.search import match_clause, match_count
from lapor_desktop.validation.nik import check_nik
from lapor_desktop.validation.phone import check_phone

__all__ = [
    "PAGE_SIZE",
    "ComplaintQuery",
    "ListPage",
    "ListedComplaint",
    "LookupService",
    "PageRead",
    "RowKey",
    "fingerprint_of",
    "plan_read",
]

NOT_FOR_YOUR_ROLE = N_("(hidden: your role does not show identities)")
ATTACHMENT_HIDDEN = N_(
    "Your role may not open this complaint's files: they may show who the complainant is."
)
ATTACHMENT_MISSING = N_(
    "The file is not on this computer, or it is damaged; it cannot be opened here."
)
NOT_VERIFIED = frozenset(
    {Status.QUEUED.value, Status.SENT.value, Status.VERIFIED.value, Status.DEFERRED.value}
)
"""Statuses in which the complaint has not been forwarded yet (its first deadline runs)."""
_IDENTITY_DIGITS = 9


class LookupService:
    def __init__(self, context: DeskContext) -> None:
        self._ctx = context
        self._db = context.database

    def find(self, query: ComplaintQuery, *, actor: Actor) -> list[ComplaintSummary]:
        """Newest first. Search and filters combine; paging is by key, never by offset."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            statement = self._statement(session, query, actor)
            return [summary_of(c) for c in session.scalars(statement)]

    def find_page(
        self, query: ComplaintQuery, *, actor: Actor
    ) -> tuple[list[ComplaintSummary], int | None]:
        """One page plus the key of the next one (None on the last page)."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            rows = list(session.scalars(self._statement(session, query, actor)))
            next_key = rows[-1].id if len(rows) == query.limit else None
            page: list[ComplaintSummary] = list(self._listed(session, query, rows))
        if query.before_id is None:
            self._audit_person_search(query, actor, len(page))
        return page, next_key

    def page_at(
        self,
        query: ComplaintQuery,
        start: int,
        *,
        total: int,
        near: Sequence[RowKey] = (),
        actor: Actor,
    ) -> ListPage:
        """Rows ``start`` to ``start + query.limit`` of the list (its ``total`` rows, counted).

        Positional access for a table that shows every row: the page is read
        from the nearest known place (see :func:`plan_read`), so the last
        page of a million costs what the first does. ``query.before_id`` is ignored.
        """
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        end = min(start + query.limit, total)
        if end <= start:
            return ListPage(start, [], ())
        read = plan_read(query, start, end, total, near)
        with self._db.read() as session:
            statement = self._statement(session, read.query, actor).offset(read.offset)
            rows = list(session.scalars(statement))
            if read.reverse:
                rows.reverse()
            page = ListPage(start, self._listed(session, query, rows), tuple(c.id for c in rows))
        if start == 0:
            self._audit_person_search(query, actor, len(page.rows))
        return page

    def count(self, query: ComplaintQuery, *, actor: Actor) -> int:
        """How many complaints the query finds (a table shows that many rows)."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            if self._words_only(query, actor):
                # The index counts its own matches; counting complaints IN its matches
                # costs fifteen times more for a common word.
                counted = match_count(session, query.text)
                if counted is not None:
                    return counted
            inner = self._statement(session, query, actor).limit(None).order_by(None)
            return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)

    def _words_only(self, query: ComplaintQuery, actor: Actor) -> bool:
        """Words to search for and no other filter (nor a NIK or phone)."""
        filters = (
            query.status,
            query.sync_state,
            query.classification,
            query.agency_code,
            query.category_code,
            query.created_from,
            query.created_to,
            query.overdue_on,
        )
        return not any(filters) and self._person(query.text, actor) is None

    def _listed(
        self, session: Session, query: ComplaintQuery, rows: list[Complaint]
    ) -> list[ListedComplaint]:
        late: set[int] = set()
        if query.flag_overdue_on is not None and rows:
            late = set(
                session.scalars(
                    select(Complaint.id).where(
                        Complaint.id.in_([c.id for c in rows]),
                        self._overdue(query.flag_overdue_on),
                    )
                )
            )
        return [ListedComplaint(**vars(summary_of(c)), overdue=c.id in late) for c in rows]

    def _audit_person_search(self, query: ComplaintQuery, actor: Actor, found: int) -> None:
        """Who came back is personal data too: a search by NIK or phone is audited
        (the kind of key and the count, never the key itself)."""
        person = self._person(query.text, actor)
        if person is not None:
            self._audit(actor, "identity.searched", "-", {"by": person[0], "complaints": found})

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
            self._audit(actor, "identity.viewed", detail.summary.uuid)
        return detail

    def receipt_fingerprint(self, complaint_uuid: str, *, actor: Actor) -> str | None:
        """The short fingerprint of the national service's signed receipt; None before one."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            receipt = session.scalar(
                select(Complaint.receipt).where(Complaint.uuid == complaint_uuid)
            )
        return fingerprint_of(receipt) if receipt else None

    def read_attachment(self, complaint_uuid: str, sha256: str, *, actor: Actor) -> bytes | Message:
        """A file of a complaint, decrypted in memory (for a preview); audited."""
        checked = self._attachment_allowed(complaint_uuid, sha256, actor)
        if checked is not None:
            return checked
        sink = _Collect()
        try:
            self._ctx.attachment_store().decrypt_into(sha256, sink)  # type: ignore[arg-type]
        except (FileNotFoundError, DecryptionError):
            return Message(ATTACHMENT_MISSING)
        self._audit(actor, "attachment.opened", complaint_uuid, {"sha256": sha256})
        return bytes(sink.data)

    def export_attachment(
        self, complaint_uuid: str, sha256: str, destination: Path, *, actor: Actor
    ) -> int | Message:
        """Decrypt a file of a complaint to ``destination`` the operator chose; audited."""
        checked = self._attachment_allowed(complaint_uuid, sha256, actor)
        if checked is not None:
            return checked
        try:
            size = self._ctx.attachment_store().export_to(sha256, destination)
        except (FileNotFoundError, DecryptionError):
            return Message(ATTACHMENT_MISSING)
        self._audit(actor, "attachment.exported", complaint_uuid, {"sha256": sha256})
        return size

    def _attachment_allowed(self, complaint_uuid: str, sha256: str, actor: Actor) -> Message | None:
        """Files follow the identity's rule: a scanned KTP is an identity."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            rahasia = session.scalar(
                select(Complaint.rahasia)
                .join(Attachment)
                .where(Complaint.uuid == complaint_uuid, Attachment.sha256 == sha256)
            )
        if rahasia is None:
            return Message(ATTACHMENT_MISSING)
        if not may_see_identity(actor.role, rahasia=rahasia):
            return Message(ATTACHMENT_HIDDEN)
        return None

    def _audit(
        self, actor: Actor, action: str, entity_id: str, details: dict[str, Any] | None = None
    ) -> None:
        with self._db.write() as session:
            audit.record(
                session,
                at=self._ctx.now(),
                actor=actor.username,
                station_id=self._ctx.station.station_id,
                action=action,
                entity_type="complaint",
                entity_id=entity_id,
                details=details or {},
            )

    def _person(self, text: str, actor: Actor) -> tuple[str, ColumnElement[bool]] | None:
        """A typed NIK or phone number as a blind-index condition; None for other text.

        Only for roles that may see identities: the match itself says who complained.
        """
        if sum(ch.isdigit() for ch in text) < _IDENTITY_DIGITS or any(ch.isalpha() for ch in text):
            return None
        if not allows(actor.role, Permission.VIEW_IDENTITY) or self._ctx.vault is None:
            return None
        vault = self._ctx.vault
        nik, problem = check_nik(text)
        if nik is not None and problem is None:
            return "nik", ComplainantIdentity.nik_index == vault.nik_index(nik)
        phone, problem = check_phone(text)
        if phone is not None and problem is None:
            return "phone", ComplainantIdentity.phone_index == vault.phone_index(phone)
        return None

    def _identity_for(self, complaint: Complaint, actor: Actor) -> tuple[Identity, str | None]:
        """The opened identity, or an empty one and the msgid of the placeholder to show."""
        if not may_see_identity(actor.role, rahasia=complaint.rahasia):
            hidden = CONFIDENTIAL_PLACEHOLDER if complaint.rahasia else NOT_FOR_YOUR_ROLE
            return Identity(), hidden
        vault = self._ctx.require_vault()
        return vault.open(complaint.uuid, complaint.identity), None

    def _statement(
        self, session: Session, query: ComplaintQuery, actor: Actor
    ) -> Select[Complaint]:
        statement = select(Complaint)
        person = self._person(query.text, actor)
        if person is not None:
            owners = select(ComplainantIdentity.complaint_id).where(person[1])
            statement = statement.where(
                or_(Complaint.id.in_(owners), Complaint.tracking_id == query.text.strip())
            )
            if not may_see_identity(actor.role, rahasia=True):
                statement = statement.where(Complaint.rahasia == false())
        else:
            match = match_clause(
                session, query.text, past_id=query.before_id, ascending=query.ascending
            )
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
        if query.overdue_on is not None:
            statement = statement.where(self._overdue(query.overdue_on))
        if query.ascending:
            if query.before_id is not None:
                statement = statement.where(Complaint.id > query.before_id)
            return statement.order_by(Complaint.id.asc()).limit(query.limit)
        if query.before_id is not None:
            statement = statement.where(Complaint.id < query.before_id)
        return statement.order_by(Complaint.id.desc()).limit(query.limit)

    def _overdue(self, today: dt.date) -> ColumnElement[bool]:
        """Missed a deadline as ``sla.overdue`` counts them, as one SQL condition.

        The working-day arithmetic is turned into the latest on-time start
        date here, so the database only compares timestamps.
        """
        office = self._ctx.office
        sla, zone = office.sla, ZoneInfo(office.timezone)
        calendar = WorkingCalendar.for_settings(sla)

        def started_before(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)

        def first_on_time(working_days: int) -> dt.date:
            """The day after the last start date whose deadline is already past."""
            day = today
            while calendar.add_working_days(day - dt.timedelta(days=1), working_days) >= today:
                day -= dt.timedelta(days=1)
            return day

        verify_cutoff = started_before(first_on_time(sla.verification_working_days))
        follow_cutoff = started_before(first_on_time(sla.follow_up_working_days))
        legal_cutoff = started_before(today - dt.timedelta(days=sla.legal_ceiling_days))
        closed = [s.value for s in CLOSED_STATES]
        forwarded_late = exists().where(
            StatusEvent.complaint_id == Complaint.id,
            StatusEvent.status == Status.FORWARDED.value,
            StatusEvent.occurred_at < follow_cutoff,
        )
        return and_(
            Complaint.submitted_at.is_not(None),
            Complaint.status.not_in(closed),
            or_(
                and_(Complaint.status.in_(NOT_VERIFIED), Complaint.submitted_at < verify_cutoff),
                and_(Complaint.status == Status.FORWARDED.value, forwarded_late),
                Complaint.submitted_at < legal_cutoff,
            ),
        )


def _is_uuid(text: str) -> bool:
    try:
        uuid_module.UUID(text)
    except ValueError:
        return False
    return True


class _Collect:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data.extend(chunk)
        return len(chunk)
