"""A register goes in as one batch: everything a desk save writes, for every row, all or nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.complaint import ComplaintData
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.services import audit
from lapor_desktop.services.content_digest import current_digest
from lapor_desktop.services.context import Actor
from lapor_desktop.services.importer import ImportProgress
from lapor_desktop.services.intake_batch import CHUNK, BatchRow, IntakeBatch
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.storage import search
from lapor_desktop.storage.models import (
    AuditEntry,
    ComplainantIdentity,
    Complaint,
    OutboxEntry,
    StatusEvent,
)
from tests.support import samples
from tests.test_import import HEADER, NIK, complaint_audit_actors, count, csv_row, run_import, write


def register(tmp_path: Path, rows: int) -> Path:
    return write(
        tmp_path / "r.csv", HEADER, *(csv_row(f"Jalan rusak nomor {n}") for n in range(rows))
    )


def sequences(numbers: list[str | None]) -> list[int]:
    return sorted(int(str(n).rsplit("-", 1)[1]) for n in numbers)


def test_numbers_continue_the_stations_day_between_desk_saves(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    before = desk.intake.submit(samples.valid_form(title="Sebelum impor"), actor=clerk)

    report = run_import(desk, clerk, register(tmp_path, 3))
    after = desk.intake.submit(samples.valid_form(title="Sesudah impor"), actor=clerk)

    numbers = [before.registration_number, *(r.registration_number for r in report.imported)]
    assert sequences([*numbers, after.registration_number]) == [1, 2, 3, 4, 5]
    assert [r.row for r in report.imported] == [2, 3, 4]


def test_the_audit_chain_stays_whole_and_names_every_row(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    desk.intake.submit(samples.valid_form(title="Sebelum impor"), actor=clerk)

    report = run_import(desk, clerk, register(tmp_path, CHUNK + 5))
    desk.intake.submit(samples.valid_form(title="Sesudah impor"), actor=clerk)

    chain = audit.verify(desk.database)
    assert chain.intact, chain.reason
    assert chain.checked == count(desk, AuditEntry)
    assert complaint_audit_actors(desk) == [clerk.username] * (CHUNK + 7)
    with desk.database.read() as session:
        entries = session.execute(
            select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.details)
            .where(AuditEntry.entity_type == "complaint")
            .order_by(AuditEntry.id)
        ).all()
    imported = {r.uuid: r.registration_number for r in report.imported}
    logged = {e.entity_id: e.details["registration_number"] for e in entries[1:-1]}
    assert logged == imported
    assert {e.action for e in entries} == {"complaint.queued"}


def test_each_row_gets_what_a_desk_save_gives_it(desk: Desk, clerk: Actor, tmp_path: Path) -> None:
    report = run_import(desk, clerk, register(tmp_path, 4))

    uuids = [r.uuid for r in report.imported]
    vault = desk.context.require_vault()
    with desk.database.read() as session:
        for complaint in session.scalars(select(Complaint).where(Complaint.uuid.in_(uuids))):
            assert complaint.status == Status.QUEUED.value
            assert complaint.sync_state == SyncState.PENDING.value
            assert complaint.submitted_at is not None
            assert complaint.region_label.startswith("Lingga")
            assert [(e.status, e.actor) for e in complaint.events] == [("queued", clerk.username)]
            (entry,) = session.scalars(
                select(OutboxEntry).where(OutboxEntry.complaint_id == complaint.id)
            )
            # The sync recomputes this digest from the stored row: it must be the same.
            assert entry.content_hash == current_digest(complaint, vault)
            assert entry.kind == "submit_complaint" and entry.state == "pending"
        assert count(desk, StatusEvent) == count(desk, OutboxEntry) == 4
        assert search.unindexed_count(session) == 0


def test_identities_are_sealed_and_a_returning_citizen_is_found(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    report = run_import(desk, clerk, register(tmp_path, 2))

    with desk.database.read() as session:
        stored = session.execute(
            select(ComplainantIdentity.nik, ComplainantIdentity.nik_index)
        ).all()
    assert len(stored) == 2
    assert all(nik.startswith("f1.") and NIK not in nik and index for nik, index in stored)
    detail = desk.lookup.get(report.imported[0].uuid, actor=clerk)
    assert detail is not None and detail.identity.nik == NIK
    again = desk.intake.likely_duplicates(
        samples.valid_form(title="Jalan rusak nomor 1", nik=NIK), actor=clerk
    )
    assert {d.uuid for d in again} >= {r.uuid for r in report.imported}


def test_imported_texts_are_found_by_their_stems_and_words(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    report = run_import(desk, clerk, register(tmp_path, 3))

    imported = {r.uuid for r in report.imported}
    for words in ("lubang", "pelabuhan daik", "nomor 2"):
        found = desk.lookup.find(ComplaintQuery(text=words), actor=clerk)
        assert {c.uuid for c in found} & imported, words


def test_an_import_stopped_half_way_leaves_nothing_not_even_numbers(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    def stop_after_the_first_chunk(progress: ImportProgress) -> None:
        if progress.stage == "save":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_import(
            sqlite_desk,
            sqlite_clerk,
            register(tmp_path, CHUNK + 1),
            progress=stop_after_the_first_chunk,
        )

    assert count(sqlite_desk) == count(sqlite_desk, OutboxEntry) == 0
    assert complaint_audit_actors(sqlite_desk) == []
    assert audit.verify(sqlite_desk.database).intact
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    assert sequences([saved.registration_number]) == [1]


def test_progress_is_told_for_checking_then_saving(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    heard: list[ImportProgress] = []
    file = write(
        tmp_path / "r.csv",
        HEADER,
        *(csv_row(f"Jalan rusak nomor {n}") for n in range(CHUNK + 200)),
        csv_row("Air"),
    )

    run_import(sqlite_desk, sqlite_clerk, file, skip_invalid=True, progress=heard.append)

    stages = [p.stage for p in heard]
    assert stages == sorted(stages)  # "check" before "save"
    checks = [(p.done, p.total) for p in heard if p.stage == "check"]
    saves = [(p.done, p.total) for p in heard if p.stage == "save"]
    assert checks[-1] == (CHUNK + 201, CHUNK + 201) and len(checks) >= 3
    assert saves == [(CHUNK, CHUNK + 200), (CHUNK + 200, CHUNK + 200)]


def test_a_row_another_desk_saved_meanwhile_is_left_and_named(desk: Desk, clerk: Actor) -> None:
    existing = desk.intake.submit(samples.valid_form(), actor=clerk).uuid
    data = desk.intake.validate(samples.valid_form(title="Jembatan putus")).data
    assert isinstance(data, ComplaintData)
    rows = [BatchRow(existing, data), BatchRow("0f8fad5b-d9cb-469f-a165-70867728950e", data)]

    with desk.database.write() as session:
        outcome = IntakeBatch(desk.context).save_in(session, rows, actor=clerk)

    assert outcome.present == {existing}
    assert list(outcome.saved) == ["0f8fad5b-d9cb-469f-a165-70867728950e"]
    detail = desk.lookup.get(existing, actor=clerk)
    assert detail is not None and detail.summary.title == "Jalan rusak di Daik"


def test_a_derived_uuid_is_the_one_earlier_versions_derived(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    report = run_import(sqlite_desk, sqlite_clerk, write(tmp_path / "r.csv", HEADER, csv_row()))

    # Derived by the importer before batching (dataclasses.asdict): a re-import must find it.
    assert [r.uuid for r in report.imported] == ["345e82af-994f-5cb5-aa8a-06330d57fa8f"]


def test_five_thousand_rows_import_without_a_per_row_transaction(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    file = register(tmp_path, 5000)

    started = time.perf_counter()
    report = run_import(sqlite_desk, sqlite_clerk, file)
    elapsed = time.perf_counter() - started

    assert len(report.imported) == 5000 and count(sqlite_desk) == 5000
    # A transaction per row ran at about 145 rows/s (34 s here); the batch does 2,000+.
    assert elapsed < 15, f"5000 rows took {elapsed:.1f} s"
    with sqlite_desk.database.read() as session:
        numbers = session.scalar(select(func.count(func.distinct(Complaint.registration_number))))
    assert numbers == 5000
