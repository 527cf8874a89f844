"""Every bundle write says what it changed, so the window repaints exactly those rows (issue 14).

Real desks on SQLite files, real sealed bundles on a temporary stick: a district seals its
outbox to its parent office, the parent takes it in and answers, the district takes the
answer; an island's bundle is queued on a relay. Each step hands back and announces on its
desk's hub a ``DeskChanges`` naming the complaints it touched and ``bundles``.
"""

from __future__ import annotations

import base64
import hashlib
import uuid as uuid_module
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import bundle_outbox, device_keys
from lapor_desktop.services.bundle_records import (
    BundleState,
    Direction,
    bundle_overview,
    state_words,
)
from lapor_desktop.services.bundle_returns import ROUTE_BUNDLE
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.sync_records import BatchResults
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import Complaint, OutboxEntry
from sync.bundles.carry_back import copy_returns
from sync.bundles.export import export_bundle
from sync.bundles.handover import answer_district
from sync.bundles.incoming import Imported, import_bundle
from sync.bundles.problems import BundleProblem
from sync.bundles.volumes import write_volumes
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.paired_desks import Paired, paired_desks, submitted_by_route
from tests.support.reference_server import OTHER_OFFICE
from tests.support.sync_engine import queue


def heard(desk: Desk) -> list[DeskChanges]:
    """Everything the desk's hub announces from now on."""
    said: list[DeskChanges] = []
    desk.context.hub.subscribe(said.append)
    return said


def record_two(desk: Desk, actor: Actor) -> list[str]:
    titles = ("Jembatan kayu di Desa Mentuda patah", "Lampu jalan mati di Dabo")
    return [queue(desk, actor, title=title) for title in titles]


def folder(root: Path, name: str) -> Path:
    made = root / name
    made.mkdir()
    return made


def routes(desk: Desk, uuids: list[str]) -> dict[str, str | None]:
    with desk.database.read() as session:
        rows = session.execute(
            select(Complaint.uuid, Complaint.delivered_via).where(Complaint.uuid.in_(uuids))
        )
        return {r.uuid: r.delivered_via for r in rows}


@pytest.fixture
def pair(tmp_path: Path, clock: FakeClock) -> Iterator[Paired]:
    paired = paired_desks(tmp_path, clock)
    yield paired
    paired.close()


def test_a_hand_over_trip_names_the_complaints_each_step_touched(
    pair: Paired, tmp_path: Path
) -> None:
    uuids = record_two(pair.district, pair.district_boss)
    stick = folder(tmp_path, "stick")
    at_district = heard(pair.district)

    made = export_bundle(pair.district.context, stick, actor=pair.district_boss, to_parent=True)

    assert made.changes.bundles and made.changes.complaints == set(uuids)
    assert made.changes.outbox == set(uuids) and not made.changes.count_changed
    assert at_district == [made.changes], "announced once, after the commit"
    with pair.district.database.read() as session:
        [row] = bundle_overview(session)
    assert (row.direction, row.state, row.pending) == (Direction.TO_PARENT, "carried", 2)

    at_parent = heard(pair.parent)
    taken = import_bundle(
        pair.parent.context,
        pair.parent.context.office.national,
        pair.parent.paths.root,
        made.paths,
        actor=pair.parent_boss,
    )
    assert taken.kind is Imported.HANDOVER
    assert taken.changes.bundles and taken.changes.added == set(uuids)
    assert at_parent == [taken.changes]
    with pair.parent.database.read() as session:
        [handover] = bundle_overview(session)
    assert (handover.direction, handover.pending) == (Direction.HANDOVER, 2)

    submitted_by_route(pair.parent, uuids)
    back = folder(tmp_path, "back")
    answer_district(pair.parent.context, "210401", back, actor=pair.parent_boss)
    assert at_parent[-1] == DeskChanges(bundles=True)
    with pair.parent.database.read() as session:
        answer, handover = bundle_overview(session)
    assert (answer.direction, answer.state, answer.in_reply_to) == (
        Direction.RETURN,
        BundleState.HANDED_OUT,
        handover.bundle_id,
    )
    assert handover.pending == 0, "both were submitted by the parent's route"

    at_district.clear()
    home = import_bundle(
        pair.district.context,
        pair.district.context.office.national,
        pair.district.paths.root,
        sorted(back.iterdir()),
        actor=pair.district_boss,
    )
    assert home.kind is Imported.RETURN and home.summary is not None and home.summary.sent == 2
    assert home.changes.bundles and home.changes.complaints == set(uuids)
    assert at_district == [home.changes]
    assert routes(pair.district, uuids) == dict.fromkeys(uuids, ROUTE_BUNDLE)

    again = import_bundle(
        pair.district.context,
        pair.district.context.office.national,
        pair.district.paths.root,
        sorted(back.iterdir()),
        actor=pair.district_boss,
    )
    assert again.changes == NOTHING and at_district == [home.changes], "nothing new to repaint"


def national_key() -> str:
    public = X25519PrivateKey.generate().public_key()
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def test_a_relayed_bundle_names_no_complaint_and_a_second_copy_names_nothing(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path, clock: FakeClock
) -> None:
    with sqlite_desk.database.write() as session:
        assert device_keys.set_national_bundle_key(session, national_key(), now=clock()) is None
    record_two(sqlite_desk, sqlite_clerk)
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    made = export_bundle(sqlite_desk.context, folder(tmp_path, "stick"), actor=boss)
    relay = accounts.initialise_desk(
        DataPaths(tmp_path / "relay").ensure(),
        OfficeSettings(OTHER_OFFICE, "Kabupaten Karimun"),
        clock,
    )
    try:
        relay_boss = accounts.sign_in_supervisor(relay).actor
        said = heard(relay)
        national = relay.context.office.national

        first = import_bundle(
            relay.context, national, relay.paths.root, made.paths, actor=relay_boss
        )
        second = import_bundle(
            relay.context, national, relay.paths.root, made.paths, actor=relay_boss
        )

        assert first.kind is Imported.RELAY and first.changes == DeskChanges(bundles=True)
        assert second.kind is Imported.RELAY_AGAIN and second.changes == NOTHING
        assert said == [first.changes]

        copied = copy_returns(relay.context, relay.paths.root, tmp_path, actor=relay_boss)
        assert copied.paths == () and copied.changes == NOTHING, "no return yet: nothing moved"
    finally:
        relay.close()


def test_an_online_pass_names_the_complaints_whose_follow_ups_it_delivered(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    uuid = queue(sqlite_desk, sqlite_clerk)
    sqlite_desk.follow_ups.add(uuid, "Warga datang lagi.", actor=sqlite_clerk)
    with sqlite_desk.database.read() as session:
        entry = session.scalar(
            select(OutboxEntry.id).where(OutboxEntry.kind == OutboxKind.FOLLOW_UP.value)
        )
    assert entry is not None
    store = SyncStore(
        sqlite_desk.database,
        sqlite_desk.context.require_vault(),
        clock,
        owner="ws-test",
        lease_owner="ws-test",
        hub=sqlite_desk.context.hub,
    )
    said = heard(sqlite_desk)

    store.record(BatchResults(delivered=[entry]))

    assert [c.outbox for c in said] == [{uuid}] and said[0].touches(uuid)


def test_an_export_with_nothing_to_carry_uses_up_no_bundle_number(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    """Nothing to carry reserves no number: the first bundle made is still bundle 1."""
    with sqlite_desk.database.write() as session:
        assert (
            device_keys.set_national_bundle_key(
                session, national_key(), now=sqlite_desk.context.now()
            )
            is None
        )
    boss = accounts.sign_in_supervisor(sqlite_desk)
    stick = folder(tmp_path, "stick")

    with pytest.raises(BundleProblem):
        export_bundle(sqlite_desk.context, stick, actor=boss.actor)
    clerk = accounts.add_user(sqlite_desk, boss, "ani", Role.FRONT_DESK).actor
    queue(sqlite_desk, clerk)
    assert export_bundle(sqlite_desk.context, stick, actor=boss.actor).sequence == 1


def test_copying_the_returns_for_the_trip_back_marks_them_handed_out(
    sqlite_desk: Desk, tmp_path: Path, clock: FakeClock
) -> None:
    """The relay's return waits to be carried back until "Copy return bundles..." copies it."""
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    returns = sqlite_desk.paths.root / "relay" / "returns"
    returns.mkdir(parents=True)
    return_id = str(uuid_module.uuid4())
    answer = b"LAPOR-BUNDLE/1\n" + bytes(range(256)) * 300  # stands in for a sealed return
    [volume] = write_volumes(answer, returns, bundle_id=return_id, stem="LAPOR-2104-B0001-balasan")
    with sqlite_desk.database.write() as session:
        entry = bundle_outbox.relay_entry(
            session,
            bundle_id=str(uuid_module.uuid4()),
            sequence=1,
            origin_office="2104",
            envelope_sha256="a" * 64,
            file_name="relay/x.envelope",
            counts={"complaints": 3, "attachments": 1, "follow_ups": 0},
            now=clock(),
        )
        assert isinstance(entry, int)
        bundle_outbox.relay_answered(
            session,
            entry,
            hashlib.sha256(answer).hexdigest(),
            volume.relative_to(sqlite_desk.paths.root).as_posix(),
            clock(),
            return_bundle_id=return_id,
        )
    with sqlite_desk.database.read() as session:
        waiting, _relayed = bundle_overview(session)
    assert state_words(waiting.direction, waiting.state) == "waiting to be carried back"
    assert dict(waiting.counts) == {"complaints": 3, "attachments": 1, "follow_ups": 0}
    said = heard(sqlite_desk)
    stick = folder(tmp_path, "stick")

    copied = copy_returns(sqlite_desk.context, sqlite_desk.paths.root, stick, actor=boss)

    assert (
        copied.paths == (stick / volume.name,)
        and copied.paths[0].read_bytes() == volume.read_bytes()
    )
    assert copied.changes == DeskChanges(bundles=True) and said == [copied.changes]
    with sqlite_desk.database.read() as session:
        carried, _relayed = bundle_overview(session)
    assert (carried.bundle_id, carried.state) == (return_id, BundleState.HANDED_OUT)
    again = copy_returns(sqlite_desk.context, sqlite_desk.paths.root, stick, actor=boss)
    assert again.paths == copied.paths and again.changes == NOTHING, "copied again: no news"


def test_a_complaint_the_parent_typed_into_the_website_comes_back_on_the_website_route(
    pair: Paired, tmp_path: Path
) -> None:
    """No national receipt on that route: the answer still reads, taken on the parent's word."""
    uuid = queue(pair.district, pair.district_boss)
    made = export_bundle(
        pair.district.context, folder(tmp_path, "stick"), actor=pair.district_boss, to_parent=True
    )
    parent = pair.parent.context
    import_bundle(
        parent, parent.office.national, pair.parent.paths.root, made.paths, actor=pair.parent_boss
    )
    submitted_by_route(pair.parent, [uuid], via="website")
    back = folder(tmp_path, "back")
    answer_district(parent, "210401", back, actor=pair.parent_boss)

    district = pair.district.context
    home = import_bundle(
        district,
        district.office.national,
        pair.district.paths.root,
        sorted(back.iterdir()),
        actor=pair.district_boss,
    )

    assert home.summary is not None and home.summary.sent == 1
    assert routes(pair.district, [uuid]) == {uuid: "website"}
