"""Recording complaints: all or nothing, nothing typed is lost, numbers never collide."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select, text

from lapor_desktop.desk import Desk
from lapor_desktop.domain.registration import looks_like_registration_number
from lapor_desktop.domain.status import Status
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import AuditEntry, Complaint, OutboxEntry, StatusEvent
from tests.support.accounts import initialise_desk, sign_in_supervisor
from tests.support.clock import FakeClock
from tests.support.samples import valid_form


def _count(desk: Desk, model: type) -> int:
    with desk.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_valid_complaint_is_queued_with_its_outbox_timeline_and_audit(
    desk: Desk, clerk: Actor
) -> None:
    outcome = desk.intake.submit(valid_form(), actor=clerk)

    assert outcome.queued, [i.bilingual() for i in outcome.issues]
    assert outcome.registration_number and looks_like_registration_number(
        outcome.registration_number
    )
    detail = desk.lookup.get(outcome.uuid, actor=clerk)
    assert detail is not None
    assert detail.summary.status == "queued"
    assert detail.summary.sync_state == "pending"
    assert [e.status for e in detail.timeline] == ["queued"]
    assert detail.timeline[0].actor == "ani"
    assert detail.identity.full_name == "Siti Aminah"
    assert detail.identity.phone == "+6281234567890"
    with desk.database.read() as session:
        entry = session.scalars(select(OutboxEntry)).one()
        assert entry.ref_uuid == outcome.uuid and entry.state == "pending"
        assert len(entry.content_hash) == 64
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "complaint.queued")
        ).one()
        assert (audit.action, audit.entity_id, audit.actor) == (
            "complaint.queued",
            outcome.uuid,
            "ani",
        )


def test_invalid_form_is_kept_as_a_draft_with_every_field_as_typed(
    desk: Desk, clerk: Actor
) -> None:
    form = valid_form(nik="12345", incident_date="31/02/2026", title="Air PDAM mati")
    outcome = desk.intake.submit(form, actor=clerk)

    assert not outcome.queued
    assert outcome.status is Status.DRAFT
    assert {i.field for i in outcome.issues} >= {"nik", "incident_date"}
    detail = desk.lookup.get(outcome.uuid, actor=clerk)
    assert detail is not None and detail.draft_form is not None
    assert detail.draft_form["incident_date"] == "31/02/2026"
    assert detail.summary.title == "Air PDAM mati"
    assert detail.identity.nik == "12345"
    assert detail.summary.registration_number is None
    assert _count(desk, OutboxEntry) == 0


def test_a_draft_completed_later_is_queued_under_the_same_uuid(desk: Desk, clerk: Actor) -> None:
    draft = desk.intake.submit(valid_form(nik="12345"), actor=clerk)
    fixed = desk.intake.submit(valid_form(), actor=clerk, complaint_uuid=draft.uuid)

    assert fixed.queued and fixed.uuid == draft.uuid
    detail = desk.lookup.get(draft.uuid, actor=clerk)
    assert detail is not None and detail.draft_form is None
    assert [e.status for e in detail.timeline] == ["draft", "queued"]
    assert _count(desk, Complaint) == 1


def test_editing_a_queued_complaint_replaces_its_pending_outbox_entry(
    desk: Desk, clerk: Actor
) -> None:
    first = desk.intake.submit(valid_form(), actor=clerk)
    with desk.database.read() as session:
        old_hash = session.scalars(select(OutboxEntry.content_hash)).one()
    desk.intake.submit(
        valid_form(title="Jalan rusak parah di Daik"), actor=clerk, complaint_uuid=first.uuid
    )

    with desk.database.read() as session:
        hashes = session.scalars(select(OutboxEntry.content_hash)).all()
    assert len(hashes) == 1 and hashes[0] != old_hash
    detail = desk.lookup.get(first.uuid, actor=clerk)
    assert detail is not None
    assert detail.summary.registration_number == first.registration_number


def test_a_complaint_already_sent_is_never_overwritten(desk: Desk, clerk: Actor) -> None:
    outcome = desk.intake.submit(valid_form(), actor=clerk)
    with desk.database.write() as session:
        session.execute(text("UPDATE complaints SET status = 'sent'"))

    again = desk.intake.submit(valid_form(title="Diubah"), actor=clerk, complaint_uuid=outcome.uuid)

    assert again.refused is not None
    assert "follow-up" in again.refused.render("en")
    assert "tindak lanjut" in again.refused.render("id").lower() or again.refused.render("id")
    detail = desk.lookup.get(outcome.uuid, actor=clerk)
    assert detail is not None and detail.summary.title == "Jalan rusak di Daik"


def test_urgent_complaints_are_queued_ahead_of_the_backlog(desk: Desk, clerk: Actor) -> None:
    desk.intake.submit(valid_form(), actor=clerk)
    urgent = desk.intake.submit(valid_form(urgent=True), actor=clerk)
    with desk.database.read() as session:
        first = session.scalars(
            select(OutboxEntry.ref_uuid).order_by(OutboxEntry.priority.desc(), OutboxEntry.id)
        ).first()
    assert first == urgent.uuid


def test_registration_numbers_count_up_per_station_and_restart_each_office_day(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    station = desk.context.station.station_id
    numbers = [desk.intake.submit(valid_form(), actor=clerk).registration_number for _ in range(3)]
    assert numbers == [f"2104-20261127-{station}-{n:04d}" for n in (1, 2, 3)]
    # 17:30 UTC is already the next day in Lingga (WIB, UTC+7).
    clock.current = dt.datetime(2026, 11, 27, 17, 30, tzinfo=dt.UTC)
    assert desk.intake.submit(valid_form(), actor=clerk).registration_number == (
        f"2104-20261128-{station}-0001"
    )


def test_two_offline_workstations_never_produce_the_same_number(
    tmp_path: object, clock: FakeClock, office: OfficeSettings
) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    desks = [initialise_desk(DataPaths(base / f"pc{i}").ensure(), office, clock) for i in range(2)]
    try:
        assert desks[0].context.station.station_id != desks[1].context.station.station_id
        bosses = [sign_in_supervisor(d).actor for d in desks]
        numbers = [
            d.intake.submit(valid_form(), actor=boss).registration_number
            for d, boss in zip(desks, bosses, strict=True)
            for _ in range(5)
        ]
        assert len(set(numbers)) == 10
    finally:
        for d in desks:
            d.close()


def test_a_failing_save_leaves_nothing_behind(sqlite_desk: Desk, sqlite_clerk: Actor) -> None:
    with sqlite_desk.database.write() as session:
        session.execute(
            text(
                "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
            )
        )
    with pytest.raises(Exception, match="disk trouble"):
        sqlite_desk.intake.submit(valid_form(), actor=sqlite_clerk)
    for model in (Complaint, OutboxEntry, StatusEvent):
        assert _count(sqlite_desk, model) == 0


def test_a_client_chosen_uuid_is_kept(desk: Desk, clerk: Actor) -> None:
    chosen = str(uuid.uuid4())
    outcome = desk.intake.submit(valid_form(), actor=clerk, complaint_uuid=chosen)
    assert outcome.uuid == chosen
