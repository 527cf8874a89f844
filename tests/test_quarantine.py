"""Quarantine decisions and the sync status, on records the reference server really refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services import sync_status
from lapor_desktop.services.context import Actor
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.services.quarantine import QuarantineService, ResendRefused, Resent
from lapor_desktop.storage.models import AuditEntry, Complaint
from sync.adapters import LaporV1Adapter
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server
from tests.support.samples import valid_form
from tests.support.sync_engine import engine_for, queue, seen, store_for

UNKNOWN_TO_SERVER = "2104-SETWAN"


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    bundled = load_bundled("21")
    reference = dataclasses.replace(
        bundled, agencies=tuple(a for a in bundled.agencies if a.code != UNKNOWN_TO_SERVER)
    )
    with running_reference_server(tmp_path / "server", clock=clock, reference=reference) as s:
        yield s


@pytest.fixture
def adapter(server: RunningServer, clock: FakeClock) -> Iterator[LaporV1Adapter]:
    with requests.Session() as session:
        yield adapter_for(server, session, clock=clock)


@pytest.fixture
def boss(sqlite_desk: Desk) -> Actor:
    return accounts.sign_in_supervisor(sqlite_desk).actor


@pytest.fixture
def service(sqlite_desk: Desk) -> QuarantineService:
    return QuarantineService(sqlite_desk.context, sqlite_desk.intake)


@pytest.fixture
def refused(
    sqlite_desk: Desk, sqlite_clerk: Actor, adapter: LaporV1Adapter, clock: FakeClock
) -> str:
    """A complaint the server rejected (an agency it does not know), beside one it took."""
    queue(sqlite_desk, sqlite_clerk)
    bad = queue(sqlite_desk, sqlite_clerk, agency_code=UNKNOWN_TO_SERVER)
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert (summary.sent, summary.rejected) == (1, 1)
    return bad


def _number(desk: Desk, complaint_uuid: str) -> str:
    with desk.database.read() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.uuid == complaint_uuid)).one()
        assert complaint.registration_number is not None
        return complaint.registration_number


def _audit_actions(desk: Desk) -> list[tuple[str, str, dict[str, object]]]:
    with desk.database.read() as session:
        return [
            (e.action, e.actor, dict(e.details))
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_the_supervisor_sees_the_refused_record_with_the_servers_reason(
    sqlite_desk: Desk, service: QuarantineService, boss: Actor, refused: str, clock: FakeClock
) -> None:
    [record] = service.list(actor=boss)
    assert record.complaint_uuid == refused
    assert record.registration_number == _number(sqlite_desk, refused)
    assert "agency_code" in record.reason
    assert record.quarantined_at == clock()


def test_only_supervisors_decide_on_the_quarantine(
    sqlite_desk: Desk, service: QuarantineService, sqlite_clerk: Actor, refused: str
) -> None:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    it = accounts.add_user(sqlite_desk, boss, "budi_it", Role.IT).actor
    for actor in (it, sqlite_clerk):
        with pytest.raises(PermissionDenied):
            service.list(actor=actor)
        with pytest.raises(PermissionDenied):
            service.resend(_number(sqlite_desk, refused), actor=actor)
    assert seen(sqlite_desk, refused).outbox_state == "quarantined"


def test_resend_by_registration_number_queues_it_again_and_is_audited(
    sqlite_desk: Desk,
    service: QuarantineService,
    boss: Actor,
    refused: str,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    number = _number(sqlite_desk, refused)
    done = service.resend(number.lower(), actor=boss)
    assert done == Resent(done.outbox_id, number, corrected=False)
    state = seen(sqlite_desk, refused)
    assert (state.outbox_state, state.sync_state, state.attempts, state.last_error) == (
        "pending",
        "pending",
        0,
        "",
    )
    assert service.list(actor=boss) == []
    action, actor, details = _audit_actions(sqlite_desk)[-1]
    assert (action, actor) == ("quarantine.resent", boss.username)
    assert details == {
        "outbox_id": done.outbox_id,
        "registration_number": number,
        "corrected": False,
    }
    # It really goes again: this server still does not know the agency, so back it comes.
    posts = len(server.requests())
    again = engine_for(sqlite_desk, adapter, clock).run_once()
    assert again.rejected == 1 and len(server.requests()) > posts
    assert [r.complaint_uuid for r in service.list(actor=boss)] == [refused]


def test_resend_of_something_not_quarantined_is_refused(
    sqlite_desk: Desk, service: QuarantineService, boss: Actor, refused: str
) -> None:
    assert isinstance(service.resend("2104-20990101-XXXX-0001", actor=boss), ResendRefused)
    assert isinstance(service.resend("999999", actor=boss), ResendRefused)


def test_fix_and_resend_sends_the_corrected_complaint_once(
    sqlite_desk: Desk,
    service: QuarantineService,
    boss: Actor,
    refused: str,
    server: RunningServer,
    adapter: LaporV1Adapter,
    clock: FakeClock,
) -> None:
    number = _number(sqlite_desk, refused)
    outcome = service.fix_and_resend(number, valid_form(agency_code="2104-DPUPR"), actor=boss)
    assert not isinstance(outcome, Resent | ResendRefused) and outcome.queued
    assert service.list(actor=boss) == []  # the correction superseded the refused entry
    status = sync_status.read_status(sqlite_desk.database, now=clock())
    assert (status.pending, status.quarantined) == (1, 0)
    summary = engine_for(sqlite_desk, adapter, clock).run_once()
    assert (summary.sent, summary.rejected) == (1, 0)
    assert server.state.store.copies_of(refused) == 1
    actions = [a for a, _, _ in _audit_actions(sqlite_desk)]
    assert actions[-2:] == ["complaint.queued", "quarantine.fixed_and_resent"]


def test_resending_unchanged_content_the_new_national_list_refuses_says_why_here(
    sqlite_desk: Desk, service: QuarantineService, boss: Actor, refused: str
) -> None:
    """The pass that refused it also brought the national reference list without that agency,
    so the desk itself now names the field to fix instead of sending it to be refused again."""
    number = _number(sqlite_desk, refused)
    same = valid_form(agency_code=UNKNOWN_TO_SERVER)
    outcome = service.fix_and_resend(number, same, actor=boss)
    assert not isinstance(outcome, Resent | ResendRefused) and not outcome.queued
    assert [issue.field for issue in outcome.issues] == ["agency_code"]
    assert [r.complaint_uuid for r in service.list(actor=boss)] == [refused]


def test_a_fix_that_does_not_validate_keeps_the_record_quarantined(
    sqlite_desk: Desk, service: QuarantineService, boss: Actor, refused: str
) -> None:
    number = _number(sqlite_desk, refused)
    outcome = service.fix_and_resend(number, valid_form(nik="123"), actor=boss)
    assert not isinstance(outcome, Resent | ResendRefused) and not outcome.queued
    assert [r.complaint_uuid for r in service.list(actor=boss)] == [refused]


def test_the_status_counts_what_waits_what_was_sent_and_the_clock(
    sqlite_desk: Desk, refused: str, clock: FakeClock
) -> None:
    status = sync_status.read_status(sqlite_desk.database, now=clock())
    assert (status.pending, status.sending, status.quarantined, status.sent) == (0, 0, 1, 1)
    assert status.last_success_at == clock()
    assert status.clock_offset == dt.timedelta(0) and not status.clock_warning
    assert status.oldest_pending_age is None
    store_for(sqlite_desk, clock).set_value(sync_status.CLOCK_OFFSET_KEY, "-301.5")
    skewed = sync_status.read_status(sqlite_desk.database, now=clock())
    assert skewed.clock_warning and skewed.clock_offset == dt.timedelta(seconds=-301.5)


def test_bring_forward_makes_backed_off_records_due_but_leaves_leases(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    waiting, leased = queue(sqlite_desk, sqlite_clerk), queue(sqlite_desk, sqlite_clerk)
    store = store_for(sqlite_desk, clock)
    claimed = {c.client_uuid: c.outbox_id for c in store.claim_submissions(10)}
    store.defer(
        [claimed[waiting]], "Unreachable", clock() + dt.timedelta(hours=1), maybe_delivered=False
    )
    clock.advance(minutes=1)
    status = sync_status.read_status(sqlite_desk.database, now=clock())
    assert (status.pending, status.waiting, status.sending) == (2, 1, 1)
    assert status.oldest_pending_age == dt.timedelta(minutes=1)
    assert sync_status.bring_forward(sqlite_desk.database, now=clock()) == 1
    assert [
        c.client_uuid for c in store_for(sqlite_desk, clock, "other").claim_submissions(10)
    ] == [waiting]
    assert seen(sqlite_desk, leased).lease_owner == "ws-test"
