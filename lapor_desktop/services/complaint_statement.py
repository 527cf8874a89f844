"""The one SQL statement a ``ComplaintQuery`` becomes, for lists, pages, counts and searches."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from lapor_desktop.domain.privacy import may_see_identity
from lapor_desktop.services.citizen_search import person_condition
from lapor_desktop.services.complaint_query import ComplaintQuery
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.overdue_filter import overdue_condition
from lapor_desktop.storage.models import ComplainantIdentity, Complaint
from lapor_desktop.storage.search import match_clause


def words_only(query: ComplaintQuery, context: DeskContext, actor: Actor) -> bool:
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
    return not any(filters) and person_condition(query.text, actor, context.vault) is None


def complaint_statement(
    session: Session, query: ComplaintQuery, context: DeskContext, actor: Actor
) -> Select[Complaint]:
    """The complaints the query finds, in its order, one page (``limit``) past ``before_id``."""
    statement = select(Complaint)
    person = person_condition(query.text, actor, context.vault)
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
        statement = statement.where(overdue_condition(context.office, query.overdue_on))
    if query.ascending:
        if query.before_id is not None:
            statement = statement.where(Complaint.id > query.before_id)
        return statement.order_by(Complaint.id.asc()).limit(query.limit)
    if query.before_id is not None:
        statement = statement.where(Complaint.id < query.before_id)
    return statement.order_by(Complaint.id.desc()).limit(query.limit)
