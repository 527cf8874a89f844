"""The way back: the changes feed, the simulated national workflow, follow-ups, reference data."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lapor_desktop.domain.status import Status
from lapor_desktop.reference.dataset import BUNDLED_VERSION
from sync.adapters import LaporV1Adapter, NotFound, Rejected
from sync.protocol.messages import (
    Accepted,
    BatchResponse,
    Change,
    ChangeKind,
    ChangesPage,
    ComplaintRecord,
    FollowUp,
    FollowUpOutcome,
    FollowUpResult,
    ReferenceData,
    ReferenceNotModified,
    ServerClock,
)
from sync.reference_server import RunningServer, WorkflowTimings
from sync.reference_server.workflow import Fate, choose_fate
from tests.support.clock import FakeClock
from tests.support.reference_server import (
    OTHER_OFFICE,
    adapter_for,
    running_reference_server,
    sample_item,
)

STEP = dt.timedelta(seconds=10)
EVENTS_PER_FATE = {Fate.NORMAL: 4, Fate.NOT_OUR_AUTHORITY: 2, Fate.INFO_REQUEST: 3}


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    timings = WorkflowTimings.uniform(STEP)
    with running_reference_server(tmp_path / "server", clock=clock, timings=timings) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


@pytest.fixture
def adapter(server: RunningServer, session: requests.Session) -> LaporV1Adapter:
    return adapter_for(server, session)


def _uuid_with_fate(fate: Fate) -> str:
    return next(u for u in (str(uuid.uuid4()) for _ in itertools.count()) if choose_fate(u) is fate)


def _submit(adapter: LaporV1Adapter, count: int) -> list[str]:
    items = [sample_item() for _ in range(count)]
    response = adapter.submit_batch(items)
    assert isinstance(response, BatchResponse)
    assert all(isinstance(r, Accepted) for r in response.results)
    return [i.client_uuid for i in items]


def _all_changes(
    adapter: LaporV1Adapter, cursor: str | None, limit: int
) -> tuple[list[Change], str]:
    changes: list[Change] = []
    for _ in range(1000):
        page = adapter.changes(cursor, limit)
        assert isinstance(page, ChangesPage), page
        assert len(page.changes) <= limit
        changes.extend(page.changes)
        cursor = page.next_cursor
        if not page.has_more:
            return changes, cursor
    raise AssertionError("the feed never ended")


def test_paging_delivers_every_change_exactly_once_in_server_order(
    adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    uuids = _submit(adapter, 30)
    clock.advance(hours=1)
    changes, _ = _all_changes(adapter, None, limit=7)
    assert len({c.change_id for c in changes}) == len(changes)
    expected = Counter({u: EVENTS_PER_FATE[choose_fate(u)] for u in uuids})
    assert Counter(c.client_uuid for c in changes) == expected
    for client_uuid in uuids:
        statuses = [c.status for c in changes if c.client_uuid == client_uuid]
        assert statuses[0] == Status.VERIFIED
        assert statuses[-1] in {Status.FINISHED, Status.NOT_OUR_AUTHORITY, Status.ARCHIVED}


def test_the_cursor_is_a_server_position_not_a_time(
    server: RunningServer, adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    """Changes dated earlier than ones already read still arrive: ordering ignores clocks."""
    first = _submit(adapter, 3)
    clock.advance(hours=1)
    seen, cursor = _all_changes(adapter, None, limit=5)
    assert {c.client_uuid for c in seen} == set(first)
    server.set_faults(clock_offset_seconds=-86_400)  # the server's clock jumps back a day
    late = _submit(adapter, 2)
    clock.advance(minutes=5)
    newer, _ = _all_changes(adapter, cursor, limit=5)
    assert {c.client_uuid for c in newer} == set(late)
    assert max(c.occurred_at for c in newer) < min(c.occurred_at for c in seen)
    again, _ = _all_changes(adapter, cursor, limit=50)
    assert [c.change_id for c in again] == [c.change_id for c in newer]


def test_an_office_sees_only_its_own_changes(
    server: RunningServer, adapter: LaporV1Adapter, session: requests.Session, clock: FakeClock
) -> None:
    _submit(adapter, 2)
    clock.advance(hours=1)
    other = adapter_for(server, session, OTHER_OFFICE)
    changes, _ = _all_changes(other, None, limit=10)
    assert changes == []


def test_agency_responses_are_indonesian_texts_naming_the_agency(
    adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    item = sample_item(client_uuid=_uuid_with_fate(Fate.NORMAL))
    received = clock.current
    assert isinstance(adapter.submit_batch([item]), BatchResponse)
    clock.advance(hours=1)
    changes, _ = _all_changes(adapter, None, limit=50)
    assert [c.status for c in changes] == [
        Status.VERIFIED,
        Status.FORWARDED,
        Status.FOLLOWED_UP,
        Status.FINISHED,
    ]
    forwarded, response = changes[1], changes[2]
    assert response.kind is ChangeKind.AGENCY_RESPONSE
    assert response.agency_code == forwarded.agency_code == "2104-DPUPR"
    assert "Dinas Pekerjaan Umum" in response.text
    assert forwarded.text.startswith("Laporan Anda telah diteruskan kepada Dinas")
    assert [c.occurred_at - received for c in changes] == [STEP * n for n in (1, 2, 3, 4)]


def test_lookup_reports_the_current_national_status(
    adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    [client_uuid] = _submit(adapter, 1)
    clock.advance(seconds=15)
    record = adapter.lookup(client_uuid)
    assert isinstance(record, ComplaintRecord)
    assert record.status == Status.VERIFIED


def test_an_unknown_cursor_is_refused_with_a_problem(adapter: LaporV1Adapter) -> None:
    for cursor in ("bm90LWEtY3Vyc29y", "YzE6OTk5OTk"):  # not ours; ours but past the end
        outcome = adapter.changes(cursor, 10)
        assert isinstance(outcome, Rejected)
        assert (outcome.status, outcome.code) == (400, "invalid-cursor")


def test_follow_up_messages_are_idempotent_by_message_uuid(adapter: LaporV1Adapter) -> None:
    [client_uuid] = _submit(adapter, 1)
    message = FollowUp(str(uuid.uuid4()), "Foto lokasi sudah kami kirim lewat WhatsApp.")
    first = adapter.post_message(client_uuid, message)
    again = adapter.post_message(client_uuid, message)
    assert isinstance(first, FollowUpResult) and isinstance(again, FollowUpResult)
    assert (first.outcome, again.outcome) == (FollowUpOutcome.ACCEPTED, FollowUpOutcome.DUPLICATE)
    assert again.received_at == first.received_at
    changed = FollowUp(message.message_uuid, "Teks yang lain.")
    conflict = adapter.post_message(client_uuid, changed)
    assert isinstance(conflict, Rejected)
    assert (conflict.status, conflict.code) == (409, "message-conflict")
    assert isinstance(adapter.post_message(str(uuid.uuid4()), message), NotFound)


def test_a_reply_to_a_request_for_information_resumes_the_workflow(
    adapter: LaporV1Adapter, clock: FakeClock
) -> None:
    client_uuid = _uuid_with_fate(Fate.INFO_REQUEST)
    response = adapter.submit_batch([sample_item(client_uuid=client_uuid)])
    assert isinstance(response, BatchResponse)
    clock.advance(seconds=25)
    changes, cursor = _all_changes(adapter, None, limit=10)
    assert [c.kind for c in changes] == [ChangeKind.STATUS, ChangeKind.INFO_REQUEST]
    assert changes[-1].status == Status.DEFERRED
    reply = FollowUp(str(uuid.uuid4()), "Lokasinya di depan Pasar Daik, foto terlampir.")
    assert isinstance(adapter.post_message(client_uuid, reply), FollowUpResult)
    clock.advance(hours=1)
    later, _ = _all_changes(adapter, cursor, limit=10)
    assert [c.status for c in later] == [Status.FORWARDED, Status.FOLLOWED_UP, Status.FINISHED]


def test_reference_data_is_fetched_once_then_not_modified(adapter: LaporV1Adapter) -> None:
    first = adapter.reference_data(None)
    assert isinstance(first, ReferenceData)
    assert first.dataset.version == BUNDLED_VERSION
    assert any(r.code == "2104" for r in first.dataset.regions)
    assert first.etag is not None
    again = adapter.reference_data(first.etag)
    assert isinstance(again, ReferenceNotModified)
    assert again.etag == first.etag
    assert isinstance(adapter.reference_data('"stale"'), ReferenceData)


def test_server_time_and_the_measured_clock_offset(
    server: RunningServer, session: requests.Session, clock: FakeClock
) -> None:
    desk_clock = FakeClock(clock.current - dt.timedelta(minutes=7))
    adapter = adapter_for(server, session, clock=desk_clock)
    answer = adapter.server_time()
    assert isinstance(answer, ServerClock)
    assert (answer.server_time, answer.office_code, answer.api_version) == (
        clock.current,
        "2104",
        "v1",
    )
    assert adapter.last_server_time is not None
    assert adapter.last_server_time.offset == dt.timedelta(minutes=7)
    server.set_faults(clock_offset_seconds=600)
    adapter.server_time()
    assert adapter.last_server_time.offset == dt.timedelta(minutes=17)
