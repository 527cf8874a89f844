"""The outbox side of offline bundles: what one carries, marking it, the relay lane (issue 14)."""

from __future__ import annotations

import io
import random
import uuid as uuid_module
import wave
from pathlib import Path

from sqlalchemy import inspect, select, text, update

from lapor_desktop.cli.db_check import run_checks
from lapor_desktop.desk import Desk
from lapor_desktop.domain.canonical import content_hash
from lapor_desktop.services import bundle_outbox
from lapor_desktop.services.bundle_outbox import RELAYS, carried_in, contents_for_bundle
from lapor_desktop.services.bundle_records import (
    RELAY_BUNDLE,
    BundleContents,
    BundleRefused,
    ClaimedRelay,
    bundle_overview,
)
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.sync_records import named_changes
from lapor_desktop.services.sync_status import read_status
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Complaint, OutboxEntry
from tests.support.clock import FakeClock
from tests.support.samples import valid_form
from tests.support.sync_engine import outbox_of, queue, store_for

SHA_A = "a" * 64
SHA_B = "b" * 64


def recording(folder: Path, name: str = "rekaman.wav", seed: int = 3) -> Path:
    """A small WAV file of noise (an accepted attachment type)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(random.Random(seed).randbytes(2000))
    path = folder / name
    path.write_bytes(buffer.getvalue())
    return path


def contents(desk: Desk, *, again: bool = False) -> BundleContents:
    with desk.database.read() as session:
        return contents_for_bundle(session, desk.context.require_vault(), again=again)


def start(desk: Desk, carried: BundleContents, clock: FakeClock) -> tuple[int, DeskChanges]:
    with desk.database.write() as session:
        row = bundle_outbox.start_bundle(
            session,
            bundle_id=str(uuid_module.uuid4()),
            sequence=bundle_outbox.next_sequence(session),
            origin_office="2104",
            envelope_sha256=SHA_A,
            counts=carried.counts,
            volumes=1,
            now=clock(),
            outbox_ids=carried.outbox_ids,
        )
        return row, named_changes(session)


def complaint_id(desk: Desk, uuid: str) -> int:
    with desk.database.read() as session:
        found = session.scalar(select(Complaint.id).where(Complaint.uuid == uuid))
    assert found is not None
    return found


def accept_online(desk: Desk, uuid: str, tracking_id: str) -> None:
    """As if the complaint had gone online already: accepted with a tracking ID."""
    with desk.database.write() as session:
        cid = session.scalar(select(Complaint.id).where(Complaint.uuid == uuid))
        session.execute(
            update(Complaint)
            .where(Complaint.id == cid)
            .values(tracking_id=tracking_id, status="sent", sync_state="sent")
        )
        session.execute(
            update(OutboxEntry)
            .where(
                OutboxEntry.complaint_id == cid,
                OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
            )
            .values(state="done")
        )


def test_a_bundle_carries_the_protocol_submissions_urgent_first_never_the_website_lanes(
    sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    normal = queue(sqlite_desk, sqlite_clerk)
    urgent = queue(sqlite_desk, sqlite_clerk, urgent=True)
    typed = queue(sqlite_desk, sqlite_clerk)
    on_website = queue(sqlite_desk, sqlite_clerk)
    with sqlite_desk.database.write() as session:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.ref_uuid == typed)
            .values(kind=OutboxKind.WEBSITE_SUBMIT.value)
        )
        session.execute(
            update(Complaint).where(Complaint.uuid == on_website).values(delivered_via="website")
        )

    carried = contents(sqlite_desk)

    assert [c.client_uuid for c in carried.submissions] == [urgent, normal]
    assert [c.urgent for c in carried.submissions] == [True, False]
    for item in carried.submissions:
        assert content_hash(dict(item.content)) == item.content_hash  # as the claim rebuilds it
        identity = item.content["identity"]
        assert isinstance(identity, dict) and identity["full_name"] == "Siti Aminah"
    assert carried.counts == {"complaints": 2, "attachments": 0, "follow_ups": 0}


def test_a_complaint_changed_since_it_was_queued_is_left_out_as_the_claim_would(
    sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    kept = queue(sqlite_desk, sqlite_clerk)
    changed = queue(sqlite_desk, sqlite_clerk)
    with sqlite_desk.database.write() as session:  # changed without a new hash (a bug, a repair)
        session.execute(
            update(Complaint).where(Complaint.uuid == changed).values(title="Judul lain sekali")
        )

    carried = contents(sqlite_desk)

    assert [c.client_uuid for c in carried.submissions] == [kept]
    assert carried.stale == (changed,)


def test_attachments_and_follow_ups_go_with_a_bundled_or_an_accepted_complaint(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    with_file = sqlite_desk.intake.submit(
        valid_form(), actor=sqlite_clerk, attachments=[recording(tmp_path)]
    )
    assert with_file.queued
    accepted = sqlite_desk.intake.submit(
        valid_form(), actor=sqlite_clerk, attachments=[recording(tmp_path, "b.wav", seed=9)]
    )
    accept_online(sqlite_desk, accepted.uuid, "LPR-1")
    note = sqlite_desk.follow_ups.add(accepted.uuid, "Warga datang lagi.", actor=sqlite_clerk)
    assert note.note_uuid is not None

    carried = contents(sqlite_desk)

    assert [c.client_uuid for c in carried.submissions] == [with_file.uuid]
    assert sorted(a.complaint_uuid for a in carried.uploads) == sorted(
        [with_file.uuid, accepted.uuid]
    )
    first = next(a for a in carried.uploads if a.complaint_uuid == with_file.uuid)
    assert (first.filename, first.media_type) == ("rekaman.wav", "audio/wav")
    assert first.size_bytes > 2000 and len(first.sha256) == 64
    [follow_up] = carried.follow_ups
    assert (follow_up.complaint_uuid, follow_up.message_uuid) == (accepted.uuid, note.note_uuid)
    assert follow_up.text == "Warga datang lagi."


def test_a_started_bundle_marks_its_entries_which_still_go_online_if_the_network_returns(
    desk: Desk, clerk: Actor, clock: FakeClock
) -> None:
    first = queue(desk, clerk)
    second = queue(desk, clerk)
    carried = contents(desk)

    row, changes = start(desk, carried, clock)

    assert changes.touches(first) and first in changes.outbox  # the list repaints these rows
    with desk.database.read() as session:
        assert carried_in(session, [complaint_id(desk, u) for u in (first, second)]) == {
            complaint_id(desk, first): (1, clock()),
            complaint_id(desk, second): (1, clock()),
        }
        assert bundle_outbox.next_sequence(session) == 2
        [overview] = bundle_overview(session)
    assert (overview.direction, overview.sequence, overview.state) == ("outbound", 1, "carried")
    assert (overview.pending, overview.carried_since) == (2, clock())
    assert row > 0
    store_for(desk, clock).apply_changes([], "cursor-9")
    with desk.database.read() as session:
        assert bundle_outbox.feed_cursor(session) == "cursor-9"  # what the next bundle carries
    assert not contents(desk)  # not bundled again...
    assert len(contents(desk, again=True).submissions) == 2  # ...unless a person asks
    third = queue(desk, clerk)
    assert [c.client_uuid for c in contents(desk).submissions] == [third]

    claimed = store_for(desk, clock).claim_submissions(10)  # the network came back first

    assert {c.client_uuid for c in claimed} == {first, second, third}


def test_a_relayed_bundle_is_kept_once_and_another_with_its_id_is_refused(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    bundle_id = str(uuid_module.uuid4())

    def keep(sha256: str) -> int | BundleRefused | None:
        with sqlite_desk.database.write() as session:
            return bundle_outbox.relay_entry(
                session,
                bundle_id=bundle_id,
                sequence=7,
                origin_office="2104",
                envelope_sha256=sha256,
                file_name=f"relay/{bundle_id}.laporbundle",
                counts={"complaints": 3, "attachments": 0, "follow_ups": 0},
                now=clock(),
            )

    entry = keep(SHA_A)
    assert isinstance(entry, int)
    assert keep(SHA_A) is None  # the same envelope imported twice: nothing new
    refused = keep(SHA_B)
    assert isinstance(refused, BundleRefused)
    assert "same ID" in refused.message.render("en")
    with sqlite_desk.database.read() as session:
        rows = session.execute(
            select(OutboxEntry.complaint_id, OutboxEntry.ref_uuid, OutboxEntry.content_hash).where(
                OutboxEntry.kind == RELAY_BUNDLE
            )
        ).all()
        [overview] = bundle_overview(session)
    assert [tuple(r) for r in rows] == [(None, bundle_id, SHA_A)]
    assert (overview.direction, overview.state, overview.pending) == ("relay", "waiting", 1)


def test_the_relay_lane_is_leased_and_settled_like_any_lane(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    bundle_id = str(uuid_module.uuid4())
    with sqlite_desk.database.write() as session:
        entry = bundle_outbox.relay_entry(
            session,
            bundle_id=bundle_id,
            sequence=2,
            origin_office="2104",
            envelope_sha256=SHA_A,
            file_name="relay/b.laporbundle",
            counts={"complaints": 1},
            now=clock(),
        )
    assert isinstance(entry, int)
    relay = store_for(sqlite_desk, clock, owner="ws-relay")
    other = store_for(sqlite_desk, clock, owner="ws-other")

    claimed = relay.claim(RELAYS, 5)

    assert claimed == [ClaimedRelay(entry, bundle_id, SHA_A, "relay/b.laporbundle", 0, False)]
    assert other.claim(RELAYS, 5) == []  # leased: a second relay process gets nothing
    holder = relay.leases.holder(claimed[0].outbox_id)
    assert holder is not None and holder.owner == "ws-relay"
    with sqlite_desk.database.read() as session:
        assert bundle_overview(session)[0].state == "sending"
    clock.advance(minutes=6)
    [again] = other.claim(RELAYS, 5)  # a relay killed mid-upload: the lease ran out
    assert again.needs_lookup  # ask the service what it holds before sending again

    return_id = str(uuid_module.uuid4())
    with sqlite_desk.database.write() as session:
        bundle_outbox.relay_answered(
            session,
            again.outbox_id,
            SHA_B,
            "relay/returns/r.laporbundle",
            clock(),
            return_bundle_id=return_id,
        )
    with sqlite_desk.database.read() as session:
        state = session.scalar(select(OutboxEntry.state).where(OutboxEntry.id == entry))
        rows = {
            (r.direction, r.state, r.file_name, r.in_reply_to) for r in bundle_overview(session)
        }
    assert state == "done"
    assert rows == {
        ("relay", "answered", "relay/b.laporbundle", None),
        ("return", "waiting", "relay/returns/r.laporbundle", bundle_id),
    }
    assert relay.claim(RELAYS, 5) == []


def test_a_refused_relay_is_set_aside_with_the_services_reason(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    with sqlite_desk.database.write() as session:
        entry = bundle_outbox.relay_entry(
            session,
            bundle_id=str(uuid_module.uuid4()),
            sequence=1,
            origin_office="2104",
            envelope_sha256=SHA_A,
            file_name="relay/x.laporbundle",
            counts={},
            now=clock(),
        )
        assert isinstance(entry, int)
        bundle_outbox.relay_refused(session, entry, "signed by an unknown desk", clock())
    with sqlite_desk.database.read() as session:
        found = session.execute(
            select(OutboxEntry.state, OutboxEntry.last_error).where(OutboxEntry.id == entry)
        ).one()
        [row] = bundle_overview(session)
    assert tuple(found) == ("quarantined", "signed by an unknown desk")
    assert (row.state, row.last_error) == ("refused", "signed by an unknown desk")


def test_migration_0007_goes_up_and_down_and_up_again(database_url: str, tmp_path: Path) -> None:
    from alembic import command

    (tmp_path / "data").mkdir(exist_ok=True)
    db = Database(database_url)
    migrate.upgrade(db)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO bundles (bundle_id, direction, sequence, origin_office, state,"
                " created_at, updated_at, envelope_sha256, counts, file_name, last_error, volumes)"
                " VALUES ('b1', 'relay', 1, '2104', 'waiting', CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP, :sha, '{}', '', '', 1)"
            ),
            {"sha": SHA_A},
        )
        connection.execute(
            text(
                "INSERT INTO outbox (complaint_id, kind, ref_uuid, content_hash, priority, state,"
                " attempts, last_error, created_at, needs_lookup)"
                " VALUES (NULL, 'relay_bundle', 'b1', :sha, 0, 'pending', 0, '',"
                " CURRENT_TIMESTAMP, false)"
            ),
            {"sha": SHA_A},
        )
    with db.engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0006")
    with db.engine.connect() as connection:
        schema = inspect(connection)
        assert not schema.has_table("bundles")
        columns = {c["name"]: c for c in schema.get_columns("outbox")}
        assert "bundle_id" not in columns and not columns["complaint_id"]["nullable"]
        assert connection.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision() >= "0007"  # later ones too
    with db.engine.connect() as connection:
        schema = inspect(connection)
        columns = {c["name"]: c for c in schema.get_columns("outbox")}
        assert columns["complaint_id"]["nullable"] and "bundle_id" in columns
        [key] = [k for k in schema.get_foreign_keys("outbox") if k["referred_table"] == "bundles"]
        assert key["options"].get("ondelete") == "SET NULL"
    db.dispose()


def test_outbox_of_still_reads_a_complaints_entries_beside_a_relay_entry(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    uuid = queue(sqlite_desk, sqlite_clerk)
    with sqlite_desk.database.write() as session:
        bundle_outbox.relay_entry(
            session,
            bundle_id=str(uuid_module.uuid4()),
            sequence=1,
            origin_office="2105",
            envelope_sha256=SHA_A,
            file_name="relay/y.laporbundle",
            counts={},
            now=clock(),
        )
    assert [s for s, _, _ in outbox_of(sqlite_desk, uuid, OutboxKind.SUBMIT_COMPLAINT)] == [
        "pending"
    ]
    status = read_status(sqlite_desk.database, now=clock())
    assert (status.pending, status.quarantined) == (2, 0)  # the relay entry is for a sync too


def test_a_relay_the_lane_set_aside_shows_refused_and_the_database_check_passes(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    queue(sqlite_desk, sqlite_clerk)
    start(sqlite_desk, contents(sqlite_desk), clock)
    with sqlite_desk.database.write() as session:
        entry = bundle_outbox.relay_entry(
            session,
            bundle_id=str(uuid_module.uuid4()),
            sequence=4,
            origin_office="2105",
            envelope_sha256=SHA_A,
            file_name="relay/z.laporbundle",
            counts={},
            now=clock(),
        )
    assert isinstance(entry, int)
    store = store_for(sqlite_desk, clock)
    [claimed] = store.claim(RELAYS, 1)
    store.quarantine(claimed.outbox_id, "the relayed bundle's file is no longer on this computer")

    with sqlite_desk.database.read() as session:
        relay = next(r for r in bundle_overview(session) if r.direction == "relay")
    assert (relay.state, relay.pending) == ("refused", 0)
    assert relay.last_error == "the relayed bundle's file is no longer on this computer"
    checks = run_checks(sqlite_desk.database)
    assert all(c.ok for c in checks), [(c.name, c.problems) for c in checks if not c.ok]
