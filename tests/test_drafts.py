"""Discarding a draft never queued: gone from the list and the search, audited, chain intact."""

from __future__ import annotations

from sqlalchemy import func, select, text

from lapor_desktop.desk import Desk
from lapor_desktop.services import audit
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.context import Actor
from lapor_desktop.services.drafts import DISCARDED_ACTION, NOT_A_DRAFT, DraftService
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.storage.models import AuditEntry, ComplainantIdentity, Complaint, StatusEvent
from tests.support.samples import valid_form

WORD = "Kelurahanbanjir"


def _search_rows(desk: Desk, complaint_id: int) -> int:
    with desk.database.read() as session:
        if session.get_bind().dialect.name == "sqlite":
            return int(
                session.scalar(
                    text("SELECT count(*) FROM complaints_fts WHERE complaints_fts MATCH :w"),
                    {"w": WORD},
                )
                or 0
            ) + int(
                session.scalar(
                    text("SELECT count(*) FROM complaint_words WHERE rowid = :id"),
                    {"id": complaint_id},
                )
                or 0
            )
        return int(
            session.scalar(
                text("SELECT count(*) FROM complaint_words WHERE complaint_id = :id"),
                {"id": complaint_id},
            )
            or 0
        )


def test_a_draft_never_queued_is_discarded_with_its_index_rows_and_an_audit_entry(
    desk: Desk, clerk: Actor
) -> None:
    draft = desk.intake.save_draft(valid_form(title=f"Jalan {WORD}", nik="2104"), actor=clerk)
    with desk.database.read() as session:
        complaint_id = session.scalars(select(Complaint.id)).one()
    assert _search_rows(desk, complaint_id) > 0
    heard: list[DeskChanges] = []
    desk.hub.subscribe(heard.append)

    outcome = DraftService(desk.context).discard(draft.uuid, actor=clerk)

    assert outcome.discarded
    assert heard and draft.uuid in heard[-1].removed
    assert desk.lookup.find(ComplaintQuery(text=WORD), actor=clerk) == []
    assert desk.lookup.find(ComplaintQuery(), actor=clerk) == []
    assert _search_rows(desk, complaint_id) == 0
    with desk.database.read() as session:
        assert session.scalar(select(func.count()).select_from(ComplainantIdentity)) == 0
        assert session.scalar(select(func.count()).select_from(StatusEvent)) == 0
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_id == draft.uuid)
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["complaint.draft_saved", DISCARDED_ACTION]
    assert audit.verify(desk.database).intact


def test_a_queued_complaint_is_never_discarded_and_keeps_its_number(
    desk: Desk, clerk: Actor
) -> None:
    queued = desk.intake.submit(valid_form(), actor=clerk)
    assert queued.queued and queued.registration_number

    outcome = DraftService(desk.context).discard(queued.uuid, actor=clerk)

    assert not outcome.discarded
    assert outcome.refused is not None and outcome.refused.template == NOT_A_DRAFT
    found = desk.lookup.find(ComplaintQuery(), actor=clerk)
    assert [c.registration_number for c in found] == [queued.registration_number]
    with desk.database.read() as session:
        discarded = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == DISCARDED_ACTION)
        )
    assert discarded == 0


def test_discarding_a_draft_leaves_the_next_registration_number_unchanged(
    desk: Desk, clerk: Actor
) -> None:
    first = desk.intake.submit(valid_form(), actor=clerk)
    junk = desk.intake.save_draft(valid_form(title="", description="", nik=""), actor=clerk)
    assert DraftService(desk.context).discard(junk.uuid, actor=clerk).discarded
    second = desk.intake.submit(valid_form(phone="081298765432"), actor=clerk)

    assert first.registration_number and second.registration_number
    assert int(second.registration_number[-4:]) == int(first.registration_number[-4:]) + 1
