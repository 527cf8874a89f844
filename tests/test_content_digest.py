"""One complaint, one digest: the intake, the quarantine, the sync claim and the server agree."""

from __future__ import annotations

import io
import random
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.canonical import content_hash
from lapor_desktop.services.content_digest import current_digest
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.quarantine import QuarantineService, Resent
from lapor_desktop.storage.models import Complaint
from sync.adapters import LaporV1Adapter
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server
from tests.support.samples import valid_form
from tests.support.sync_engine import engine_for, outbox_of, store_for

FORM = valid_form(full_name="Siti Aminah", phone="081234567890", description="Jalan rusak parah")


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def adapter(server: RunningServer, clock: FakeClock) -> Iterator[LaporV1Adapter]:
    with requests.Session() as session:
        yield adapter_for(server, session, clock=clock)


def recording(folder: Path) -> Path:
    """A small WAV file (an accepted attachment type)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(random.Random(3).randbytes(20_000))
    path = folder / "rekaman.wav"
    path.write_bytes(buffer.getvalue())
    return path


def _queued_digest(desk: Desk, complaint_uuid: str) -> str:
    """The hash the intake queued (the one pending submission's)."""
    entries = outbox_of(desk, complaint_uuid, OutboxKind.SUBMIT_COMPLAINT)
    [digest] = [digest for state, digest, _ in entries if state == "pending"]
    return digest


def _digest_now(desk: Desk, complaint_uuid: str) -> str:
    assert desk.context.vault is not None
    with desk.database.read() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.uuid == complaint_uuid)).one()
        return current_digest(complaint, desk.context.vault)


def test_one_complaint_hashes_the_same_through_every_path(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    saved = sqlite_desk.intake.submit(FORM, actor=sqlite_clerk, attachments=[recording(tmp_path)])
    assert saved.queued and saved.registration_number is not None
    at_intake = _queued_digest(sqlite_desk, saved.uuid)

    # What the engine sends: the content rebuilt at the claim, and the hash it carries.
    store = store_for(sqlite_desk, clock)
    [claimed] = store.claim_submissions(5)
    assert claimed.content_hash == at_intake == content_hash(dict(claimed.content))
    assert claimed.content["attachments"] and claimed.content["salt"]

    # The quarantine: the complaint as it stands, and the supervisor's unchanged fix.
    store.quarantine(claimed.outbox_id, "set aside by hand for this test")
    assert _digest_now(sqlite_desk, saved.uuid) == at_intake
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    service = QuarantineService(sqlite_desk.context, sqlite_desk.intake)
    fixed = service.fix_and_resend(saved.registration_number, FORM, actor=boss)
    assert fixed == Resent(claimed.outbox_id, saved.registration_number, corrected=False)
    assert _queued_digest(sqlite_desk, saved.uuid) == at_intake

    # The reference server recomputes the hash of what arrived (a mismatch is refused).
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert (summary.sent, summary.rejected, summary.attachments_sent) == (1, 0, 1)
    held = server.state.store.lookup(saved.uuid)
    assert held is not None and held.content_hash == held.receipt.content_hash == at_intake
    [(_, stored_hash, stored_content)] = server.state.store.stored_contents()
    assert stored_hash == content_hash(stored_content) == at_intake


def test_an_edit_is_a_new_digest_that_every_path_agrees_on(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    saved = sqlite_desk.intake.submit(FORM, actor=sqlite_clerk)
    first = _queued_digest(sqlite_desk, saved.uuid)
    store = store_for(sqlite_desk, clock)
    [claimed] = store.claim_submissions(5)
    store.quarantine(claimed.outbox_id, "set aside by hand for this test")
    assert saved.registration_number is not None
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    service = QuarantineService(sqlite_desk.context, sqlite_desk.intake)
    edited = valid_form(full_name="Siti Aminah", phone="081234567890", description="Jalan putus")
    outcome = service.fix_and_resend(saved.registration_number, edited, actor=boss)
    assert not isinstance(outcome, Resent) and getattr(outcome, "queued", False)
    second = _queued_digest(sqlite_desk, saved.uuid)
    assert second != first and _digest_now(sqlite_desk, saved.uuid) == second
    clock.advance(seconds=1)
    [again] = store_for(sqlite_desk, clock).claim_submissions(5)
    assert again.content_hash == second == content_hash(dict(again.content))
    store.release([again.outbox_id])
    assert engine_for(sqlite_desk, adapter, clock).run_once().sent == 1
    held = server.state.store.lookup(saved.uuid)
    assert held is not None and held.content_hash == second
