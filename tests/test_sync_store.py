"""The database side of sync: leases (on SQLite and PostgreSQL), priority, backoff maths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.canonical import content_hash
from lapor_desktop.domain.complaint import AttachmentView
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.sync_store import BatchResults, NationalChange, StoredReceipt
from lapor_desktop.storage.models import Base, OutboxEntry
from sync.engine import Backoff
from tests.support.clock import FakeClock
from tests.support.samples import valid_form
from tests.support.sync_engine import outbox_of, queue, seen, store_for


def test_urgent_complaints_are_claimed_first_with_their_canonical_content(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    normal = queue(desk, clerk)
    urgent = queue(desk, clerk, urgent=True)
    claimed = store_for(desk, clock).claim_submissions(10)
    assert [c.client_uuid for c in claimed] == [urgent, normal]
    for item in claimed:
        assert content_hash(dict(item.content)) == item.content_hash
        identity = item.content["identity"]
        assert isinstance(identity, dict) and identity["full_name"] == "Siti Aminah"


def test_a_lease_keeps_another_workstation_off_until_it_expires(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    complaint_uuid = queue(desk, clerk)
    first = store_for(desk, clock, owner="ws-1")
    second = store_for(desk, clock, owner="ws-2")
    assert [c.client_uuid for c in first.claim_submissions(5)] == [complaint_uuid]
    assert second.claim_submissions(5) == []
    assert seen(desk, complaint_uuid).lease_owner == "ws-1"
    clock.advance(minutes=6)  # ws-1 died holding it: the lease expires
    [taken] = second.claim_submissions(5)
    assert taken.needs_lookup  # it may have been sent: look it up before sending again
    assert seen(desk, complaint_uuid).lease_owner == "ws-2"


def test_skip_locked_passes_over_rows_another_transaction_holds(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    if desk.database.is_sqlite:
        pytest.skip("SQLite has no row locks: BEGIN IMMEDIATE serialises whole claims")
    held, free = queue(desk, clerk), queue(desk, clerk)
    with desk.database.write() as session:
        session.scalars(
            select(OutboxEntry).where(OutboxEntry.ref_uuid == held).with_for_update()
        ).one()
        claimed = store_for(desk, clock).claim_submissions(5)  # on another connection
        assert [c.client_uuid for c in claimed] == [free]


def test_deferred_entries_wait_and_count_attempts(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    complaint_uuid = queue(desk, clerk)
    store = store_for(desk, clock)
    [item] = store.claim_submissions(5)
    store.defer(
        [item.outbox_id], "Unreachable", clock() + dt.timedelta(seconds=40), maybe_delivered=True
    )
    assert store.claim_submissions(5) == []
    clock.advance(seconds=40)
    [again] = store.claim_submissions(5)
    assert (again.attempts, again.needs_lookup) == (1, True)
    assert seen(desk, complaint_uuid).last_error == "Unreachable"


def test_a_change_is_applied_once_and_the_cursor_is_kept(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    complaint_uuid = queue(desk, clerk)
    store = store_for(desk, clock)
    change = NationalChange(
        "c-1", complaint_uuid, "LPR-1", "verified", "Diverifikasi", None, clock()
    )
    assert store.apply_changes([change], "cursor-1") == 1
    assert store.apply_changes([change], "cursor-2") == 0
    assert store.get_value("changes_cursor") == "cursor-2"
    state = seen(desk, complaint_uuid)
    assert state.status == "verified" and state.tracking_id == "LPR-1"
    assert state.events[-1] == ("verified", "national")


def test_the_migrations_match_the_models(desk: Desk) -> None:
    with desk.database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # The full-text tables are created by hand (``migrations/fulltext.py``), not modelled.
    assert [
        d
        for d in differences
        if not any(raw in repr(d) for raw in ("_fts", "search_vector", "complaint_words"))
    ] == []


def test_backoff_is_full_jitter_under_an_exponential_ceiling_and_honours_retry_after() -> None:
    top = Backoff(base_seconds=2, cap_seconds=60, random=lambda: 0.999999)
    assert [round(top.delay(n).total_seconds()) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
    bottom = Backoff(random=lambda: 0.0)
    assert bottom.delay(5) == dt.timedelta(0)
    assert bottom.delay(1, retry_after=30) == dt.timedelta(seconds=30)
    capped = Backoff(cap_seconds=100, max_retry_after_seconds=7200, random=lambda: 0.0)
    assert capped.delay(1, 1e9).total_seconds() == 7200  # only an absurd Retry-After is cut
    assert capped.delay(1, 150).total_seconds() == 150  # beyond the backoff's own cap
    assert top.delay(12, retry_after=7) == dt.timedelta(seconds=7)  # not the jittered 60


def test_a_batch_of_results_is_recorded_at_once_and_counted_by_state(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    sent, refused, waiting = queue(desk, clerk), queue(desk, clerk), queue(desk, clerk)
    store = store_for(desk, clock)
    claimed = {c.client_uuid: c for c in store.claim_submissions(10)}
    receipt = StoredReceipt(sent, claimed[sent].content_hash, "LPR-7", clock(), "k", "sig")
    store.record(
        BatchResults(
            receipts={claimed[sent].outbox_id: receipt},
            quarantined={claimed[refused].outbox_id: "invalid-field (agency_code): unknown"},
        )
    )
    store.release([claimed[waiting].outbox_id])
    assert (seen(desk, sent).status, seen(desk, sent).tracking_id) == ("sent", "LPR-7")
    assert seen(desk, sent).events[-1] == ("sent", "local")
    assert seen(desk, refused).sync_state == "quarantined"
    assert store.counts() == {"pending": 1, "done": 1, "quarantined": 1}
    assert store.due_count() == 1


def test_attachments_get_upload_entries_with_their_complaint_and_lose_them_when_removed(
    desk: Desk, clerk: Actor, clock: FakeClock, tmp_path: Path
) -> None:
    files = []
    for name in ("a.txt", "b.txt"):
        path = tmp_path / name
        path.write_text(f"Catatan {name}\n", "utf-8")
        files.append(desk.intake.store_file(path, actor=clerk))
    first, second = files
    assert isinstance(first, AttachmentView) and isinstance(second, AttachmentView)
    saved = desk.intake.submit(valid_form(), actor=clerk, files=[first, second])
    kind = OutboxKind.UPLOAD_ATTACHMENT
    assert sorted(h for _, h, _ in outbox_of(desk, saved.uuid, kind)) == sorted(
        [first.sha256, second.sha256]
    )
    again = desk.intake.submit(valid_form(), actor=clerk, complaint_uuid=saved.uuid, files=[second])
    assert again.queued
    assert outbox_of(desk, saved.uuid, kind) == [("pending", second.sha256, "")]
    # Nothing is uploaded before the complaint itself is accepted.
    assert store_for(desk, clock).claim_uploads(5) == []
