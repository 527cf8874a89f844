"""The window repaints what a write names: one row of a long list, the pickers after new data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import uuid as uuid_module
from collections.abc import Callable

from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QSignalSpy
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from lapor_desktop.desk import Desk
from lapor_desktop.reference.dataset import AgencyRow, load_bundled
from lapor_desktop.services.context import Actor
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.storage.models import Complaint
from sync.connection import sync_store_for
from tests.support import samples
from tests.ui.desk_window import open_window, settle
from ui.complaint_model import COLUMNS, ComplaintTableModel
from ui.fields import CODE_ROLE, SearchableCombo
from ui.i18n import Language
from ui.main_window import MainWindow

ROWS = 100_000
ROOT = QModelIndex()
NEW_AGENCY = AgencyRow("2104-DKP", "Dinas Kelautan dan Perikanan Kabupaten Lingga", None)


def fill_drafts(desk: Desk, count: int) -> None:
    """``count`` drafts in one bulk insert (the search index kept by its triggers, as always)."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = [
        {
            "uuid": str(uuid_module.uuid4()),
            "office_code": samples.OFFICE_CODE,
            "station_id": "BULK",
            "title": f"Keluhan nomor {n}",
            "channel": "tatap_muka",
            "status": "draft",
            "sync_state": "not_queued",
            "created_by": "bulk",
            "created_at": start + dt.timedelta(minutes=n),
            "updated_at": start + dt.timedelta(minutes=n),
        }
        for n in range(count)
    ]
    with desk.database.write() as session:
        session.execute(insert(Complaint), rows)


def codes(picker: SearchableCombo) -> set[str]:
    return {str(picker.itemData(i, CODE_ROLE)) for i in range(picker.count())}


def on_a_worker(work: Callable[[], object]) -> None:
    """Run a write on a thread of its own, as the database worker or the sync thread would."""
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_a_save_repaints_one_row_of_a_100_000_row_list_not_a_reset(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    fill_drafts(sqlite_desk, ROWS)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    model = window.model
    assert model.rowCount(ROOT) == ROWS
    row = 7
    uuid = model.summary(row).uuid
    repainted = QSignalSpy(model.dataChanged)
    form = samples.valid_form(title="Jalan rusak di Daik, diperbaiki judulnya")

    with (
        qtbot.assertNotEmitted(model.modelAboutToBeReset),
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.waitSignal(model.dataChanged, timeout=10_000),
    ):
        on_a_worker(
            lambda: sqlite_desk.intake.save_draft(form, actor=sqlite_clerk, complaint_uuid=uuid)
        )
    settle(qtbot, window.runner)

    assert repainted.count() == 1
    top_left, bottom_right, _roles = repainted.at(0)
    assert (top_left.row(), bottom_right.row()) == (row, row)
    assert (top_left.column(), bottom_right.column()) == (0, len(COLUMNS) - 1)
    assert model.summary(row).title == form.title
    assert model.data(model.index(row, 1)) == form.title
    assert model.rowCount(ROOT) == ROWS


def test_a_new_complaint_counts_the_list_again(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    model = window.model
    before = model.rowCount(ROOT)

    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        on_a_worker(lambda: sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk))
    settle(qtbot, window.runner)

    assert model.rowCount(ROOT) == before + 1


def test_a_follow_up_repaints_its_row_only(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    for title in ("Lampu jalan mati", "Air PDAM keruh", "Sampah menumpuk"):
        assert sqlite_desk.intake.submit(samples.valid_form(title=title), actor=sqlite_clerk).queued
    model = window.model
    qtbot.waitUntil(lambda: _row_read(model, 1), timeout=10_000)  # the saves' announcements
    settle(qtbot, window.runner)
    uuid = model.summary(1).uuid

    with (
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.waitSignal(model.dataChanged, timeout=10_000) as repainted,
    ):
        on_a_worker(
            lambda: sqlite_desk.follow_ups.add(uuid, "Warga menelepon lagi.", actor=sqlite_clerk)
        )
    settle(qtbot, window.runner)

    assert [index.row() for index in repainted.args[:2]] == [1, 1]


def test_a_reference_data_install_reloads_the_pickers(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk
) -> None:
    assert window.intake is not None
    picker, list_filter = window.intake.form.agency, window.list.agency_filter
    assert NEW_AGENCY.code not in codes(picker)
    bundled = load_bundled()
    newer = dataclasses.replace(
        bundled, version=f"{bundled.version}+dkp", agencies=(*bundled.agencies, NEW_AGENCY)
    )
    store: SyncStore = sync_store_for(sqlite_desk.context)

    with qtbot.waitSignal(window.bridge.changes, timeout=10_000):
        on_a_worker(lambda: store.install_reference(newer, '"etag-dkp"'))
    settle(qtbot, window.runner)

    assert NEW_AGENCY.code in codes(picker)
    assert NEW_AGENCY.code in codes(list_filter)


def _row_read(model: ComplaintTableModel, row: int) -> bool:
    """Whether the list shows three rows and has read ``row`` (announcements arrive queued)."""
    if model.rowCount() != 3 or model.loading:
        return False
    try:
        model.summary(row)
    except LookupError:
        return False
    return True
