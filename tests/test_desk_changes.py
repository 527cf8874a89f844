"""Every write says what it changed, and the desk's one hub announces it from any thread."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.changes import NOTHING, REFERENCE_DATA, SETTINGS, DeskChanges
from lapor_desktop.services.context import Actor
from lapor_desktop.services.events import EventHub
from lapor_desktop.services.importer import RegisterImporter
from lapor_desktop.services.quarantine import QuarantineService, Resent
from lapor_desktop.services.settings_service import SettingsSaved, SettingsService
from lapor_desktop.services.sync_store import (
    BatchResults,
    NationalChange,
    StoredReceipt,
    SyncStore,
)
from lapor_desktop.storage.models import OutboxEntry
from sync.connection import sync_store_for
from tests.support import samples
from tests.test_import import HEADER, csv_row, write


class Heard:
    """A subscriber that keeps what it heard, and on which thread."""

    def __init__(self, hub: EventHub) -> None:
        self.changes: list[DeskChanges] = []
        self.threads: list[str] = []
        hub.subscribe(self)

    def __call__(self, changes: DeskChanges) -> None:
        self.changes.append(changes)
        self.threads.append(threading.current_thread().name)

    def merged(self) -> DeskChanges:
        return NOTHING.merge(*self.changes)


def outbox_id_of(desk: Desk, uuid: str) -> int:
    with desk.database.read() as session:
        return int(
            session.scalars(select(OutboxEntry.id).where(OutboxEntry.ref_uuid == uuid)).one()
        )


def store_of(desk: Desk) -> SyncStore:
    return sync_store_for(desk.context)


# -- the value and the hub -------------------------------------------------------------


def test_changes_merge_every_part() -> None:
    one = DeskChanges.of_complaints(["a"], added=["b"])
    two = DeskChanges(outbox=frozenset({"a"}), reference_data=True)
    merged = one | two | SETTINGS

    assert merged.complaints == {"a", "b"}
    assert merged.added == {"b"}
    assert merged.outbox == {"a"}
    assert merged.reference_data and merged.settings and not merged.everything
    assert merged.count_changed
    assert one.merge(two, SETTINGS) == merged
    assert not NOTHING
    assert not DeskChanges.of_complaints(["a"]).count_changed


def test_publishing_from_another_thread_reaches_every_subscriber() -> None:
    hub = EventHub()
    first, second = Heard(hub), Heard(hub)
    changes = DeskChanges.of_complaints(["a"])

    thread = threading.Thread(target=lambda: hub.publish(changes), name="lapor-sync")
    thread.start()
    thread.join()

    assert first.changes == second.changes == [changes]
    assert first.threads == ["lapor-sync"]


def test_a_subscriber_that_raises_does_not_break_the_publisher_or_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = EventHub()

    def broken(_changes: DeskChanges) -> None:
        raise RuntimeError("a widget that is gone")

    hub.subscribe(broken)
    after = Heard(hub)

    with caplog.at_level(logging.ERROR, logger="lapor_desktop.services.events"):
        assert hub.publish(SETTINGS) is SETTINGS

    assert after.changes == [SETTINGS]
    assert "a subscriber to desk changes failed" in caplog.text


def test_an_unsubscribed_listener_hears_nothing_more_and_nothing_empty_is_announced() -> None:
    hub = EventHub()
    heard = Heard(hub)
    stop = hub.subscribe(heard)
    stop()
    hub.unsubscribe(heard)

    hub.publish(SETTINGS)
    hub.publish(NOTHING)

    assert heard.changes == []


# -- the desk's writes -----------------------------------------------------------------


def test_a_submit_names_its_complaint_as_added_and_queued(desk: Desk, clerk: Actor) -> None:
    heard = Heard(desk.hub)

    outcome = desk.intake.submit(samples.valid_form(), actor=clerk)

    assert outcome.queued
    assert heard.changes == [outcome.changes]
    assert outcome.changes.complaints == outcome.changes.added == {outcome.uuid}
    assert outcome.changes.outbox == {outcome.uuid}


def test_saving_a_draft_again_names_it_without_counting_it_as_new(desk: Desk, clerk: Actor) -> None:
    first = desk.intake.save_draft(samples.valid_form(title=""), actor=clerk)
    heard = Heard(desk.hub)

    again = desk.intake.save_draft(
        samples.valid_form(title="Jalan rusak"), actor=clerk, complaint_uuid=first.uuid
    )

    assert heard.changes == [again.changes]
    assert again.changes == DeskChanges.of_complaints([first.uuid])
    assert not again.changes.count_changed


def test_a_follow_up_names_its_complaint_and_its_outbox(desk: Desk, clerk: Actor) -> None:
    uuid = desk.intake.submit(samples.valid_form(), actor=clerk).uuid
    heard = Heard(desk.hub)

    outcome = desk.follow_ups.add(uuid, "Warga menelepon lagi.", actor=clerk)

    assert heard.changes == [outcome.changes]
    assert outcome.changes == DeskChanges.of_complaints([uuid], outbox=[uuid])


def test_an_empty_follow_up_announces_nothing(desk: Desk, clerk: Actor) -> None:
    uuid = desk.intake.submit(samples.valid_form(), actor=clerk).uuid
    heard = Heard(desk.hub)

    assert desk.follow_ups.add(uuid, "   ", actor=clerk).problem is not None
    assert heard.changes == []


def test_a_settings_save_announces_settings_and_an_unchanged_one_nothing(
    desk: Desk, supervisor: Principal
) -> None:
    service = SettingsService(desk.context)
    heard = Heard(desk.hub)

    renamed = dataclasses.replace(desk.context.office, office_name="Kantor Bupati Lingga")
    saved = service.save(supervisor.actor, renamed)
    again = service.save(supervisor.actor, renamed)

    assert isinstance(saved, SettingsSaved) and isinstance(again, SettingsSaved)
    assert (saved.changes, again.changes) == (SETTINGS, NOTHING)
    assert heard.changes == [SETTINGS]


def test_an_import_announces_the_whole_file_once(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    register = write(tmp_path / "r.csv", HEADER, csv_row("Jalan rusak"), csv_row("Jembatan"))
    heard = Heard(sqlite_desk.hub)

    report = RegisterImporter(sqlite_desk.context, sqlite_desk.intake).run(
        register, actor=sqlite_clerk
    )

    uuids = {row.uuid for row in report.imported}
    assert len(uuids) == 2
    assert heard.changes == [report.changes]
    assert report.changes.added == report.changes.outbox == uuids


# -- sync passes -----------------------------------------------------------------------


def test_a_recorded_exchange_names_the_complaints_sent_and_set_aside(
    desk: Desk, clerk: Actor
) -> None:
    sent = desk.intake.submit(samples.valid_form(title="Dikirim"), actor=clerk).uuid
    refused = desk.intake.submit(samples.valid_form(title="Ditolak"), actor=clerk).uuid
    heard = Heard(desk.hub)
    receipt = StoredReceipt(
        sent, "0" * 64, "LPR-1", dt.datetime(2026, 11, 27, tzinfo=dt.UTC), "k1", "sig"
    )

    store_of(desk).record(
        BatchResults(
            receipts={outbox_id_of(desk, sent): receipt},
            quarantined={outbox_id_of(desk, refused): "unknown agency"},
        )
    )

    assert heard.changes == [DeskChanges.of_complaints([sent, refused], outbox=[sent, refused])]


def test_a_resend_from_the_quarantine_names_its_complaint(
    desk: Desk, clerk: Actor, supervisor: Principal
) -> None:
    uuid = desk.intake.submit(samples.valid_form(), actor=clerk).uuid
    entry = outbox_id_of(desk, uuid)
    store_of(desk).quarantine(entry, "unknown agency")
    heard = Heard(desk.hub)

    outcome = QuarantineService(desk.context, desk.intake).resend(
        str(entry), actor=supervisor.actor
    )

    assert isinstance(outcome, Resent)
    assert heard.changes == [outcome.changes]
    assert outcome.changes == DeskChanges.of_complaints([uuid], outbox=[uuid])


def test_a_feed_page_names_only_the_complaints_it_moved(desk: Desk, clerk: Actor) -> None:
    moved = desk.intake.submit(samples.valid_form(title="Diverifikasi"), actor=clerk).uuid
    heard = Heard(desk.hub)
    at = dt.datetime(2026, 11, 27, 3, tzinfo=dt.UTC)
    page = [
        NationalChange("c1", moved, "LPR-9", "verified", "Diverifikasi", None, at),
        NationalChange(
            "c2", "00000000-0000-4000-8000-000000000000", "LPR-0", "verified", "", None, at
        ),
    ]

    assert store_of(desk).apply_changes(page, "cursor-2") == 1

    assert heard.changes == [DeskChanges.of_complaints([moved])]


def test_a_reference_install_announces_reference_data(desk: Desk) -> None:
    heard = Heard(desk.hub)

    store_of(desk).install_reference(load_bundled(), '"etag-2"')

    assert heard.changes == [REFERENCE_DATA]
