"""Follow-up notes: what the citizen adds later never overwrites what was sent."""

from __future__ import annotations

from sqlalchemy import select, text

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.models import OutboxEntry
from tests.support.samples import valid_form


def test_a_follow_up_on_a_sent_complaint_is_queued_as_its_own_message(
    desk: Desk, clerk: Actor
) -> None:
    saved = desk.intake.submit(valid_form(), actor=clerk)
    with desk.database.write() as session:
        session.execute(text("UPDATE complaints SET status = 'sent'"))
        session.execute(text("UPDATE outbox SET state = 'done'"))

    outcome = desk.follow_ups.add(saved.uuid, "Warga menambahkan foto lubang jalan.", actor=clerk)

    assert outcome.problem is None and outcome.note_uuid
    detail = desk.lookup.get(saved.uuid, actor=clerk)
    assert detail is not None
    assert [f.text for f in detail.follow_ups] == ["Warga menambahkan foto lubang jalan."]
    assert detail.description.startswith("Jalan utama")
    with desk.database.read() as session:
        pending = session.execute(
            select(OutboxEntry.kind, OutboxEntry.ref_uuid).where(OutboxEntry.state == "pending")
        ).all()
    assert [tuple(row) for row in pending] == [("follow_up", outcome.note_uuid)]


def test_an_empty_or_orphan_follow_up_is_refused_with_a_reason(desk: Desk, clerk: Actor) -> None:
    saved = desk.intake.submit(valid_form(), actor=clerk)
    empty = desk.follow_ups.add(saved.uuid, "   ", actor=clerk)
    orphan = desk.follow_ups.add("00000000-0000-4000-8000-000000000000", "teks", actor=clerk)
    assert empty.problem is not None and "empty" in empty.problem.render("en")
    assert orphan.problem is not None
