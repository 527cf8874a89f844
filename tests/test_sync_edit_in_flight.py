"""A complaint edited while its submission is leased and in flight (issue 16).

The send carries one consistent version (the one hashed at the claim); the edit saved
meanwhile is neither marked done under that version's receipt (lost) nor mixed into it:
the receipt stays the server's word on what it got, and the edit waits for a person.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.canonical import content_hash
from lapor_desktop.services.content_digest import contents_of
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.storage.models import Complaint
from sync.adapters import LaporV1Adapter
from sync.adapters.outcomes import Failure
from sync.engine import Done, Progress
from sync.protocol.messages import BatchResponse, SubmissionItem
from sync.reference_server import RunningServer
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server
from tests.support.samples import valid_form
from tests.support.sync_engine import engine_for, outbox_of, queue, seen

EDITED_TITLE = "Jalan rusak parah di Dabo Singkep, sudah tiga bulan"


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


class _EditsWhileSending:
    """The real adapter; an operator saves an edit of the complaint while its batch is out."""

    def __init__(self, adapter: LaporV1Adapter, edit: object) -> None:
        self._adapter = adapter
        self._edit = edit

    def submit_batch(self, items: Sequence[SubmissionItem]) -> BatchResponse | Failure:
        self._edit()  # type: ignore[operator]
        return self._adapter.submit_batch(items)

    def __getattr__(self, name: str) -> object:
        return getattr(self._adapter, name)


def _content_digest(desk: Desk, uuid: str) -> str:
    with desk.database.read() as session:
        complaint_id = session.scalar(select(Complaint.id).where(Complaint.uuid == uuid))
        assert complaint_id is not None
        return content_hash(
            contents_of(session, desk.context.require_vault(), [complaint_id])[complaint_id]
        )


def test_an_edit_saved_during_the_send_is_neither_lost_nor_mixed(
    sqlite_desk: Desk, sqlite_clerk: Actor, server: RunningServer, clock: FakeClock
) -> None:
    uuid = queue(sqlite_desk, sqlite_clerk)
    sent_version = _content_digest(sqlite_desk, uuid)

    def edit() -> None:
        outcome = sqlite_desk.intake.submit(
            valid_form(title=EDITED_TITLE), actor=sqlite_clerk, complaint_uuid=uuid
        )
        assert outcome.queued, outcome

    with requests.Session() as session:
        service = _EditsWhileSending(adapter_for(server, session, clock=clock), edit)
        summary = engine_for(sqlite_desk, service, clock).run_once(Progress())  # type: ignore[arg-type]
    assert summary.outcome == Done()
    edited_version = _content_digest(sqlite_desk, uuid)
    assert edited_version != sent_version
    after = seen(sqlite_desk, uuid)
    assert after.tracking_id is not None and after.receipt is not None
    assert after.receipt["content_hash"] == sent_version  # the server's word on what it got
    assert server.state.store.copies_of(uuid) == 1
    [(state, queued_hash, reason)] = outbox_of(sqlite_desk, uuid, OutboxKind.SUBMIT_COMPLAINT)
    assert (state, queued_hash) == ("quarantined", edited_version)  # kept, for a person
    assert "edited while it was being sent" in reason and after.tracking_id in reason
    assert summary.left == 0  # nothing a sync could still send: a person decides
