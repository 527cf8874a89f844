"""Recording never stops on a shared desk: the office database away, the spool, the replay.

The workstation reaches a real PostgreSQL server through the real fault
proxy; "away" is the proxy resetting every connection and refusing new ones
(a switched-off database PC), or stalling them (a pulled cable, a hung server).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from lapor_desktop.desk import Desk, open_desk
from lapor_desktop.i18n import Message
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths
from lapor_desktop.services import audit, spool_replay
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import SUBMISSION_KINDS
from lapor_desktop.services.spool_replay import MergeResult, replay
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import Attachment, AuditEntry, Complaint, OutboxEntry
from sync.faultproxy.proxy import FaultProxy
from tests.support import accounts
from tests.support.cli import in_process
from tests.support.clock import FakeClock
from tests.support.office_link import away, back, open_proxy, proxied_url
from tests.support.samples import valid_form

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[FaultProxy]:
    with open_proxy(postgres_url) as running:
        yield running


@pytest.fixture
def shared(
    data_paths: DataPaths,
    clock: FakeClock,
    office: OfficeSettings,
    postgres_url: str,
    proxy: FaultProxy,
) -> Iterator[Desk]:
    desk = accounts.initialise_desk(data_paths, office, clock, proxied_url(postgres_url, proxy))
    yield desk
    desk.close()


@pytest.fixture
def actor(shared: Desk) -> Actor:
    return accounts.sign_in_supervisor(shared).actor


@dataclass(frozen=True)
class OfficeRow:
    registration_number: str | None
    station_id: str
    status: str
    title: str
    tracking_id: str | None


def office_rows(desk: Desk, uuid: str) -> list[OfficeRow]:
    """The office database's rows of ``uuid``, as plain values."""
    with desk.database.read() as session:
        rows = session.scalars(select(Complaint).where(Complaint.uuid == uuid))
        return [
            OfficeRow(r.registration_number, r.station_id, r.status, r.title, r.tracking_id)
            for r in rows
        ]


def pending_submissions(desk: Desk, uuid: str) -> int:
    with desk.database.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(
                    OutboxEntry.ref_uuid == uuid,
                    OutboxEntry.kind.in_(SUBMISSION_KINDS),
                    OutboxEntry.state == "pending",
                )
            )
            or 0
        )


def test_saves_while_the_database_is_away_are_spooled_and_merged_exactly_once(
    shared: Desk, actor: Actor, proxy: FaultProxy, clock: FakeClock
) -> None:
    assert shared.spool is not None
    away(proxy)
    first = shared.intake.submit(valid_form(full_name="Warga Satu"), actor=actor)
    clock.advance(minutes=3)
    second = shared.intake.submit(valid_form(title="Lampu jalan padam"), actor=actor)
    assert first.queued and first.spooled and second.spooled
    assert first.registration_number is not None
    assert first.registration_number.split("-")[2] == shared.spool.station_id
    assert shared.spool.station_id != shared.context.station.station_id
    assert [w.uuid for w in shared.spool.waiting()] == [first.uuid, second.uuid]

    still_away = replay(shared.spool, shared.context)
    assert still_away.away and still_away.waiting == 2 and still_away.merged == ()

    back(proxy)
    report = replay(shared.spool, shared.context)
    assert [m.result for m in report.merged] == [MergeResult.ADDED, MergeResult.ADDED]
    assert not report.away and report.waiting == 0 and shared.spool.waiting() == []
    assert shared.spool.link.away_since is None
    for outcome in (first, second):
        (row,) = office_rows(shared, outcome.uuid)
        assert row.registration_number == outcome.registration_number
        assert row.station_id == shared.context.station.station_id
        assert pending_submissions(shared, outcome.uuid) == 1
    view = shared.lookup.view(first.uuid, actor=actor)
    assert view is not None and view.detail.identity.full_name == "Warga Satu"
    assert [m.registration_number for m in shared.spool.merged()] == [
        second.registration_number,
        first.registration_number,
    ]
    assert replay(shared.spool, shared.context).merged == ()
    assert audit.verify(shared.database).intact


def test_a_draft_saved_before_the_outage_is_replaced_by_its_spooled_version(
    shared: Desk, actor: Actor, proxy: FaultProxy, clock: FakeClock
) -> None:
    assert shared.spool is not None
    draft = shared.intake.save_draft(valid_form(title=""), actor=actor)
    assert not draft.spooled
    clock.advance(minutes=1)
    away(proxy)
    done = shared.intake.submit(valid_form(), actor=actor, complaint_uuid=draft.uuid)
    assert done.spooled and done.queued
    back(proxy)
    report = replay(shared.spool, shared.context)
    assert [m.result for m in report.merged] == [MergeResult.REPLACED_DRAFT]
    (row,) = office_rows(shared, draft.uuid)
    assert row.status == "queued" and row.title == valid_form().title
    assert row.registration_number == done.registration_number
    assert pending_submissions(shared, draft.uuid) == 1
    view = shared.lookup.view(draft.uuid, actor=actor)
    assert view is not None
    assert [step.status for step in view.detail.timeline] == ["draft", "queued"]


def _snapshot(path: Path, into: Path) -> None:
    """A consistent copy of the spool (WAL included), as it was before a replay."""
    source, target = sqlite3.connect(path), sqlite3.connect(into)
    with target:
        source.backup(target)
    source.close()
    target.close()


def test_a_replay_cut_after_the_office_committed_forgets_the_copy_and_doubles_nothing(
    shared: Desk, actor: Actor, proxy: FaultProxy, tmp_path: Path
) -> None:
    spool = shared.spool
    assert spool is not None
    away(proxy)
    outcome = shared.intake.submit(valid_form(), actor=actor)
    back(proxy)
    before = tmp_path / "spool-before.sqlite3"
    _snapshot(spool.path, before)
    replay(spool, shared.context)
    spool.dispose()  # the spool as a kill would have left it: the office has it, the spool too
    for leftover in spool.path.parent.glob(spool.path.name + "-*"):
        leftover.unlink()
    before.replace(spool.path)
    assert [w.uuid for w in spool.waiting()] == [outcome.uuid]

    again = replay(spool, shared.context)
    assert [m.result for m in again.merged] == [MergeResult.ALREADY_THERE]
    assert len(office_rows(shared, outcome.uuid)) == 1
    assert pending_submissions(shared, outcome.uuid) == 1
    assert spool.waiting() == []
    with shared.database.read() as session:
        merges = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "complaint.spool_merged")
        )
    assert merges == 1


def test_a_complaint_sent_elsewhere_meanwhile_stays_in_the_spool_as_a_conflict(
    shared: Desk, actor: Actor, proxy: FaultProxy, clock: FakeClock
) -> None:
    spool = shared.spool
    assert spool is not None
    draft = shared.intake.save_draft(valid_form(title=""), actor=actor)
    with shared.database.write() as session:
        row = session.scalars(select(Complaint).where(Complaint.uuid == draft.uuid)).one()
        row.status, row.sent_at, row.tracking_id = "queued", clock(), "LAP-ELSEWHERE-1"
    clock.advance(minutes=1)
    away(proxy)
    shared.intake.submit(valid_form(), actor=actor, complaint_uuid=draft.uuid)
    back(proxy)
    first = replay(spool, shared.context)
    assert [m.result for m in first.merged] == [MergeResult.CONFLICT]
    assert first.waiting == 1 and first.changes.complaints == frozenset()
    (waiting,) = spool.waiting()
    assert waiting.conflict
    (kept,) = office_rows(shared, draft.uuid)
    assert kept.tracking_id == "LAP-ELSEWHERE-1" and kept.title == ""
    replay(spool, shared.context)
    with spool.database.read() as session:
        marks = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "complaint.spool_conflict")
        )
    assert marks == 1


def test_likely_duplicates_while_away_come_from_the_spool(
    shared: Desk, actor: Actor, proxy: FaultProxy
) -> None:
    away(proxy)
    saved = shared.intake.submit(valid_form(), actor=actor)
    found = shared.intake.likely_duplicates(valid_form(), actor=actor)
    assert [d.uuid for d in found] == [saved.uuid]


SPOOLED = 30
_REPLAY_SCRIPT = """
import sys
from pathlib import Path
from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths
from lapor_desktop.services.spool_replay import replay
desk = open_desk(DataPaths(Path(sys.argv[1])), database_url=sys.argv[2])
assert desk.spool is not None
print("ready", flush=True)
print(replay(desk.spool, desk.context).waiting, flush=True)
"""


def _spool_many(desk: Desk, actor: Actor, proxy: FaultProxy, count: int) -> list[str]:
    away(proxy)
    uuids = [
        desk.intake.submit(valid_form(title=f"Pengaduan nomor {n}"), actor=actor).uuid
        for n in range(count)
    ]
    back(proxy)
    return uuids


def _office_count(postgres_url: str, uuids: list[str]) -> int:
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            query = select(func.count()).select_from(Complaint).where(Complaint.uuid.in_(uuids))
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def _wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _assert_merged_once(desk: Desk, uuids: list[str]) -> None:
    assert desk.spool is not None and desk.spool.waiting() == []
    with desk.database.read() as session:
        rows = session.execute(
            select(Complaint.uuid, Complaint.registration_number).where(Complaint.uuid.in_(uuids))
        ).all()
        entries = session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.ref_uuid.in_(uuids), OutboxEntry.kind.in_(SUBMISSION_KINDS))
        )
    assert sorted(uuid for uuid, _ in rows) == sorted(uuids)
    assert len({number for _, number in rows}) == len(uuids)
    assert entries == len(uuids)
    assert audit.verify(desk.database).intact


def test_a_replay_killed_with_sigkill_resumes_and_doubles_nothing(
    shared: Desk, actor: Actor, proxy: FaultProxy, postgres_url: str, data_paths: DataPaths
) -> None:
    uuids = _spool_many(shared, actor, proxy, SPOOLED)
    proxy.update_plan(latency_up_ms=15.0)  # a slow office network: the kill lands mid-replay
    child = subprocess.Popen(
        [sys.executable, "-c", _REPLAY_SCRIPT, str(data_paths.root), shared.database.url],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: _office_count(postgres_url, uuids) >= 3)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert _office_count(postgres_url, uuids) < SPOOLED  # it really was cut half-way
    proxy.update_plan(latency_up_ms=0.0)
    report = replay(shared.spool, shared.context)  # type: ignore[arg-type]
    assert report.waiting == 0 and not report.away
    _assert_merged_once(shared, uuids)


def test_a_database_that_goes_away_during_the_replay_is_resumed_later(
    shared: Desk, actor: Actor, proxy: FaultProxy, postgres_url: str
) -> None:
    spool = shared.spool
    assert spool is not None
    uuids = _spool_many(shared, actor, proxy, SPOOLED)
    proxy.update_plan(latency_up_ms=15.0)

    def cut_when_started() -> None:
        _wait_for(lambda: _office_count(postgres_url, uuids) >= 3)
        away(proxy)

    cut = threading.Thread(target=cut_when_started)
    cut.start()
    first = replay(spool, shared.context)
    cut.join()
    assert first.away and 0 < first.waiting < SPOOLED
    assert spool.link.away_since is not None
    back(proxy)
    proxy.update_plan(latency_up_ms=0.0)
    second = replay(spool, shared.context)
    assert not second.away and second.waiting == 0
    _assert_merged_once(shared, uuids)


def test_a_complaint_saved_again_in_the_spool_during_its_replay_is_not_forgotten(
    shared: Desk, actor: Actor, proxy: FaultProxy, clock: FakeClock
) -> None:
    """The replay forgets only the version it copied; a later save waits for the next one."""
    spool = shared.spool
    assert spool is not None
    away(proxy)
    draft = shared.intake.save_draft(valid_form(title="Lampu padam"), actor=actor)
    back(proxy)
    copied = spool_replay._read(spool, draft.uuid)
    clock.advance(minutes=1)
    spool.link.lost(clock())
    again = shared.intake.save_draft(
        valid_form(title="Lampu padam di dermaga"), actor=actor, complaint_uuid=draft.uuid
    )
    assert again.spooled
    spool_replay._settle(spool, copied, MergeResult.ADDED, clock())
    (waiting,) = spool.waiting()
    assert waiting.title == "Lampu padam di dermaga"
    report = replay(spool, shared.context)
    assert [m.result for m in report.merged] == [MergeResult.ADDED]
    assert [row.title for row in office_rows(shared, draft.uuid)] == ["Lampu padam di dermaga"]


def test_the_files_of_spooled_complaints_are_not_orphans_at_the_next_opening(
    shared: Desk,
    actor: Actor,
    proxy: FaultProxy,
    clock: FakeClock,
    tmp_path: Path,
    data_paths: DataPaths,
    postgres_url: str,
) -> None:
    photo = tmp_path / "jalan.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    away(proxy)
    stored = shared.intake.store_file(photo, actor=actor)
    assert not isinstance(stored, Message)
    saved = shared.intake.submit(valid_form(), actor=actor, files=[stored])
    assert saved.spooled
    shared.close()
    back(proxy)
    clock.advance(days=30)  # far beyond the grace of a file nobody named
    reopened = open_desk(
        data_paths,
        database_url=proxied_url(postgres_url, proxy),
        clock=clock,
        account_factory=accounts.cheap_accounts,
    )
    try:
        assert reopened.spool is not None
        assert stored.sha256 in reopened.spool.referenced_files()
        assert list(data_paths.attachments.rglob(stored.sha256)), "the spooled file was kept"
        replay(reopened.spool, reopened.context)
        with reopened.database.read() as session:
            names = list(session.scalars(select(Attachment.sha256)))
        assert names == [stored.sha256]
        assert pending_uploads(reopened, saved.uuid) == 1
    finally:
        reopened.close()


def pending_uploads(desk: Desk, uuid: str) -> int:
    with desk.database.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.ref_uuid == uuid, OutboxEntry.kind == "upload_attachment")
            )
            or 0
        )


def test_workstation_spool_lists_while_away_and_merges_once_back(
    shared: Desk,
    actor: Actor,
    proxy: FaultProxy,
    data_paths: DataPaths,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    away(proxy)
    saved = shared.intake.submit(valid_form(), actor=actor)
    shared.close()
    monkeypatch.setenv(DATABASE_URL_ENV, proxied_url(postgres_url, proxy))
    run = in_process(monkeypatch, capsys)
    still = run(data_paths.root, "workstation", "spool", user=None)
    assert still.code == 5
    assert f"{saved.registration_number}" in still.stdout
    assert "Waiting on this PC: 1" in still.stdout and "nothing was merged" in still.stderr
    back(proxy)
    done = run(data_paths.root, "workstation", "spool", user=None)
    assert done.code == 0, done.stderr
    assert f"Merged into the office database: {saved.registration_number}" in done.stdout
    assert "Waiting on this PC: 0" in done.stdout
    assert run(data_paths.root, "workstation", "spool", user=None).stdout.count("Merged now: 0")
