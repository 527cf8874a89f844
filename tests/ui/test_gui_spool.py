"""The operator's view of an office database that goes away and comes back.

A real window on a shared desk whose PostgreSQL server sits behind the real
fault proxy: the save goes to the spool with a plain word, the receipt
prints, the status bar says the database is away, the spool's list shows
the complaint, and once the database is back the replay merges it into the
office's list.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.settings import OfficeSettings
from sync.faultproxy.proxy import FaultProxy
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.office_link import away, back, open_proxy, proxied_url
from tests.support.samples import valid_form
from tests.ui.desk_window import open_window, settle
from tests.ui.test_gui_intake import fill_valid, intake_of, save_and_wait_for_receipt
from ui.complaint_model import UUID_ROLE
from ui.i18n import Language
from ui.receipt_dialog import ReceiptDialog
from ui.spool_dialog import SpoolDialog
from ui.spool_watch import SpoolBadge, SpoolWatch

pytestmark = pytest.mark.postgres

PICTURES = os.environ.get("LAPOR_PANDUAN_SHOTS")
"""``LAPOR_PANDUAN_SHOTS=docs/img/panduan`` keeps the 1366x768 renders for the guide."""


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


def _render(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def test_a_save_while_the_office_database_is_away_is_spooled_shown_and_merged(
    qtbot: QtBot, shared: Desk, proxy: FaultProxy, language: Language, tmp_path: Path
) -> None:
    actor: Actor = accounts.sign_in_supervisor(shared).actor
    window = open_window(qtbot, shared, actor, language)
    window.place(QRect(0, 0, 1366, 728))
    window.resize(1366, 728)  # a 1366x768 laptop less its taskbar
    watch = window.findChild(SpoolWatch)
    badge = window.findChild(SpoolBadge)
    assert watch is not None and badge is not None
    assert not badge.isVisible(), "nothing to say while the office database answers"

    away(proxy)
    page = intake_of(window)
    fill_valid(page)
    page.form.focus_field("title")
    receipt = save_and_wait_for_receipt(qtbot, window)
    assert isinstance(receipt, ReceiptDialog)
    assert shared.spool is not None
    (spooled,) = shared.spool.waiting()
    assert spooled.registration_number is not None
    assert spooled.registration_number in receipt.html()
    assert "Disimpan di PC ini" in page.status.text()
    assert spooled.registration_number in page.status.text()
    receipt.reject()
    qtbot.waitUntil(lambda: badge.isVisible() and "1 di PC ini" in badge.text())
    assert "Basis data kantor putus sejak" in badge.text()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert not any(box.isVisible() for box in boxes), "the badge says it; no box after a save"
    folder = Path(PICTURES) if PICTURES else tmp_path
    _render(window, folder, "basis_data_putus")

    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SpoolDialog))
    qtbot.waitExposed(dialog)
    assert dialog.table.rowCount() == 1
    item = dialog.table.item(0, 0)
    assert item is not None and item.text() == spooled.registration_number
    state = dialog.table.item(0, 3)
    assert state is not None and state.text() == "Menunggu basis data kantor"
    _render(dialog, folder, "disimpan_di_pc")
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as reprinted:
        qtbot.mouseClick(dialog.reprint, Qt.MouseButton.LeftButton)
    again = reprinted.args[0]
    assert isinstance(again, ReceiptDialog)
    assert spooled.registration_number in again.html()
    again.reject()

    back(proxy)
    with qtbot.waitSignal(watch.merged, timeout=20_000):
        qtbot.mouseClick(dialog.merge, Qt.MouseButton.LeftButton)
    settle(qtbot, window.runner)
    assert shared.spool.waiting() == []
    qtbot.waitUntil(lambda: "1 dari PC ini sudah masuk basis data kantor" in badge.text())
    joined = dialog.table.item(0, 3)
    assert joined is not None and joined.text() == "Sudah masuk basis data kantor"
    (merged,) = shared.lookup.find(ComplaintQuery(), actor=actor)
    assert merged.uuid == spooled.uuid
    assert merged.registration_number == spooled.registration_number
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    dialog.reject()
    window.close()


def _boxes() -> list[QMessageBox]:
    return [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_a_long_list_scrolled_while_the_database_is_away_says_so_once_and_never_freezes(
    qtbot: QtBot, shared: Desk, proxy: FaultProxy, language: Language
) -> None:
    actor = accounts.sign_in_supervisor(shared).actor
    for n in range(230):  # three pages of the list
        shared.intake.submit(valid_form(title=f"Pengaduan nomor {n}"), actor=actor)
    window = open_window(qtbot, shared, actor, language)
    window.show_list()
    settle(qtbot, window.runner)
    model, table = window.model, window.list.table
    assert model.rowCount() == 230

    away(proxy)
    for _ in range(4):  # the operator keeps scrolling: each unread page fails again
        table.scrollToBottom()
        qtbot.wait(100)
        table.scrollTo(model.index(150, 0))
        qtbot.wait(100)
    qtbot.waitUntil(lambda: len(_boxes()) == 1)
    ticked: list[bool] = []
    QTimer.singleShot(20, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked), timeout=2_000)  # the window still answers
    settle(qtbot, window.runner)
    (box,) = _boxes()
    assert "Basis data kantor tidak menjawab" in box.text(), box.text()
    assert "does not answer" not in box.text()
    box.close()

    back(proxy)
    table.scrollToTop()
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.data(model.index(229, 0), UUID_ROLE) is not None)
    assert _boxes() == []
    window.close()
