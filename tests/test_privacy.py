"""Privacy rules: who sees identities, exports, data-subject requests, and no identity in clear."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from lapor_desktop.desk import Desk
from lapor_desktop.domain.privacy import CONFIDENTIAL_PLACEHOLDER
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.services.data_subject import Erasure, PersonRecord
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.storage.models import AuditEntry, ComplainantIdentity
from tests.support.samples import valid_form


def test_front_desk_sees_the_identity_and_the_reading_is_audited(desk: Desk, clerk: Actor) -> None:
    saved = desk.intake.submit(valid_form(), actor=clerk)
    detail = desk.lookup.get(saved.uuid, actor=clerk)
    assert detail is not None and detail.identity_hidden is None
    assert detail.identity.nik == "2104014508900001"
    with desk.database.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == saved.uuid)
        ).all()
    assert "identity.viewed" in actions


def test_it_staff_never_see_an_identity(desk: Desk, clerk: Actor, it_staff: Actor) -> None:
    saved = desk.intake.submit(valid_form(), actor=clerk)
    detail = desk.lookup.get(saved.uuid, actor=it_staff)
    assert detail is not None
    assert detail.identity.is_empty() and detail.identity_hidden is not None


def test_a_rahasia_identity_is_for_supervisors_only(
    desk: Desk, clerk: Actor, supervisor: Principal
) -> None:
    saved = desk.intake.submit(valid_form(rahasia=True), actor=clerk)
    for_clerk = desk.lookup.get(saved.uuid, actor=clerk)
    for_boss = desk.lookup.get(saved.uuid, actor=supervisor.actor)
    assert for_clerk is not None and for_clerk.identity_hidden == CONFIDENTIAL_PLACEHOLDER
    assert for_clerk.identity.is_empty()
    assert for_boss is not None and for_boss.identity.full_name == "Siti Aminah"


def test_it_may_export_without_identities_but_not_with_them(
    desk: Desk, clerk: Actor, it_staff: Actor, tmp_path: Path
) -> None:
    desk.intake.submit(valid_form(), actor=clerk)
    target = tmp_path / "laporan.csv"
    summary = desk.exports.write(ComplaintQuery(), target, actor=it_staff)
    assert summary.rows == 1
    content = target.read_text(encoding="utf-8")
    assert "Jalan rusak di Daik" in content
    assert "Siti Aminah" not in content and "full_name" not in content
    with pytest.raises(PermissionDenied):
        desk.exports.write(ComplaintQuery(), target, actor=it_staff, with_identity=True)


def test_an_identity_export_leaves_out_anonymous_complainants_and_is_audited(
    desk: Desk, clerk: Actor, supervisor: Principal, tmp_path: Path
) -> None:
    desk.intake.submit(valid_form(), actor=clerk)
    desk.intake.submit(valid_form(anonim=True, full_name="Rahmat Anonim"), actor=clerk)
    target = tmp_path / "laporan.json"
    summary = desk.exports.write(
        ComplaintQuery(), target, actor=supervisor.actor, with_identity=True, file_format="json"
    )
    rows = json.loads(target.read_text(encoding="utf-8"))
    names = {row["full_name"] for row in rows}
    assert names == {"Siti Aminah", ""}
    assert summary.identities == 1
    with desk.database.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "export.with_identity")
        ).one()
        assert entry.actor == supervisor.username and entry.details["identities"] == 1


def test_a_person_is_found_by_nik_or_phone_written_any_way(
    desk: Desk, clerk: Actor, supervisor: Principal
) -> None:
    mine = desk.intake.submit(valid_form(), actor=clerk)
    desk.intake.submit(
        valid_form(full_name="Budi Santoso", nik="", phone="082112345678"), actor=clerk
    )
    by_nik = desk.data_subjects.find(actor=supervisor.actor, nik="2104 0145 0890 0001")
    by_phone = desk.data_subjects.find(actor=supervisor.actor, phone="+62 812-3456-7890")
    assert isinstance(by_nik, PersonRecord) and isinstance(by_phone, PersonRecord)
    assert [d.summary.uuid for d in by_nik.complaints] == [mine.uuid]
    assert [d.summary.uuid for d in by_phone.complaints] == [mine.uuid]
    with pytest.raises(PermissionDenied):
        desk.data_subjects.find(actor=clerk, nik="2104014508900001")


def test_erasure_waits_for_the_national_close_and_keeps_the_complaint(
    desk: Desk, clerk: Actor, supervisor: Principal
) -> None:
    open_one = desk.intake.submit(valid_form(), actor=clerk)
    closed = desk.intake.submit(valid_form(title="Sekolah kekurangan guru"), actor=clerk)
    with desk.database.write() as session:
        session.execute(
            text("UPDATE complaints SET status = 'finished' WHERE uuid = :u"), {"u": closed.uuid}
        )

    outcome = desk.data_subjects.erase(actor=supervisor.actor, nik="2104014508900001")

    assert outcome == Erasure(erased=(closed.uuid,), still_open=(open_one.uuid,))
    detail = desk.lookup.get(closed.uuid, actor=supervisor.actor)
    assert detail is not None and detail.identity.is_empty()
    assert detail.summary.title == "Sekolah kekurangan guru"
    with desk.database.read() as session:
        row = session.scalars(
            select(ComplainantIdentity).join_from(
                ComplainantIdentity, ComplainantIdentity.complaint
            )
        ).all()
        erased = [r for r in row if r.erased_at is not None]
        assert len(erased) == 1 and erased[0].nik_index is None
    again = desk.data_subjects.find(actor=supervisor.actor, nik="2104014508900001")
    assert isinstance(again, PersonRecord)
    assert [d.summary.uuid for d in again.complaints] == [open_one.uuid]


def test_export_csv_has_a_header_and_one_line_per_complaint(
    desk: Desk, clerk: Actor, supervisor: Principal, tmp_path: Path
) -> None:
    for n in range(3):
        desk.intake.submit(valid_form(title=f"Keluhan ke-{n} soal air"), actor=clerk)
    target = tmp_path / "register.csv"
    desk.exports.write(ComplaintQuery(text="air"), target, actor=supervisor.actor)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 and all(r["registration_number"] for r in rows)
    assert dataclasses.is_dataclass(ComplaintQuery())
