"""A return bundle recorded with the rules of an online pass, and only once (issue 14)."""

from __future__ import annotations

import datetime as dt
import io
import uuid as uuid_module
import wave
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.services import bundle_outbox
from lapor_desktop.services.bundle_outbox import carried_in, contents_for_bundle
from lapor_desktop.services.bundle_records import BundleContents, BundleRefused, bundle_overview
from lapor_desktop.services.bundle_returns import ReturnSummary, record_return
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.sync_feed import NationalChange
from lapor_desktop.services.sync_records import StoredReceipt, named_changes
from lapor_desktop.storage.models import Complaint, OutboxEntry
from tests.support.clock import FakeClock
from tests.support.samples import valid_form
from tests.support.sync_engine import outbox_of, queue, seen, store_for

ENVELOPE = "e" * 64


def recording(folder: Path) -> Path:
    """A small WAV file (an accepted attachment type)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(bytes(range(256)) * 8)
    path = folder / "rekaman.wav"
    path.write_bytes(buffer.getvalue())
    return path


def bundle(desk: Desk, clock: FakeClock) -> tuple[str, BundleContents]:
    """Bundle what waits, as an export does; returns the bundle's UUID and what it carries."""
    bundle_id = str(uuid_module.uuid4())
    with desk.database.write() as session:
        carried = contents_for_bundle(session, desk.context.require_vault())
        bundle_outbox.start_bundle(
            session,
            bundle_id=bundle_id,
            sequence=bundle_outbox.next_sequence(session),
            origin_office="2104",
            envelope_sha256=ENVELOPE,
            counts=carried.counts,
            volumes=1,
            now=clock(),
            outbox_ids=carried.outbox_ids,
        )
    return bundle_id, carried


def receipt(
    client_uuid: str, content_hash: str, tracking_id: str, at: dt.datetime
) -> StoredReceipt:
    return StoredReceipt(client_uuid, content_hash, tracking_id, at, "k1", "sig")


def import_return(
    desk: Desk,
    in_reply_to: str,
    clock: FakeClock,
    receipts: Sequence[StoredReceipt] = (),
    *,
    return_id: str | None = None,
    **answers: object,
) -> ReturnSummary | BundleRefused:
    with desk.database.write() as session:
        found = record_return(
            session,
            return_bundle_id=return_id or str(uuid_module.uuid4()),
            in_reply_to=in_reply_to,
            envelope_sha256="f" * 64,
            receipts={r.client_uuid: r for r in receipts},
            now=clock(),
            **answers,  # type: ignore[arg-type]
        )
        named_changes(session)
    return found


def test_receipts_mark_the_carried_complaints_sent_with_their_tracking_ids(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    first = queue(desk, clerk)
    second = queue(desk, clerk)
    bundle_id, carried = bundle(desk, clock)
    clock.advance(days=9)  # the stick came back
    receipts = [
        receipt(c.client_uuid, c.content_hash, f"LPR-{n}", clock())
        for n, c in enumerate(carried.submissions, 1)
    ]

    summary = import_return(desk, bundle_id, clock, receipts)

    assert isinstance(summary, ReturnSummary) and summary.new
    assert (summary.sent, summary.already, summary.edited) == (2, 0, 0)
    for uuid, tracking_id in ((first, "LPR-1"), (second, "LPR-2")):
        state = seen(desk, uuid)
        assert (state.status, state.sync_state, state.tracking_id) == ("sent", "sent", tracking_id)
        assert state.outbox_state == "done" and state.receipt is not None
        assert state.receipt["tracking_id"] == tracking_id
    with desk.database.read() as session:
        rows = {(r.direction, r.state, r.in_reply_to) for r in bundle_overview(session)}
        ids = session.scalars(select(Complaint.id)).all()
        assert carried_in(session, ids) == {}  # no longer "in bundle 1"
    assert rows == {("outbound", "answered", None), ("return", "imported", bundle_id)}


def test_the_same_return_imported_twice_changes_nothing_and_says_so(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    uuid = queue(sqlite_desk, sqlite_clerk)
    bundle_id, carried = bundle(sqlite_desk, clock)
    [item] = carried.submissions
    receipts = [receipt(uuid, item.content_hash, "LPR-9", clock())]
    return_id = str(uuid_module.uuid4())
    assert isinstance(
        import_return(sqlite_desk, bundle_id, clock, receipts, return_id=return_id), ReturnSummary
    )
    before = seen(sqlite_desk, uuid)

    again = import_return(sqlite_desk, bundle_id, clock, receipts, return_id=return_id)
    other_copy = import_return(sqlite_desk, bundle_id, clock, receipts)  # a second return

    assert again == ReturnSummary(new=False) and again.nothing_new
    assert isinstance(other_copy, ReturnSummary)
    assert (other_copy.sent, other_copy.already) == (0, 1) and other_copy.nothing_new
    assert seen(sqlite_desk, uuid) == before
    assert before.events.count(("sent", "local")) == 1


def test_a_return_for_a_complaint_sent_online_first_finds_it_already_sent(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    uuid = queue(sqlite_desk, sqlite_clerk)
    bundle_id, carried = bundle(sqlite_desk, clock)
    store = store_for(sqlite_desk, clock)
    [claimed] = store.claim_submissions(10)  # the network came back before the stick
    store.mark_sent(claimed.outbox_id, receipt(uuid, claimed.content_hash, "LPR-3", clock()))

    summary = import_return(
        sqlite_desk,
        bundle_id,
        clock,
        [receipt(uuid, carried.submissions[0].content_hash, "LPR-3", clock())],
    )

    assert isinstance(summary, ReturnSummary) and (summary.sent, summary.already) == (0, 1)
    assert seen(sqlite_desk, uuid).events.count(("sent", "local")) == 1


def test_a_complaint_edited_after_it_was_bundled_keeps_the_tracking_id_and_waits_for_a_person(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    uuid = queue(desk, clerk)
    bundle_id, carried = bundle(desk, clock)
    edited = desk.intake.submit(
        valid_form(title="Jalan rusak parah di Daik"), actor=clerk, complaint_uuid=uuid
    )
    assert edited.queued
    bundled_version = carried.submissions[0].content_hash

    summary = import_return(
        desk, bundle_id, clock, [receipt(uuid, bundled_version, "LPR-5", clock())]
    )

    assert isinstance(summary, ReturnSummary) and (summary.sent, summary.edited) == (0, 1)
    state = seen(desk, uuid)
    assert state.tracking_id == "LPR-5" and state.sync_state == "quarantined"
    [(entry_state, queued_hash, reason)] = outbox_of(desk, uuid, OutboxKind.SUBMIT_COMPLAINT)
    assert entry_state == "quarantined" and queued_hash != bundled_version
    assert "LAPOR! received the version before the edit" in reason and "LPR-5" in reason
    assert "bundle 1" in reason


def test_conflicts_and_refusals_are_set_aside_with_the_online_wording(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    clashing = queue(sqlite_desk, sqlite_clerk)
    refused = queue(sqlite_desk, sqlite_clerk)
    bundle_id, _ = bundle(sqlite_desk, clock)

    summary = import_return(
        sqlite_desk,
        bundle_id,
        clock,
        conflicts=[(clashing, "LPR-77", "c" * 64, "content differs")],
        rejections={refused: "invalid_field (title): too short"},
    )

    assert isinstance(summary, ReturnSummary) and (summary.conflicts, summary.rejected) == (1, 1)
    [(_, _, conflict)] = outbox_of(sqlite_desk, clashing, OutboxKind.SUBMIT_COMPLAINT)
    assert (
        conflict == "conflict: LAPOR! holds other content under this UUID (LPR-77): content differs"
    )
    [(state, _, reason)] = outbox_of(sqlite_desk, refused, OutboxKind.SUBMIT_COMPLAINT)
    assert (state, reason) == ("quarantined", "invalid_field (title): too short")
    assert seen(sqlite_desk, refused).sync_state == "quarantined"


def test_stored_uploads_follow_ups_and_status_changes_are_recorded_as_online(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock, tmp_path: Path
) -> None:
    saved = sqlite_desk.intake.submit(
        valid_form(), actor=sqlite_clerk, attachments=[recording(tmp_path)]
    )
    note = sqlite_desk.follow_ups.add(saved.uuid, "Warga datang lagi.", actor=sqlite_clerk)
    assert note.note_uuid is not None
    sqlite_desk_store = store_for(sqlite_desk, clock)
    sqlite_desk_store.apply_changes([], "cursor-before")  # the desk synced once, long ago
    clock.advance(hours=1)
    bundle_id, carried = bundle(sqlite_desk, clock)
    [attachment] = carried.uploads
    [item] = carried.submissions
    clock.advance(days=3)
    change = NationalChange("chg-1", saved.uuid, "LPR-8", "verified", "Diverifikasi", None, clock())

    summary = import_return(
        sqlite_desk,
        bundle_id,
        clock,
        [receipt(saved.uuid, item.content_hash, "LPR-8", clock())],
        uploads_stored=[(saved.uuid, attachment.sha256)],
        follow_ups_stored=[note.note_uuid],
        changes=[change],
        next_cursor="cursor-after",
    )

    assert isinstance(summary, ReturnSummary)
    assert (summary.sent, summary.attachments, summary.follow_ups, summary.changes) == (1, 1, 1, 1)
    with sqlite_desk.database.read() as session:
        pending = session.scalar(select(OutboxEntry.id).where(OutboxEntry.state == "pending"))
    assert pending is None
    state = seen(sqlite_desk, saved.uuid)
    assert state.status == "verified" and state.events[-1] == ("verified", "national")
    assert sqlite_desk_store.get_value("changes_cursor") == "cursor-after"


def test_the_feed_cursor_stays_when_an_online_pass_moved_it_since_the_bundle_left(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    queue(sqlite_desk, sqlite_clerk)
    bundle_id, _ = bundle(sqlite_desk, clock)
    clock.advance(hours=2)
    store = store_for(sqlite_desk, clock)
    store.apply_changes([], "cursor-online")

    assert isinstance(
        import_return(sqlite_desk, bundle_id, clock, next_cursor="cursor-old"), ReturnSummary
    )

    assert store.get_value("changes_cursor") == "cursor-online"


def test_a_return_for_a_bundle_this_desk_never_made_is_refused(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    uuid = queue(sqlite_desk, sqlite_clerk)
    refused = import_return(sqlite_desk, str(uuid_module.uuid4()), clock)
    assert isinstance(refused, BundleRefused) and refused.code == "not_our_bundle"
    assert seen(sqlite_desk, uuid).outbox_state == "pending"
    with sqlite_desk.database.read() as session:
        assert bundle_overview(session) == []


def test_conflicts_already_worded_by_the_sync_layer_are_kept_as_given(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    uuid = queue(sqlite_desk, sqlite_clerk)
    bundle_id, _ = bundle(sqlite_desk, clock)
    worded = "conflict: LAPOR! holds other content under this UUID (LPR-4)"

    summary = import_return(sqlite_desk, bundle_id, clock, conflicts={uuid: worded})

    assert isinstance(summary, ReturnSummary) and summary.conflicts == 1
    assert outbox_of(sqlite_desk, uuid, OutboxKind.SUBMIT_COMPLAINT)[0][2] == worded
