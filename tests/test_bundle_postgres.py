"""Two workstations of one office on one PostgreSQL database, carrying bundles at once (issue 14).

Each race is made to happen, not hoped for: the first workstation's transaction holds its
row, the second is seen waiting on it in ``pg_stat_activity``, then the first commits. The
second must answer cleanly: "already here" for a relayed bundle, the next number for an
export. And the parent's answer names each complaint's latest digest whatever order the
server reads the rows in.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Engine, create_engine, func, select, text, update

from lapor_desktop.desk import Desk, open_desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import bundle_outbox, device_keys
from lapor_desktop.services.bundle_handovers import district_record
from lapor_desktop.services.bundle_numbers import reserve_sequence
from lapor_desktop.services.bundle_records import RELAY_BUNDLE
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.bundle_models import Bundle
from lapor_desktop.storage.models import Complaint, OutboxEntry
from sync.bundles.envelope import parse_envelope
from sync.bundles.export import export_bundle
from sync.bundles.incoming import Imported, import_bundle
from sync.bundles.volumes import join_volumes
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import OTHER_OFFICE
from tests.support.sync_engine import queue

pytestmark = pytest.mark.postgres
WAIT = 20.0
T = TypeVar("T")


@dataclass(frozen=True)
class Office:
    url: str
    first: Desk
    second: Desk
    boss: Actor
    """The supervisor, signed in at the second workstation."""
    clerk: Actor


@pytest.fixture
def shared(tmp_path: Path, postgres_url: str, clock: FakeClock) -> Iterator[Office]:
    office = OfficeSettings(OTHER_OFFICE, "Kabupaten Karimun")
    first = accounts.initialise_desk(
        DataPaths(tmp_path / "pc1").ensure(), office, clock, postgres_url
    )
    second = open_desk(
        DataPaths(tmp_path / "pc2").ensure(),
        database_url=postgres_url,
        clock=clock,
        account_factory=accounts.cheap_accounts,
    )
    try:
        boss = accounts.sign_in_supervisor(first)
        clerk = accounts.add_user(first, boss, "ani", Role.FRONT_DESK).actor
        at_second = accounts.sign_in_supervisor(second).actor  # unlocks pc2
        yield Office(postgres_url, first, second, at_second, clerk)
    finally:
        second.close()
        first.close()


def national_key() -> str:
    public = X25519PrivateKey.generate().public_key()
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def island_bundle(root: Path, clock: FakeClock) -> list[Path]:
    """An island desk's sealed bundle of one complaint, on a stick."""
    island = accounts.initialise_desk(
        DataPaths(root / "island").ensure(), OfficeSettings("2104", "Kabupaten Lingga"), clock
    )
    try:
        boss = accounts.sign_in_supervisor(island)
        with island.database.write() as session:
            assert device_keys.set_national_bundle_key(session, national_key(), now=clock()) is None
        queue(island, accounts.add_user(island, boss, "ani", Role.FRONT_DESK).actor)
        stick = root / "stick"
        stick.mkdir()
        return list(export_bundle(island.context, stick, actor=boss.actor).paths)
    finally:
        island.close()


Pause = Callable[[], None]
"""Called by a holder inside its open transaction: returns once the other one waits on it."""


def while_held(url: str, hold: Callable[[Pause], T], other: Callable[[], T]) -> tuple[T, T]:
    """Run ``hold`` until it pauses inside its transaction, start ``other``, wait until
    ``other`` waits on a lock, then let ``hold`` commit; both answers."""
    held, release = threading.Event(), threading.Event()

    def pause() -> None:
        held.set()
        assert release.wait(WAIT), "the second workstation never started"

    watcher = create_engine(url)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(hold, pause)
            assert held.wait(WAIT), "the first workstation holds its row"
            second = pool.submit(other)
            try:
                _until_waiting(watcher)
            finally:
                release.set()
            return first.result(WAIT), second.result(WAIT)
    finally:
        watcher.dispose()


def _until_waiting(watcher: Engine) -> None:
    deadline = time.monotonic() + WAIT
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with watcher.connect() as connection:
            if connection.execute(query).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("the second workstation never waited on the first")


def test_two_workstations_importing_one_relay_bundle_at_once_keep_it_once(
    shared: Office, tmp_path: Path, clock: FakeClock
) -> None:
    volumes = island_bundle(tmp_path, clock)
    envelope = parse_envelope(join_volumes(volumes))
    header = envelope.header

    def hold(pause: Pause) -> Imported:
        with shared.first.database.write() as session:
            entry = bundle_outbox.relay_entry(
                session,
                bundle_id=header.bundle_id,
                sequence=header.sequence,
                origin_office=header.origin_office,
                envelope_sha256=envelope.sha256,
                file_name=f"relay/{header.bundle_id}.envelope",
                counts=header.counts,
                now=clock(),
            )
            assert isinstance(entry, int)
            pause()
        return Imported.RELAY

    def take() -> Imported:
        context = shared.second.context
        root = shared.second.paths.root
        return import_bundle(
            context, context.office.national, root, volumes, actor=shared.boss
        ).kind

    kinds = while_held(shared.url, hold, take)

    assert kinds == (Imported.RELAY, Imported.RELAY_AGAIN), "the second finds the first one's"
    with shared.first.database.read() as session:
        relays = session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.kind == RELAY_BUNDLE)
        )
        rows = session.scalar(select(func.count()).select_from(Bundle))
    assert (relays, rows) == (1, 1)


def test_two_workstations_exporting_at_once_never_share_a_bundle_number(
    shared: Office, tmp_path: Path, clock: FakeClock
) -> None:
    with shared.first.database.write() as session:
        assert device_keys.set_national_bundle_key(session, national_key(), now=clock()) is None
    queue(shared.first, shared.clerk)
    stick = tmp_path / "stick"
    stick.mkdir()

    def reserve(pause: Pause) -> int:
        with shared.first.database.write() as session:
            number = reserve_sequence(session, clock())
            pause()
        return number

    def export() -> int:
        made = export_bundle(shared.second.context, stick, actor=shared.boss, again=True)
        return made.sequence

    first_round = while_held(shared.url, reserve, export)  # the counter is created
    second_round = while_held(shared.url, reserve, export)  # the counter is locked

    assert first_round == (1, 2) and second_round == (3, 4)
    with shared.first.database.read() as session:
        numbers = sorted(session.scalars(select(Bundle.sequence)))
    assert numbers == [2, 4], "1 and 3 were reserved by transactions that made no bundle"


def test_the_parent_answer_names_each_complaints_latest_digest_in_any_row_order(
    desk: Desk, clerk: Actor
) -> None:
    """PostgreSQL reads an updated row last when nothing orders the query: the complaint's
    first submission, settled after it was queued again, must not hide the later digest."""
    uuid = queue(desk, clerk)
    with desk.database.write() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.uuid == uuid)).one()
        complaint.office_code = "210401"
        first = session.scalars(
            select(OutboxEntry).where(OutboxEntry.complaint_id == complaint.id)
        ).one()
        session.add(
            OutboxEntry(
                complaint_id=complaint.id,
                kind=OutboxKind.SUBMIT_COMPLAINT.value,
                ref_uuid=uuid,
                content_hash="b" * 64,
                priority=first.priority,
                state="done",
                attempts=0,
                last_error="",
                created_at=desk.context.now(),
            )
        )
        first_id, complaint_id = first.id, complaint.id
    with desk.database.write() as session:
        # A new row version (state is indexed: no in-place update), after the newer entry.
        session.execute(update(OutboxEntry).where(OutboxEntry.id == first_id).values(state="done"))

    with desk.database.read() as session:
        record = district_record(session, "210401", own_office=desk.context.office.office_code)

    assert record.digests == {complaint_id: "b" * 64}
