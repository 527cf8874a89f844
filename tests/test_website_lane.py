"""The website lane: route, queue, lease, handover, tracking ID, statuses, moves (issue 13)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import outbox_lanes
from lapor_desktop.services.context import Actor
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.services.website_handover import ANONIM_HIDDEN, RAHASIA_HIDDEN, Handover
from lapor_desktop.services.website_lane import Refused
from lapor_desktop.services.website_records import Recorded, WebsiteRefused
from lapor_desktop.settings import OfficeSettings, WebsiteLaneSettings
from lapor_desktop.storage.models import AuditEntry, Complaint, OutboxEntry
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.sync_engine import queue, store_for

GPS_IFD = 0x8825


@pytest.fixture
def website_office(office: OfficeSettings) -> OfficeSettings:
    return dataclasses.replace(office, website=WebsiteLaneSettings(route="website"))


@pytest.fixture
def web_desk(
    data_paths: DataPaths, clock: FakeClock, website_office: OfficeSettings
) -> Iterator[Desk]:
    desk = accounts.initialise_desk(data_paths, website_office, clock)
    yield desk
    desk.close()


@pytest.fixture
def boss(web_desk: Desk) -> Actor:
    return accounts.sign_in_supervisor(web_desk).actor


@pytest.fixture
def ani(web_desk: Desk) -> Actor:
    principal = accounts.sign_in_supervisor(web_desk)
    return accounts.add_user(web_desk, principal, "ani", Role.FRONT_DESK).actor


@pytest.fixture
def budi(web_desk: Desk) -> Actor:
    principal = accounts.sign_in_supervisor(web_desk)
    return accounts.add_user(web_desk, principal, "budi", Role.FRONT_DESK).actor


def _start(desk: Desk, complaint_uuid: str, actor: Actor) -> Handover:
    item = desk.website.find(complaint_uuid, actor=actor)
    assert not isinstance(item, Refused), item
    handover = desk.website.start(item.outbox_id, actor=actor)
    assert isinstance(handover, Handover), handover
    return handover


def _record(desk: Desk, handover: Handover, pasted: str, actor: Actor) -> Recorded | WebsiteRefused:
    return desk.website_records.record_tracking_id(
        handover.outbox_id, pasted, typed_digest=handover.typed_digest, actor=actor
    )


def _gps_photo(path: Path) -> Path:
    image = Image.new("RGB", (32, 24), (120, 80, 40))
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (0.0, 13.0, 12.0), 3: "E", 4: (104.0, 38.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def test_the_office_route_sends_new_complaints_to_the_website_queue_not_the_engine(
    web_desk: Desk, ani: Actor, clock: FakeClock
) -> None:
    queue(web_desk, ani, title="Lampu jalan mati")
    urgent = queue(web_desk, ani, title="Jembatan putus", urgent=True)
    items = web_desk.website.queue(actor=ani)
    assert [i.title for i in items] == ["Jembatan putus", "Lampu jalan mati"]  # urgent first
    assert items[0].complaint_uuid == urgent and items[0].urgent
    assert web_desk.website.waiting() == 2
    protocol = outbox_lanes.submissions(web_desk.context.require_vault())
    assert store_for(web_desk, clock).claim(protocol, 10) == []  # the engine never types them


def test_one_operator_types_it_and_the_other_sees_who_and_since_when(
    web_desk: Desk, ani: Actor, budi: Actor
) -> None:
    uuid = queue(web_desk, ani)
    handover = _start(web_desk, uuid, ani)
    refused = web_desk.website.start(handover.outbox_id, actor=budi)
    assert isinstance(refused, Refused)
    text = refused.message.render("id")
    assert "ani" in text and "27/11/2026 09:30" in text
    [item] = web_desk.website.queue(actor=budi)
    assert item.holder is not None and item.holder.user == "ani" and not item.mine
    assert web_desk.website.cancel(handover.outbox_id, actor=budi) is not None  # not hers
    assert web_desk.website.cancel(handover.outbox_id, actor=ani) is None
    assert isinstance(web_desk.website.start(handover.outbox_id, actor=budi), Handover)


def test_the_panel_lists_the_lapor_form_in_order_and_hides_what_the_role_may_not_see(
    web_desk: Desk, ani: Actor, boss: Actor
) -> None:
    plain = _start(web_desk, queue(web_desk, ani), ani)
    assert [f.key for f in plain.fields] == [
        "classification",
        "title",
        "description",
        "incident_date",
        "location",
        "category",
        "agency",
        "anonim",
        "rahasia",
    ]
    assert plain.value("incident_date") == "20/11/2026"
    assert plain.value("full_name") == "Siti Aminah"
    assert [f.key for f in plain.fields if f.flag] == ["anonim", "rahasia"]
    anonim = _start(web_desk, queue(web_desk, ani, anonim=True), boss)
    assert anonim.identity == () and anonim.identity_hidden == ANONIM_HIDDEN
    rahasia_uuid = queue(web_desk, ani, rahasia=True)
    rahasia = _start(web_desk, rahasia_uuid, ani)
    assert rahasia.identity == () and rahasia.identity_hidden == RAHASIA_HIDDEN
    web_desk.website.cancel(rahasia.outbox_id, actor=ani)
    assert _start(web_desk, rahasia_uuid, boss).value("nik") == "2104014508900001"


def test_photos_of_an_anonim_complaint_are_handed_over_without_gps_and_then_deleted(
    web_desk: Desk, ani: Actor, tmp_path: Path
) -> None:
    photo = _gps_photo(tmp_path / "jalan.jpg")
    outcome = web_desk.intake.submit(_form(anonim=True), actor=ani, attachments=[photo])
    assert outcome.queued
    handover = _start(web_desk, outcome.uuid, ani)
    [handed] = handover.files
    assert handed.path is not None and handed.name == "01-jalan.jpg"
    with Image.open(handed.path) as image:
        assert not image.getexif().get_ifd(GPS_IFD)
    assert handed.path.stat().st_mode & 0o077 == 0
    recorded = _record(web_desk, handover, "Tracking ID: #1 234 567", ani)
    assert isinstance(recorded, Recorded)
    assert not handed.path.exists() and not handover.folder.exists()  # type: ignore[union-attr]
    with web_desk.database.read() as session:
        states = session.scalars(
            select(OutboxEntry.state).where(OutboxEntry.kind == "upload_attachment")
        )
        assert list(states) == ["done"]  # handed over, never uploaded again by the engine


def test_the_pasted_tracking_id_makes_the_complaint_received_via_the_website(
    web_desk: Desk, ani: Actor
) -> None:
    uuid = queue(web_desk, ani)
    handover = _start(web_desk, uuid, ani)
    recorded = _record(
        web_desk, handover, "Laporan Anda tercatat dengan Tracking ID #7654321.", ani
    )
    assert isinstance(recorded, Recorded) and recorded.tracking_id == "7654321"
    assert "7654321" in recorded.citizen_text.render("id")
    with web_desk.database.read() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.uuid == uuid)).one()
        assert (complaint.status, complaint.sync_state, complaint.delivered_via) == (
            "sent",
            "sent",
            "website",
        )
        assert [(e.status, e.source, e.actor) for e in complaint.events][-1] == (
            "sent",
            "website",
            "ani",
        )
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "complaint.sent_via_website")
        ).one()
        assert entry.actor == "ani" and entry.details["tracking_id"] == "7654321"
    assert web_desk.website.queue(actor=ani) == []
    assert isinstance(_record(web_desk, handover, "7654321", ani), WebsiteRefused)  # only once


def test_a_wrong_or_duplicate_tracking_id_is_refused_and_nothing_is_lost(
    web_desk: Desk, ani: Actor, budi: Actor
) -> None:
    first = _start(web_desk, queue(web_desk, ani), ani)
    assert isinstance(_record(web_desk, first, "1111111", ani), Recorded)
    second = _start(web_desk, queue(web_desk, ani), ani)
    letters = _record(web_desk, second, "ABCDEF", ani)
    assert isinstance(letters, WebsiteRefused)
    duplicate = _record(web_desk, second, "1111111", ani)
    assert isinstance(duplicate, WebsiteRefused)
    assert first.registration_number in duplicate.message.render("id")
    not_hers = _record(web_desk, second, "2222222", budi)
    assert isinstance(not_hers, WebsiteRefused)
    [item] = web_desk.website.queue(actor=ani)
    assert item.mine and item.outbox_id == second.outbox_id  # still hers, still waiting


def test_a_complaint_edited_while_being_typed_is_not_recorded_until_restarted(
    web_desk: Desk, ani: Actor
) -> None:
    uuid = queue(web_desk, ani)
    handover = _start(web_desk, uuid, ani)
    edited = web_desk.intake.submit(
        _form(title="Jalan rusak parah"), actor=ani, complaint_uuid=uuid
    )
    assert edited.queued
    refused = _record(web_desk, handover, "3333333", ani)
    assert isinstance(refused, WebsiteRefused)
    again = _start(web_desk, uuid, ani)
    assert again.value("title") == "Jalan rusak parah"
    assert isinstance(_record(web_desk, again, "3333333", ani), Recorded)


def test_a_lease_left_open_for_hours_asks_to_check_lapor_first(
    web_desk: Desk, ani: Actor, budi: Actor, boss: Actor, clock: FakeClock
) -> None:
    uuid = queue(web_desk, ani)
    handover = _start(web_desk, uuid, ani)
    assert not handover.check_first
    clock.advance(minutes=125)
    [item] = web_desk.website.queue(actor=budi)
    assert item.holder is None and item.check_first
    taken = _start(web_desk, uuid, budi)
    assert taken.check_first
    moved = web_desk.website_records.move_route(uuid, "protocol", "punya akun API", actor=boss)
    assert isinstance(moved, WebsiteRefused)  # held by budi now
    web_desk.website.cancel(taken.outbox_id, actor=budi)
    moved = web_desk.website_records.move_route(uuid, "protocol", "punya akun API", actor=boss)
    assert isinstance(moved, WebsiteRefused)  # may be at LAPOR!: someone must look first
    again = _start(web_desk, uuid, budi)
    assert again.check_first
    assert web_desk.website.confirm_not_sent(again.outbox_id, actor=budi) is None
    web_desk.website.cancel(again.outbox_id, actor=budi)
    [item] = web_desk.website.queue(actor=budi)
    assert not item.check_first


def test_statuses_read_on_lapor_join_the_same_timeline(web_desk: Desk, ani: Actor) -> None:
    import datetime as dt

    uuid = queue(web_desk, ani)
    assert isinstance(_record(web_desk, _start(web_desk, uuid, ani), "4444444", ani), Recorded)
    records = web_desk.website_records
    future = records.record_status(uuid, "verified", dt.date(2026, 12, 1), "", actor=ani)
    assert isinstance(future, WebsiteRefused)
    local = records.record_status(uuid, "sent", dt.date(2026, 11, 27), "", actor=ani)
    assert isinstance(local, WebsiteRefused)
    before = records.record_status(uuid, "verified", dt.date(2026, 11, 26), "", actor=ani)
    assert isinstance(before, WebsiteRefused)  # before it reached LAPOR!
    done = records.record_status(
        uuid, "forwarded", dt.date(2026, 11, 27), "Diteruskan ke Dinas PUPR Lingga", actor=ani
    )
    assert not isinstance(done, WebsiteRefused)
    view = web_desk.lookup.view(uuid, actor=ani)
    assert view is not None
    last = view.detail.timeline[-1]
    assert (last.status, last.source, last.note) == (
        "forwarded",
        "website",
        "Diteruskan ke Dinas PUPR Lingga",
    )


def test_a_supervisor_moves_one_complaint_to_the_other_route_with_a_reason(
    web_desk: Desk, ani: Actor, boss: Actor, clock: FakeClock
) -> None:
    uuid = queue(web_desk, ani)
    with pytest.raises(PermissionDenied):
        web_desk.website_records.move_route(uuid, "protocol", "alasan", actor=ani)
    assert isinstance(
        web_desk.website_records.move_route(uuid, "protocol", "  ", actor=boss), WebsiteRefused
    )
    assert not isinstance(
        web_desk.website_records.move_route(uuid, "protocol", "kantor punya akun API", actor=boss),
        WebsiteRefused,
    )
    assert web_desk.website.queue(actor=ani) == []
    protocol = outbox_lanes.submissions(web_desk.context.require_vault())
    [claimed] = store_for(web_desk, clock).claim(protocol, 10)
    assert claimed.client_uuid == uuid
    with web_desk.database.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "complaint.route_changed")
        ).one()
        assert entry.actor == boss.username
        assert entry.details["reason"] == "kantor punya akun API"


def test_the_lease_and_the_unfinished_submission_survive_a_restart(
    web_desk: Desk, ani: Actor, data_paths: DataPaths, clock: FakeClock
) -> None:
    from lapor_desktop.desk import open_desk

    uuid = queue(web_desk, ani)
    first = _start(web_desk, uuid, ani)
    web_desk.close()
    reopened = open_desk(data_paths, clock=clock)
    try:
        [item] = reopened.website.queue(actor=ani)
        assert item.mine and item.holder is not None and item.holder.since == clock()
        resumed = reopened.website.start(item.outbox_id, actor=ani)
        assert isinstance(resumed, Handover) and resumed.typed_digest == first.typed_digest
    finally:
        reopened.close()


def _form(**changes: object):  # type: ignore[no-untyped-def]
    from tests.support.samples import valid_form

    return valid_form(**changes)
