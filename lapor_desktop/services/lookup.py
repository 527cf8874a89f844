"""Finding complaints: lists with filters, full-text search, and one complaint in full.

What a query asks for and how a page is read live in ``complaint_query``,
its SQL in ``complaint_statement``, the NIK/phone search in
``citizen_search``, the overdue filter in ``overdue_filter``, and rows turned
into plain values (with the detail's deadlines) in ``complaint_views``; their
names are importable from here as before.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from lapor_desktop.domain.complaint import ComplaintDetail, ComplaintSummary, Identity
from lapor_desktop.domain.privacy import CONFIDENTIAL_PLACEHOLDER, may_see_identity
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.keys import DecryptionError
from lapor_desktop.services import audit
from lapor_desktop.services.citizen_search import person_condition
from lapor_desktop.services.complaint_query import (
    PAGE_SIZE,
    ComplaintQuery,
    ListedComplaint,
    ListPage,
    PageRead,
    RowKey,
    by_relevance,
    plan_read,
)
from lapor_desktop.services.complaint_statement import complaint_statement, words_only
from lapor_desktop.services.complaint_views import (
    ComplaintView,
    DeadlineView,
    detail_of,
    fingerprint_of,
    summary_of,
    view_of,
)
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.overdue_filter import overdue_condition
from lapor_desktop.services.permissions import require
from lapor_desktop.storage.models import Attachment, ComplainantIdentity, Complaint
from lapor_desktop.storage.search import (
    few_enough_to_rank,
    match_clause,
    match_count,
    ranked_matches,
)

__all__ = [
    "ATTACHMENT_HIDDEN",
    "ATTACHMENT_MISSING",
    "NOT_FOR_YOUR_ROLE",
    "PAGE_SIZE",
    "ComplaintQuery",
    "ComplaintView",
    "DeadlineView",
    "ListPage",
    "ListedComplaint",
    "LookupService",
    "PageRead",
    "RowKey",
    "detail_of",
    "fingerprint_of",
    "plan_read",
    "summary_of",
]

NOT_FOR_YOUR_ROLE = N_("(hidden: your role does not show identities)")
ATTACHMENT_HIDDEN = N_(
    "Your role may not open this complaint's files: they may show who the complainant is."
)
ATTACHMENT_MISSING = N_(
    "The file is not on this computer, or it is damaged; it cannot be opened here."
)


class LookupService:
    def __init__(self, context: DeskContext) -> None:
        self._ctx = context
        self._db = context.database

    def find(self, query: ComplaintQuery, *, actor: Actor) -> list[ComplaintSummary]:
        """Most relevant first for text (else newest). Search and filters combine."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        with self._db.read() as session:
            statement = self._statement(session, query, actor)
            return [summary_of(c) for c in session.scalars(statement)]

    def find_page(
        self, query: ComplaintQuery, *, actor: Actor
    ) -> tuple[list[ComplaintSummary], int | None]:
        """One page plus the key of the next one (None on the last page); id order, by key."""
        require(actor, Permission.LOOK_UP_COMPLAINTS)
        query = replace(query, order="newest")
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
        if query.order != "relevance":  # a table keeps id order unless asked (keyed reads)
            query = replace(query, order="newest")
        if by_relevance(query):  # no key order to read from: from the top
            read = PageRead(replace(query, limit=end - start, before_id=None), start, False)
        else:
            read = plan_read(query, start, end, total, near)
        with self._db.read() as session:
            statement = self._statement(session, read.query, actor)
            rows = list(session.scalars(statement.offset(read.offset)))
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
            if words_only(query, self._ctx, actor):
                # The index counts its own matches; counting complaints IN its matches
                # costs fifteen times more for a common word.
                counted = match_count(session, query.text)
                if counted is not None:
                    return counted
            statement = self._statement(session, replace(query, order="newest"), actor)
            inner = statement.limit(None).order_by(None)
            return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)

    def _statement(self, session: Session, query: ComplaintQuery, actor: Actor) -> Select[Any]:
        """The query's statement; a text search by relevance joins the ranked matches.

        A NIK or phone number typed also finds complaints quoting it in their text.
        More than ``RANK_LIMIT`` matches come newest first (scoring them all is too slow).
        """
        person = person_condition(query.text, actor, self._ctx.vault)
        rank = by_relevance(query) and few_enough_to_rank(session, query.text)
        if person is None and not rank:
            return complaint_statement(session, query, self._ctx, actor)
        filters = complaint_statement(session, replace(query, text=""), self._ctx, actor)
        if person is not None:
            owners: ColumnElement[bool] = Complaint.id.in_(
                select(ComplainantIdentity.complaint_id).where(person[1])
            )
            if not may_see_identity(actor.role, rahasia=True):
                owners = and_(owners, Complaint.rahasia == false())
            found = [owners, Complaint.tracking_id == query.text.strip()]
            quoted = match_clause(
                session, query.text, past_id=query.before_id, ascending=query.ascending
            )
            filters = filters.where(or_(*found, *([quoted] if quoted is not None else [])))
        ranked = ranked_matches(session, query.text) if rank else None
        if ranked is None:
            return filters
        if person is not None:
            return (
                filters.outerjoin(ranked, ranked.c.id == Complaint.id)
                .order_by(None)
                .order_by(ranked.c.score.is_(None).desc(), ranked.c.score, Complaint.id.desc())
            )
        return (
            filters.join(ranked, ranked.c.id == Complaint.id)
            .order_by(None)
            .order_by(ranked.c.score, Complaint.id.desc())
        )

    def _listed(
        self, session: Session, query: ComplaintQuery, rows: list[Complaint]
    ) -> list[ListedComplaint]:
        late: set[int] = set()
        if query.flag_overdue_on is not None and rows:
            late = set(
                session.scalars(
                    select(Complaint.id).where(
                        Complaint.id.in_([c.id for c in rows]),
                        overdue_condition(self._ctx.office, query.flag_overdue_on),
                    )
                )
            )
        return [ListedComplaint(**vars(summary_of(c)), overdue=c.id in late) for c in rows]

    def _audit_person_search(self, query: ComplaintQuery, actor: Actor, found: int) -> None:
        """Who came back is personal data too: a search by NIK or phone is audited
        (the kind of key and the count, never the key itself)."""
        person = person_condition(query.text, actor, self._ctx.vault)
        if person is not None:
            self._audit(actor, "identity.searched", "-", {"by": person[0], "complaints": found})

    def get(self, key: str, *, actor: Actor) -> ComplaintDetail | None:
        """By UUID, registration number or national tracking ID, as the citizen brings it.

        The identity is opened only for a role that may see it (``domain.privacy``);
        every such opening is written to the audit log.
        """
        read = self._read(key, actor)
        return read[0] if read is not None else None

    def view(self, key: str, *, actor: Actor) -> ComplaintView | None:
        """What :meth:`get` finds, with its deadlines judged, names resolved and receipt."""
        read = self._read(key, actor)
        if read is None:
            return None
        detail, fingerprint = read
        return view_of(detail, self._ctx, fingerprint)

    def _read(self, key: str, actor: Actor) -> tuple[ComplaintDetail, str | None] | None:
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
            fingerprint = fingerprint_of(complaint.receipt) if complaint.receipt else None
        if hidden is None and not identity.is_empty():
            # Only an opened identity takes the write lock, so looking complaints up
            # never queues behind the sync engine's writes.
            self._audit(actor, "identity.viewed", detail.summary.uuid)
        return detail, fingerprint

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

    def _identity_for(self, complaint: Complaint, actor: Actor) -> tuple[Identity, str | None]:
        """The opened identity, or an empty one and the msgid of the placeholder to show."""
        if not may_see_identity(actor.role, rahasia=complaint.rahasia):
            hidden = CONFIDENTIAL_PLACEHOLDER if complaint.rahasia else NOT_FOR_YOUR_ROLE
            return Identity(), hidden
        vault = self._ctx.require_vault()
        return vault.open(complaint.uuid, complaint.identity), None


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
