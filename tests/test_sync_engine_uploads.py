"""Attachments, follow-ups, reference data and the recorded outcome, over real loopback HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.reference.store import installed_version
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.storage.models import ReferenceVersion
from sync.adapters import LaporV1Adapter
from sync.engine import Cancelled, Done, Offline, Progress
from sync.engine.engine import LAST_ATTEMPT_KEY, LAST_OUTCOME_KEY, LAST_SUCCESS_KEY
from sync.faultproxy import Fault, FaultPlan, FaultProxy
from sync.reference_server import RunningServer
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server
from tests.support.samples import valid_form
from tests.support.sync_engine import engine_for, outbox_of, queue, seen, store_for

SIZE = 3 * 1024 * 1024


def recording(folder: Path, size: int = SIZE, seed: int = 5) -> Path:
    """A WAV file of ``size`` bytes of noise (an accepted type that does not compress)."""
    frames = random.Random(seed).randbytes(size - 44)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(frames)
    path = folder / "rekaman.wav"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


def _proxied(
    server: RunningServer, session: requests.Session, proxy: FaultProxy, chunk_bytes: int = 2**20
) -> LaporV1Adapter:
    return LaporV1Adapter(
        session,
        proxy.url,
        trusted_keys=[server.public_key],
        token=server.tokens["2104"],
        chunk_bytes=chunk_bytes,
    )


def _port(server: RunningServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def test_an_attachment_follows_its_complaint_through_a_link_that_resets_mid_body(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    path = recording(tmp_path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    complaint = queue(sqlite_desk, sqlite_clerk)  # sent first, without the file's entry
    with_file = sqlite_desk.intake.submit(valid_form(), actor=sqlite_clerk, attachments=[path])
    assert with_file.queued
    assert outbox_of(sqlite_desk, with_file.uuid, OutboxKind.UPLOAD_ATTACHMENT) == [
        ("pending", sha256, "")
    ]
    # Each connection is reset after 1.2 MB, on a 1 MB/s link (a reset on an unlimited
    # loopback also throws away what the server's socket had not read yet).
    plan = FaultPlan(cut_upload_after_bytes=1_200_000, bandwidth_up=1_000_000)
    with FaultProxy("127.0.0.1", _port(server), plan=plan) as proxy:
        adapter = _proxied(server, session, proxy, chunk_bytes=4 * 1024 * 1024)
        progress = Progress()
        summary = engine_for(sqlite_desk, adapter, clock).run_once(progress)
        stats = proxy.stats()
    assert (summary.sent, summary.attachments_sent, summary.outcome) == (2, 1, Done())
    assert stats.count(Fault.CUT_UPLOAD) >= 2
    assert stats.bytes_up < SIZE * 1.05  # what arrived before each reset was kept
    assert (server.state.blobs_dir / sha256).read_bytes() == path.read_bytes()
    assert outbox_of(sqlite_desk, with_file.uuid, OutboxKind.UPLOAD_ATTACHMENT)[0][0] == "done"
    assert seen(sqlite_desk, complaint).status == "sent"
    assert progress.snapshot().bytes_sent >= SIZE


class _StopAfter(Progress):
    """Cancels the pass once ``limit`` attachment bytes went out: a process stopped mid-file."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit

    def add(self, *, records: int = 0, sent_bytes: int = 0, updates: int = 0) -> None:
        super().add(records=records, sent_bytes=sent_bytes, updates=updates)
        if self.snapshot().bytes_sent >= self._limit:
            self.cancel()


def test_an_upload_cut_short_continues_from_what_the_server_holds(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    clock: FakeClock,
) -> None:
    path = recording(tmp_path, seed=9)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sqlite_desk.intake.submit(valid_form(), actor=sqlite_clerk, attachments=[path]).queued
    with requests.Session() as first:
        engine = engine_for(sqlite_desk, adapter_for(server, first, clock=clock), clock)
        stopped = engine.run_once(_StopAfter(1024 * 1024))
    assert isinstance(stopped.outcome, Cancelled) and stopped.attachments_sent == 0
    held = (server.state.uploads_dir / f"{sha256}.part").stat().st_size
    assert 0 < held < SIZE
    # A new process knows nothing of the first: it asks the server and sends only the rest.
    with FaultProxy("127.0.0.1", _port(server)) as proxy, requests.Session() as second:
        resumed = engine_for(sqlite_desk, _proxied(server, second, proxy), clock).run_once()
        sent = proxy.stats().bytes_up
    assert (resumed.attachments_sent, resumed.outcome) == (1, Done())
    assert SIZE - held <= sent < SIZE - held + 64 * 1024
    assert (server.state.blobs_dir / sha256).read_bytes() == path.read_bytes()


def test_a_removed_attachment_loses_its_upload_and_a_missing_file_is_quarantined(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    path = recording(tmp_path, size=4096)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    saved = sqlite_desk.intake.submit(valid_form(), actor=sqlite_clerk, attachments=[path])
    sqlite_desk.context.attachment_store().path_for(sha256).unlink()  # lost from this PC
    summary = engine_for(sqlite_desk, adapter_for(server, session, clock=clock), clock).run_once()
    assert (summary.sent, summary.attachments_sent, summary.rejected) == (1, 0, 1)
    assert isinstance(summary.outcome, Done)  # one bad file never blocks the rest
    [(state, _, reason)] = outbox_of(sqlite_desk, saved.uuid, OutboxKind.UPLOAD_ATTACHMENT)
    assert (state, reason) == ("quarantined", "the attachment file is missing from this computer")


def test_follow_ups_go_after_their_complaint_once_even_when_an_answer_is_lost(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    complaint = queue(sqlite_desk, sqlite_clerk)
    note = sqlite_desk.follow_ups.add(complaint, "Warga datang lagi.", actor=sqlite_clerk)
    assert note.note_uuid is not None
    with FaultProxy("127.0.0.1", _port(server)) as proxy:
        engine = engine_for(sqlite_desk, _proxied(server, session, proxy), clock)
        server.set_faults(captive_portal=True)
        assert engine.run_once().follow_ups_sent == 0
        assert outbox_of(sqlite_desk, complaint, OutboxKind.FOLLOW_UP)[0][0] == "pending"
        server.set_faults(captive_portal=False)
        first = engine.run_once()  # the complaint, then the note (whose answer is lost)
        assert (first.sent, first.follow_ups_sent) == (1, 1)
        second_note = sqlite_desk.follow_ups.add(complaint, "Dan lagi.", actor=sqlite_clerk)
        proxy.drop_next_response()
        lost = engine.run_once()
        assert isinstance(lost.outcome, Offline) and lost.follow_ups_sent == 0
        clock.advance(hours=1)
        again = engine.run_once()
    assert (again.follow_ups_sent, again.outcome) == (1, Done())
    posts = [r for r in server.requests() if r.path.endswith("/messages")]
    assert len(posts) == 3  # the lost answer's note was posted twice, stored once
    assert second_note.note_uuid is not None
    assert [s for s, _, _ in outbox_of(sqlite_desk, complaint, OutboxKind.FOLLOW_UP)] == [
        "done",
        "done",
    ]


def test_reference_data_is_installed_when_its_etag_changes_and_then_only_checked(
    sqlite_desk: Desk,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    engine = engine_for(
        sqlite_desk,
        adapter_for(server, session, clock=clock),
        clock,
        reference_every=dt.timedelta(hours=6),
    )
    first = engine.run_once()
    assert first.reference_updated
    with sqlite_desk.database.read() as db:
        assert installed_version(db) == server.state.reference.version
        sources = set(db.scalars(select(ReferenceVersion.source)))
    assert sources == {"national"}
    store = store_for(sqlite_desk, clock)
    assert store.get_value("reference_etag") == server.state.reference.etag
    assert not engine.run_once().reference_updated  # within six hours: not even asked
    clock.advance(hours=7)
    assert not engine.run_once().reference_updated  # asked: 304
    fetches = [r for r in server.requests() if r.path == "/v1/reference-data"]
    assert [r.status for r in fetches] == [200, 304]


def test_each_pass_records_its_outcome_for_a_status_display(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    queue(sqlite_desk, sqlite_clerk)
    store = store_for(sqlite_desk, clock)
    engine = engine_for(sqlite_desk, adapter_for(server, session, clock=clock), clock)
    server.set_faults(captive_portal=True)
    engine.run_once()
    assert store.get_value(LAST_OUTCOME_KEY) == "captive_portal"
    assert store.get_value(LAST_SUCCESS_KEY) is None
    server.set_faults(captive_portal=False, revoked_tokens=True)
    clock.advance(minutes=1)
    engine.run_once()
    assert store.get_value(LAST_OUTCOME_KEY) == "auth_problem"
    assert store.get_value(LAST_ATTEMPT_KEY) == clock().isoformat()
    server.set_faults(revoked_tokens=False)
    clock.advance(minutes=1)
    engine.run_once()
    assert store.get_value(LAST_OUTCOME_KEY) == "done"
    assert store.get_value(LAST_SUCCESS_KEY) == clock().isoformat()
    server.set_faults(clock_offset_seconds=600)
    engine.run_once()
    assert engine.clock_warning
    proxy_less = LaporV1Adapter(session, "http://127.0.0.1:9", trusted_keys=[], token="x")
    engine_for(sqlite_desk, proxy_less, clock).run_once()
    assert store.get_value(LAST_OUTCOME_KEY) == "offline"
