"""The intake's status line speaks only of the form on screen, and an empty form is never saved.

Issue 17, items 6 and 7: "…will be sent to LAPOR! when the network is available"
stayed while the next citizen was typed; "…marked in red" stayed after "New form";
an accidental Ctrl+S on an empty form made a junk "(draft)" row titled "—".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import translate
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from tests.support import samples
from tests.ui.desk_window import settle
from ui.intake_page import IntakePage
from ui.intake_texts import DRAFT_KEPT, NEW_FORM_KEPT, NOTHING_TO_SAVE, QUEUED
from ui.main_window import MainWindow


def intake_of(window: MainWindow) -> IntakePage:
    assert window.intake is not None
    return window.intake


def queued_text(number: str) -> str:
    return translate(QUEUED, "id").format(number=number)


def test_the_queued_line_goes_once_the_next_citizen_is_typed(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = intake_of(window)
    page.form.load(samples.valid_form(), anonim=False, rahasia=False)
    with qtbot.waitSignal(page.submitted, timeout=10_000) as submitted:
        page.save()
    settle(qtbot, window.runner)
    assert window.receipt_dialog is not None
    window.receipt_dialog.accept()
    number = submitted.args[0].registration_number
    assert page.status.text() == queued_text(number)

    qtbot.keyClicks(page.form.title, "Lampu jalan mati")

    assert page.status.text() == ""


def test_new_form_after_a_draft_marked_in_red_leaves_no_red_line(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    page = intake_of(window)
    page.form.load(samples.valid_form(incident_date="31/02/2026"), anonim=False, rahasia=False)
    with qtbot.waitSignal(page.draft_saved, timeout=10_000):
        page.save()
    settle(qtbot, window.runner)
    assert page.status.text() == translate(DRAFT_KEPT, "id").format(count=1)

    page.new_button.click()
    settle(qtbot, window.runner)

    assert page.form.title.text() == ""
    assert page.status.text() == ""  # the draft was already kept; nothing new to say
    assert all(page.form.error_text(field) == "" for field in ("incident_date", "title"))


def test_new_form_says_that_what_was_typed_is_kept_as_a_draft(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = intake_of(window)
    page.form.title.setFocus()
    qtbot.keyClicks(page.form.title, "Jalan rusak")

    with qtbot.waitSignal(page.draft_saved, timeout=10_000):
        page.new_button.click()
    settle(qtbot, window.runner)

    assert page.status.text() == translate(NEW_FORM_KEPT, "id")


def test_the_red_line_goes_when_nothing_is_red_any_more(qtbot: QtBot, window: MainWindow) -> None:
    page = intake_of(window)
    page.form.load(samples.valid_form(incident_date="31/02/2026"), anonim=False, rahasia=False)
    with qtbot.waitSignal(page.draft_saved, timeout=10_000):
        page.save()
    settle(qtbot, window.runner)
    assert page.status.text()

    page.form.incident_date.setFocus()
    page.form.incident_date.selectAll()
    qtbot.keyClicks(page.form.incident_date, "20/11/2026")
    with qtbot.waitSignal(page.checked, timeout=10_000):
        qtbot.keyClick(page.form.incident_date, Qt.Key.Key_Tab)

    assert page.form.error_text("incident_date") == ""
    assert page.status.text() == ""


def test_ctrl_s_on_an_empty_form_saves_nothing_and_says_so(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    page = intake_of(window)
    qtbot.keyClick(page.form.classification, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window.runner)
    assert page.status.text() == translate(NOTHING_TO_SAVE, "id")
    page.start_new()
    page.autosave()
    settle(qtbot, window.runner)

    assert list(sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)) == []


def test_a_drafts_detail_does_not_claim_answers_never_given(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    draft = sqlite_desk.intake.save_draft(samples.valid_form(title="Jalan"), actor=sqlite_clerk)
    window.show_list()

    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.open_complaint(draft.uuid)

    shown = window.detail.values["visibility"].text()
    assert shown == "dengan nama atau anonim: tanyakan lagi, publik atau rahasia: tanyakan lagi"
