"""The Bundles page on both ends of a hand-over, and its sizes with a decimal comma (issue 14).

A district desk seals its outbox to its regency office from the page; the regency desk's
page takes it in and shows the district's bundle and how many of its complaints it still
has to submit, then writes the district's answer (shown handed out); the district's page
takes the answer and shows both. Real desks on SQLite files, real bundles on a temporary
stick, driven by keyboard with only the choosers replaced; pictures at 1366x768 (a laptop
less its taskbar) are written beside the test's files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt, SignalInstance
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from lapor_desktop.i18n import Message, translate
from lapor_desktop.services.bundle_views import DISTRICT_WAITING
from sync.bundles.export import Exported
from sync.bundles.handover import Answered
from sync.bundles.incoming import ImportResult
from tests.support.clock import FakeClock
from tests.support.paired_desks import DISTRICT_OFFICE, Paired, paired_desks, submitted_by_route
from tests.support.sync_engine import queue
from tests.ui.desk_window import open_window, settle
from ui.bundle_page import BundlePage
from ui.i18n import Language
from ui.main_window import MainWindow

TIMEOUT = 20_000


@pytest.fixture
def pair(tmp_path: Path, clock: FakeClock) -> Iterator[Paired]:
    paired = paired_desks(tmp_path, clock)
    yield paired
    paired.close()


def cells(page: BundlePage, row: int) -> list[str]:
    table = page.table
    return [table.item(row, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]


def laptop(qtbot: QtBot, window: MainWindow) -> None:
    window.place(QRect(0, 0, 1366, 728))
    window.resize(1366, 728)
    window.tabs.setCurrentWidget(window.bundles)
    with qtbot.waitSignal(window.bundles.shown, timeout=TIMEOUT):
        window.bundles.reload()
    settle(qtbot, window.runner)
    QApplication.processEvents()


def press(qtbot: QtBot, page: BundlePage, button: QPushButton, signal: SignalInstance) -> object:
    """Tab to ``button`` as the operator does and press Space; the page's answer."""
    button.setFocus(Qt.FocusReason.TabFocusReason)
    with qtbot.waitSignal(signal, timeout=TIMEOUT) as answered:
        qtbot.keyClick(button, Qt.Key.Key_Space)
    settle(qtbot, page._runner)
    return answered.args[0]


def test_both_desks_of_a_hand_over_show_its_bundles_and_answers(
    qtbot: QtBot, pair: Paired, language: Language, tmp_path: Path
) -> None:
    uuids = [queue(pair.district, pair.district_boss, title=t) for t in ("Jalan rusak", "Air PDAM")]
    stick, back, shots = (tmp_path / name for name in ("stick", "back", "shots"))
    for folder in (stick, back, shots):
        folder.mkdir()

    window = open_window(qtbot, pair.district, pair.district_boss, language)
    try:
        laptop(qtbot, window)
        page = window.bundles
        assert page.to_parent.isVisible() and page.to_parent.isChecked(), "a district's way"
        assert not page.answer_button.isVisible(), "this desk answers no district"
        page.choose_folder = lambda _parent, _title: stick
        made = press(qtbot, page, page.make_button, page.exported)
        assert isinstance(made, Exported) and made.sequence == 1
        [ours] = [cells(page, r) for r in range(page.table.rowCount())]
        assert ours[1] == translate("made here, for the parent office", "id")
        volumes = list(made.paths)
    finally:
        window.close()

    window = open_window(qtbot, pair.parent, pair.parent_boss, language)
    try:
        laptop(qtbot, window)
        page = window.bundles
        assert not page.to_parent.isVisible() and page.answer_button.isVisible()
        page.choose_files = lambda _parent, _title, _filter: volumes
        assert isinstance(press(qtbot, page, page.import_button, page.imported), ImportResult)
        [taken] = [cells(page, r) for r in range(page.table.rowCount())]
        assert taken[:4] == [
            "1",
            translate("from a district office", "id"),
            DISTRICT_OFFICE,
            translate("taken into this queue", "id"),
        ]
        assert taken[5:] == ["2 / 0 / 0", "2"], "both still to be submitted from here"
        waiting = Message(DISTRICT_WAITING, {"sequence": 1, "office": DISTRICT_OFFICE, "count": 2})
        assert page.in_transit.text() == waiting.render("id")
        assert window.grab().save(str(shots / "induk_titipan.png"))

        submitted_by_route(pair.parent, uuids)
        offered: list[Sequence[str]] = []

        def district(_parent: object, _title: str, offices: Sequence[str]) -> str:
            offered.append(offices)
            return DISTRICT_OFFICE

        page.choose_district = district
        page.choose_folder = lambda _parent, _title: back
        answer = press(qtbot, page, page.answer_button, page.answered)
        assert isinstance(answer, Answered) and (answer.sent, answer.waiting) == (2, 0)
        assert offered == [(DISTRICT_OFFICE,)]
        written, taken = (cells(page, r) for r in range(page.table.rowCount()))
        assert written[1:4] == [
            translate("return", "id"),
            DISTRICT_OFFICE,
            translate("copied for the trip back", "id"),
        ]
        assert taken[-1] == "0"
        QApplication.processEvents()
        assert window.grab().save(str(shots / "induk_balasan.png"))
    finally:
        window.close()

    window = open_window(qtbot, pair.district, pair.district_boss, language)
    try:
        laptop(qtbot, window)
        page = window.bundles
        page.choose_files = lambda _parent, _title, _filter: sorted(back.iterdir())
        home = press(qtbot, page, page.import_button, page.imported)
        assert isinstance(home, ImportResult) and home.summary is not None
        answer_row, ours = (cells(page, r) for r in range(page.table.rowCount()))
        assert ours[3] == translate("answered", "id") and ours[-1] == "0"
        assert answer_row[1] == translate("return", "id")
        assert answer_row[3] == translate("recorded", "id") and answer_row[5] == "2 / 0 / 0"
        page.max_mb.setValue(20.0)
        assert page.max_mb.text() == "20,0 MB", "Indonesian writes a decimal comma"
        language.switch("en")
        assert page.max_mb.text() == "20.0 MB"
        language.switch("id")
        QApplication.processEvents()
        assert window.grab().save(str(shots / "kecamatan_bundel.png"))
    finally:
        window.close()
