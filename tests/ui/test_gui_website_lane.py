"""The "Situs LAPOR!" page: queue, handover by keyboard, tracking ID, practice form end to end."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import QObject, QRect, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.services.website_handover import Handover
from lapor_desktop.services.website_lane import Refused
from lapor_desktop.services.website_records import Recorded, WebsiteRefused
from lapor_desktop.settings import OfficeSettings, WebsiteLaneSettings
from sync.reference_server.practice_form import PRACTICE_PATH
from tests.support import accounts, samples
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.sync_engine import queue
from tests.ui.desk_window import open_window, settle
from ui.detail_data import load_detail
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.website_page import WAITING

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
DIGITS = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_6)
DIGITS += (Qt.Key.Key_7,)
FORM_KEYS = [
    "classification",
    "title",
    "description",
    "incident_date",
    "location",
    "category",
    "agency",
]


@pytest.fixture
def web_office(office: OfficeSettings) -> OfficeSettings:
    return dataclasses.replace(office, website=WebsiteLaneSettings(route="website"))


@pytest.fixture
def web_desk(data_paths: DataPaths, clock: FakeClock, web_office: OfficeSettings) -> Iterator[Desk]:
    desk = accounts.initialise_desk(data_paths, web_office, clock)
    yield desk
    desk.close()


@pytest.fixture
def ani(web_desk: Desk) -> Actor:
    boss = accounts.sign_in_supervisor(web_desk)
    return accounts.add_user(web_desk, boss, "ani", Role.FRONT_DESK).actor


@pytest.fixture
def budi(web_desk: Desk) -> Actor:
    boss = accounts.sign_in_supervisor(web_desk)
    return accounts.add_user(web_desk, boss, "budi", Role.FRONT_DESK).actor


@pytest.fixture
def window(qtbot: QtBot, web_desk: Desk, ani: Actor, language: Language) -> Iterator[MainWindow]:
    queue(web_desk, ani)
    main = open_window(qtbot, web_desk, ani, language)
    yield main
    main.close()


class UrlCatcher(QObject):
    """Qt's own hook for "open this address": stands in for the system browser."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


@pytest.fixture
def browser() -> Iterator[UrlCatcher]:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("http")


def start_by_keyboard(qtbot: QtBot, window: MainWindow) -> Handover | Refused:
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_W, CTRL)
    assert window.website.queue.table.hasFocus()
    with qtbot.waitSignal(window.website.started, timeout=10_000) as started:
        qtbot.keyClick(window.website.queue.table, Qt.Key.Key_Return)
    settle(qtbot, window.runner)
    result: Handover | Refused = started.args[0]
    return result


def paste_tracking_id(qtbot: QtBot, window: MainWindow, text: str) -> Recorded | WebsiteRefused:
    field = window.website.panel.tracking
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_T, CTRL)
    assert field.hasFocus()
    field.clear()
    qtbot.keyClicks(field, text)
    with qtbot.waitSignal(window.website.recorded, timeout=10_000) as recorded:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    result: Recorded | WebsiteRefused = recorded.args[0]
    return result


def copy(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> str:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("-")
    qtbot.keyClick(window.focusWidget(), key, modifier)
    return clipboard.text()


def texts_on_screen(window: QWidget) -> str:
    shown = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    shown += [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]
    shown += [w.text() for w in window.findChildren(QPushButton) if w.isVisible()]
    shown += [w.toPlainText() for w in window.findChildren(QPlainTextEdit) if w.isVisible()]
    return "\n".join(shown)


def test_the_queue_shows_a_website_complaint_and_the_status_bar_counts_it(
    window: MainWindow,
) -> None:
    [row] = window.website.queue.row_texts()
    assert row[1] == "Jalan rusak di Daik"
    assert window.website.count.isVisible()
    assert window.website.count.text() == window.texts.text(WAITING, count=1)


def test_starting_by_keyboard_shows_the_form_in_order_and_copies_each_exact_value(
    qtbot: QtBot, window: MainWindow
) -> None:
    handover = start_by_keyboard(qtbot, window)
    assert isinstance(handover, Handover)
    fields = window.website.panel.fields
    assert list(fields.value_labels) == [
        *FORM_KEYS,
        "anonim",
        "rahasia",
        "full_name",
        "nik",
        "phone",
        "email",
        "address",
    ]
    assert copy(qtbot, window, Qt.Key.Key_1, CTRL) == "Pengaduan"  # as LAPOR!'s choice reads
    assert copy(qtbot, window, Qt.Key.Key_2, CTRL) == "Jalan rusak di Daik"
    assert copy(qtbot, window, Qt.Key.Key_3, CTRL) == samples.valid_form().description
    assert copy(qtbot, window, Qt.Key.Key_4, CTRL) == "20/11/2026"
    assert copy(qtbot, window, Qt.Key.Key_1, ALT) == "Siti Aminah"
    assert copy(qtbot, window, Qt.Key.Key_2, ALT) == "2104014508900001"
    assert window.website.panel.status.text()  # says what went to the clipboard
    [row] = window.website.queue.row_texts()
    assert row[3]  # "You, since …"


def test_an_anonim_complaints_identity_is_never_on_screen_nor_copied(
    qtbot: QtBot, web_desk: Desk, ani: Actor, language: Language
) -> None:
    queue(web_desk, ani, anonim=True, urgent=True)
    window = open_window(qtbot, web_desk, ani, language)
    handover = start_by_keyboard(qtbot, window)  # urgent first: the anonim one
    assert isinstance(handover, Handover) and handover.anonim
    shown = texts_on_screen(window)
    for secret in ("Siti Aminah", "2104014508900001", "081234567890", "siti.aminah"):
        assert secret not in shown
    assert window.texts.text(handover.identity_hidden or "") in shown
    assert copy(qtbot, window, Qt.Key.Key_1, ALT) == "-"  # nothing to copy
    anonim = window.website.panel.fields.value_labels["anonim"]
    assert anonim.styleSheet()  # highlighted
    window.close()


def test_a_second_operator_sees_who_is_typing_it_and_cannot_start_it(
    qtbot: QtBot, window: MainWindow, web_desk: Desk, budi: Actor, language: Language
) -> None:
    assert isinstance(start_by_keyboard(qtbot, window), Handover)
    other = open_window(qtbot, web_desk, budi, language)
    [row] = other.website.queue.row_texts()
    assert "ani" in row[3] and "27/11/2026" in row[3]
    refused = start_by_keyboard(qtbot, other)
    assert isinstance(refused, Refused)
    assert "ani" in other.website.problem.text() and other.website.problem.isVisible()
    assert other.website.panel.handover is None
    other.close()


def test_a_tracking_id_with_letters_or_already_used_is_refused_and_the_typing_kept(
    qtbot: QtBot, window: MainWindow, web_desk: Desk, ani: Actor
) -> None:
    first = web_desk.website.find(queue(web_desk, ani, title="Lampu mati"), actor=ani)
    assert not isinstance(first, Refused)
    taken = web_desk.website.start(first.outbox_id, actor=ani)
    assert isinstance(taken, Handover)
    web_desk.website_records.record_tracking_id(
        taken.outbox_id, "1111111", typed_digest=taken.typed_digest, actor=ani
    )
    settle(qtbot, window.runner)
    assert isinstance(start_by_keyboard(qtbot, window), Handover)
    panel = window.website.panel

    letters = paste_tracking_id(qtbot, window, "ABCDEF")
    assert isinstance(letters, WebsiteRefused)
    assert panel.tracking_error.isVisible()
    assert panel.tracking_error.text() == window.texts.render(letters.message)
    assert panel.tracking.text() == "ABCDEF"

    duplicate = paste_tracking_id(qtbot, window, "1111111")
    assert isinstance(duplicate, WebsiteRefused)
    assert taken.registration_number in panel.tracking_error.text()
    assert panel.tracking.text() == "1111111"
    assert window.website.count.text() == window.texts.text(WAITING, count=1)


def test_no_browser_on_the_pc_gives_the_address_to_open_by_hand(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert isinstance(start_by_keyboard(qtbot, window), Handover)
    window.website.panel.open_url = lambda _url: False
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_B, CTRL)
    address = "https://www.lapor.go.id"
    assert address in window.website.panel.site_problem.text()
    assert QGuiApplication.clipboard().text() == address


def test_a_submission_left_open_asks_to_check_lapor_first(
    qtbot: QtBot, window: MainWindow, web_desk: Desk, budi: Actor, clock: FakeClock
) -> None:
    assert isinstance(start_by_keyboard(qtbot, window), Handover)
    clock.advance(minutes=125)
    other = open_window(qtbot, web_desk, budi, language=window.texts.language)
    [row] = other.website.queue.row_texts()
    assert row[4]  # "Check LAPOR! first"
    handover = start_by_keyboard(qtbot, other)
    assert isinstance(handover, Handover) and handover.check_first
    panel = other.website.panel
    assert panel.check_box.isVisible() and panel.found_button.hasFocus()
    qtbot.keyClick(panel.found_button, Qt.Key.Key_Tab)
    assert panel.not_sent_button.hasFocus()
    qtbot.keyClick(panel.not_sent_button, Qt.Key.Key_Space)
    settle(qtbot, other.runner)
    assert not panel.check_box.isVisible()
    other.close()


def _tracking_id(html: str) -> str:
    found = re.search(r'id="tracking-id">#(\d+)<', html)
    assert found, html
    return found.group(1)


def test_end_to_end_through_the_practice_form_by_keyboard(
    qtbot: QtBot,
    tmp_path: Path,
    data_paths: DataPaths,
    clock: FakeClock,
    office: OfficeSettings,
    language: Language,
    browser: UrlCatcher,
) -> None:
    with running_reference_server(tmp_path / "server") as server:
        practice = server.url + PRACTICE_PATH
        lane = WebsiteLaneSettings(route="website", address=practice)
        desk = accounts.initialise_desk(
            data_paths, dataclasses.replace(office, website=lane), clock
        )
        try:
            boss = accounts.sign_in_supervisor(desk)
            ani = accounts.add_user(desk, boss, "ani", Role.FRONT_DESK).actor
            uuid = queue(desk, ani)
            window = open_window(qtbot, desk, ani, language, training=True)
            assert isinstance(start_by_keyboard(qtbot, window), Handover)

            copied = {k: copy(qtbot, window, DIGITS[i], CTRL) for i, k in enumerate(FORM_KEYS)}
            qtbot.keyClick(window.focusWidget(), Qt.Key.Key_B, CTRL)
            assert [url.toString() for url in browser.opened] == [practice]
            assert requests.get(practice, timeout=10).status_code == 200
            day, month, year = copied["incident_date"].split("/")
            answer = requests.post(
                practice,
                data={
                    "klasifikasi": copied["classification"],
                    "judul": copied["title"],
                    "isi": copied["description"],
                    "tanggal": f"{year}-{month}-{day}",  # what a browser's date picker sends
                    "lokasi": copied["location"],
                    "instansi": copied["agency"],
                    "kategori": copied["category"],
                },
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            tracking_id = _tracking_id(answer.text)
            typed = requests.get(f"{practice}/{tracking_id}.json", timeout=10).json()
            assert typed["judul"] == "Jalan rusak di Daik" and typed["anonim"] is False

            with qtbot.waitSignal(window.website.queue_shown, timeout=10_000):
                recorded = paste_tracking_id(qtbot, window, f"Tracking ID: #{tracking_id}")
            assert isinstance(recorded, Recorded) and recorded.tracking_id == tracking_id
            panel = window.website.panel
            assert tracking_id in panel.citizen_text.toPlainText()
            assert copy(qtbot, window, Qt.Key.Key_M, CTRL) == panel.citizen_text.toPlainText()
            assert not window.website.count.isVisible() and window.website.count.count == 0
            assert window.website.queue.row_texts() == []

            page = load_detail(desk.lookup, desk.context, uuid, ani)
            assert page is not None and page.detail.summary.tracking_id == tracking_id
            last = page.detail.timeline[-1]
            assert (last.status, last.source, last.actor) == ("sent", "website", "ani")

            with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
                qtbot.keyClick(window.focusWidget(), Qt.Key.Key_P, CTRL)
            shown.args[0].close()
            settle(qtbot, window.runner)
            window.close()
        finally:
            desk.close()


def test_the_guide_pictures_render_at_1366x768(
    qtbot: QtBot,
    web_desk: Desk,
    ani: Actor,
    budi: Actor,
    language: Language,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    """The pictures of docs/panduan.md; refresh them with
    LAPOR_PANDUAN_SHOTS=docs/img/panduan pytest tests/ui/test_gui_website_lane.py -k guide."""
    folder = Path(os.environ.get("LAPOR_PANDUAN_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "jalan.png"
    QImage(64, 48, QImage.Format.Format_RGB32).save(str(photo))
    web_desk.intake.submit(
        samples.valid_form(title="Jembatan kayu di Desa Mentuda patah", urgent=True),
        actor=ani,
        attachments=[photo],
    )
    held = queue(web_desk, ani, title="Lampu penerangan jalan mati di Dabo")
    queue(web_desk, ani, title="Pungutan liar di pelabuhan", anonim=True)
    item = web_desk.website.find(held, actor=budi)
    assert not isinstance(item, Refused)
    web_desk.website.start(item.outbox_id, actor=budi)
    window = open_window(qtbot, web_desk, ani, language, training=True)
    window.place(QRect(0, 0, 1366, 728))
    window.resize(1366, 728)  # a 1366x768 laptop less its taskbar
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_W, CTRL)
    settle(qtbot, window.runner)

    def shot(name: str) -> None:
        QApplication.processEvents()
        assert window.grab().save(str(folder / f"{name}.png"))

    shot("antrean")
    assert isinstance(start_by_keyboard(qtbot, window), Handover)
    copy(qtbot, window, Qt.Key.Key_2, CTRL)
    shot("panel")
    assert isinstance(paste_tracking_id(qtbot, window, "nomor 12A"), WebsiteRefused)
    shot("ditolak")
    assert isinstance(paste_tracking_id(qtbot, window, "#9000001"), Recorded)
    settle(qtbot, window.runner)
    shot("tercatat")
    window.website.queue.choose(window.website.queue.items[-1].outbox_id)
    window.website.focus_queue()
    with qtbot.waitSignal(window.website.started, timeout=10_000):
        qtbot.keyClick(window.website.queue.table, Qt.Key.Key_Return)
    settle(qtbot, window.runner)
    shot("anonim")
    clock.advance(minutes=125)  # budi went home without finishing his
    window.website.reload()
    settle(qtbot, window.runner)
    window.website.queue.choose(item.outbox_id)
    window.website.focus_queue()
    with qtbot.waitSignal(window.website.started, timeout=10_000) as started:
        qtbot.keyClick(window.website.queue.table, Qt.Key.Key_Return)
    settle(qtbot, window.runner)
    assert started.args[0].check_first
    shot("periksa_dulu")
    window.close()
