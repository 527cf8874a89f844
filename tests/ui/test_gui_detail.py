"""The detail pane: timeline, identity as each role may see it, reprints, unfinished drafts."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from lapor_desktop.desk import Desk
from lapor_desktop.domain.privacy import CONFIDENTIAL_PLACEHOLDER
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import translate
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import NOT_FOR_YOUR_ROLE, fingerprint_of
from lapor_desktop.storage.models import Complaint
from tests.support import samples
from tests.support.clock import FakeClock
from tests.ui.desk_window import open_window
from ui.detail import NO_FOLLOW_UPS, OVERDUE_BADGE, DetailView
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.receipt import COPY_MARK
from ui.receipt_dialog import ReceiptDialog

NAME = samples.valid_form().full_name


def select_first(qtbot: QtBot, window: MainWindow) -> None:
    window.show_list()
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.list.select_row(0)


def shown_texts(view: DetailView) -> str:
    labels = [view.heading, *view.values.values(), *view.identity_values.values()]
    return "\n".join(label.text() for label in labels if label.isVisibleTo(view))


def test_selecting_a_complaint_shows_it_with_its_timeline_and_identity(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)

    select_first(qtbot, window)

    view = window.detail
    assert saved.registration_number is not None
    assert saved.registration_number in view.heading.text()
    [event] = view.timeline_texts()
    assert event[1] == translate(Status.QUEUED.label, "id")
    assert event[2] == sqlite_clerk.username
    assert view.identity_values["full_name"].text() == NAME
    assert view.values["region"].text() == "Lingga, Kabupaten Lingga, Kepulauan Riau"
    assert "Dinas Pekerjaan Umum" in view.values["agency"].text()
    assert view.deadlines.text() != ""


def test_it_staff_see_a_placeholder_and_no_intake_form(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, it_actor: Actor, language: Language
) -> None:
    sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, it_actor, language)
    assert window.intake is None

    select_first(qtbot, window)

    view = window.detail
    assert view.identity_hidden.text() == translate(NOT_FOR_YOUR_ROLE, "id")
    assert NAME not in shown_texts(view)
    assert samples.valid_form().nik not in shown_texts(view)


def test_the_front_desk_sees_a_placeholder_for_a_confidential_complaint(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    sqlite_desk.intake.submit(samples.valid_form(rahasia=True), actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)

    select_first(qtbot, window)

    assert window.detail.identity_hidden.text() == translate(CONFIDENTIAL_PLACEHOLDER, "id")
    assert NAME not in shown_texts(window.detail)


def test_a_receipt_printed_again_from_the_detail_is_marked_as_a_copy(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    select_first(qtbot, window)

    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        window.detail.receipt_button.click()

    dialog = shown.args[0]
    assert isinstance(dialog, ReceiptDialog)
    assert translate(COPY_MARK, "id") in dialog.html()


def test_a_draft_is_continued_in_the_form_with_everything_that_was_typed(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    typed = samples.valid_form(nik="2104 01", anonim=False)
    draft = sqlite_desk.intake.save_draft(typed, actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    select_first(qtbot, window)
    assert window.detail.resume_button.isVisibleTo(window.detail)
    assert not window.detail.receipt_button.isVisibleTo(window.detail)

    window.detail.resume_button.click()

    assert window.intake is not None
    assert window.tabs.currentWidget() is window.intake
    form = window.intake.form
    assert form.title.text() == typed.title
    assert form.nik.text() == "2104 01"
    assert form.agency.code() == typed.agency_code
    assert form.anonim.value() is None, "a stored 'no' may never have been asked: ask again"
    assert window.intake.complaint_uuid == draft.uuid


def test_a_follow_up_note_is_added_from_the_detail_by_keyboard(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    select_first(qtbot, window)
    view = window.detail
    assert view.follow_ups.text() == translate(NO_FOLLOW_UPS, "id")

    view.follow_up_text.setFocus()
    qtbot.keyClicks(view.follow_up_text, "Warga menambahkan foto lubang kedua.")
    with qtbot.waitSignal(view.follow_up_added, timeout=10_000):
        qtbot.keyClick(view.follow_up_text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert "Warga menambahkan foto lubang kedua." in view.follow_ups.text()
    assert view.follow_up_text.toPlainText() == ""
    detail = sqlite_desk.lookup.get(saved.uuid, actor=sqlite_clerk)
    assert detail is not None
    assert [n.text for n in detail.follow_ups] == ["Warga menambahkan foto lubang kedua."]


def test_once_synced_the_detail_and_the_reprint_show_the_receipt_fingerprint(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    receipt = {
        "client_uuid": saved.uuid,
        "content_hash": "ab" * 32,
        "tracking_id": "8123456",
        "server_time": "2026-11-27T03:00:00+00:00",
        "key_id": "0123456789abcdef",
        "signature": "c2lnbmF0dXJl",
    }
    with sqlite_desk.database.write() as session:
        session.execute(
            update(Complaint)
            .where(Complaint.uuid == saved.uuid)
            .values(tracking_id="8123456", receipt=receipt, status=Status.SENT.value)
        )
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    select_first(qtbot, window)

    fingerprint = fingerprint_of(receipt)
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", fingerprint)
    assert window.detail.values["fingerprint"].text() == fingerprint
    assert window.detail.values["tracking_id"].text() == "8123456"
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        window.detail.receipt_button.click()
    html = shown.args[0].html()
    assert fingerprint in html and "8123456" in html
    assert translate(COPY_MARK, "id") in html


def test_a_missed_deadline_shows_an_overdue_badge(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language, clock: FakeClock
) -> None:
    sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    clock.advance(days=10)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)

    select_first(qtbot, window)

    badge = window.detail.overdue_badge
    assert badge.isVisibleTo(window.detail)
    assert badge.text() == translate(OVERDUE_BADGE, "id")
