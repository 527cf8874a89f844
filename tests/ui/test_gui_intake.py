"""Recording complaints in the real window: by keyboard, with mistakes, anonymously, unfinished."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import translate
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.storage.models import AuditEntry
from lapor_desktop.validation.nik import check_nik, mask_nik
from tests.support import samples
from tests.ui.desk_window import open_window, settle
from ui import intake_page, intake_texts
from ui.duplicate_warning import DuplicateWarning
from ui.i18n import Language
from ui.intake_page import IntakePage
from ui.main_window import MainWindow
from ui.receipt_dialog import ReceiptDialog

NIK = "2104014508900001"
CTRL = Qt.KeyboardModifier.ControlModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_and_tab(qtbot: QtBot, text: str) -> None:
    if text:
        qtbot.keyClicks(focused(), text)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def intake_of(window: MainWindow) -> IntakePage:
    assert window.intake is not None
    return window.intake


def fill_valid(
    page: IntakePage, *, anonim: bool | None = False, rahasia: bool | None = False
) -> None:
    page.form.load(samples.valid_form(), anonim=anonim, rahasia=rahasia)


def save_and_wait_for_receipt(qtbot: QtBot, window: MainWindow) -> ReceiptDialog:
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL)
    dialog = shown.args[0]
    assert isinstance(dialog, ReceiptDialog)
    return dialog


def test_a_complaint_typed_by_keyboard_alone_is_queued_and_its_receipt_shown(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    page = intake_of(window)
    assert focused() is page.form.classification
    type_and_tab(qtbot, "Peng")
    type_and_tab(qtbot, "Jalan rusak di Daik")
    type_and_tab(qtbot, "Jalan menuju pelabuhan Daik berlubang besar sejak tiga bulan.")
    type_and_tab(qtbot, "20/11/2026")
    qtbot.keyClicks(focused(), "daik")
    completer = page.form.region.completer()
    assert completer is not None
    popup = completer.popup()
    assert popup is not None
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_and_tab(qtbot, "Jalan Pelabuhan, dekat pasar")
    type_and_tab(qtbot, "")  # no category
    type_and_tab(qtbot, "2104-DPUPR")
    type_and_tab(qtbot, "")  # channel: walk-in
    type_and_tab(qtbot, "")  # not urgent
    assert focused() is page.form.anonim.no
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_and_tab(qtbot, "Siti Aminah")
    type_and_tab(qtbot, NIK)
    type_and_tab(qtbot, "0812 3456 7890")
    type_and_tab(qtbot, "")  # no email
    type_and_tab(qtbot, "Jl. Merdeka No. 5, Daik")
    assert focused() is page.form.rahasia.no
    qtbot.keyClick(focused(), Qt.Key.Key_Space)

    dialog = save_and_wait_for_receipt(qtbot, window)

    [saved] = sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)
    assert saved.status == Status.QUEUED.value
    detail = sqlite_desk.lookup.get(saved.uuid, actor=sqlite_clerk)
    assert detail is not None
    assert detail.region_code == "2104021010"
    assert detail.summary.agency_code == "2104-DPUPR"
    assert detail.identity.nik == NIK
    assert not detail.summary.anonim and not detail.summary.rahasia
    html = dialog.html()
    assert saved.registration_number is not None
    assert saved.registration_number in html
    assert mask_nik(NIK) in html
    assert NIK not in html
    assert page.form.title.text() == "", "the form is empty for the next citizen"


def test_enter_in_a_field_does_not_save(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    page = intake_of(window)
    fill_valid(page)
    page.form.focus_field("title")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    page.form.focus_field("nik")
    qtbot.keyClick(focused(), Qt.Key.Key_Enter)
    settle(qtbot, window.runner)

    assert sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk) == []
    assert page.form.title.text() == samples.valid_form().title


def test_an_invalid_nik_is_explained_beside_it_and_everything_typed_is_kept_as_a_draft(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    page = intake_of(window)
    fill_valid(page)
    page.form.nik.clear()
    page.form.focus_field("nik")
    qtbot.keyClicks(focused(), "2104 0145")

    with qtbot.waitSignal(page.draft_saved, timeout=10_000) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL)

    _nik, problem = check_nik("2104 0145")
    assert problem is not None
    assert page.form.error_text("nik") == problem.render("id")
    assert page.form.error_text("title") == ""
    assert QApplication.focusWidget() is page.form.nik, "the first problem gets the focus"
    draft = sqlite_desk.lookup.get(saved.args[0].uuid, actor=sqlite_clerk)
    assert draft is not None
    assert draft.summary.status == Status.DRAFT.value
    assert draft.identity.nik == "2104 0145"
    assert draft.draft_form is not None
    assert draft.draft_form["title"] == samples.valid_form().title
    assert page.form.nik.text() == "2104 0145", "the form keeps what was typed"


def test_anonim_and_rahasia_must_be_answered_before_a_complaint_is_queued(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    page = intake_of(window)
    fill_valid(page, anonim=None, rahasia=None)

    with qtbot.waitSignal(page.draft_saved, timeout=10_000):
        page.save()

    not_answered = intake_texts.NOT_ANSWERED.render("id")
    assert page.form.error_text("anonim") == not_answered
    assert page.form.error_text("rahasia") == not_answered
    [draft] = sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)
    assert draft.status == Status.DRAFT.value

    page.form.anonim.no.setChecked(True)
    page.form.rahasia.no.setChecked(True)
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000):
        page.save()
    [queued] = sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)
    assert queued.uuid == draft.uuid, "the draft itself was completed, not copied"
    assert queued.status == Status.QUEUED.value


def test_the_receipt_of_an_anonymous_complaint_shows_no_identity(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = intake_of(window)
    fill_valid(page, anonim=True)
    page.form.focus_field("title")

    dialog = save_and_wait_for_receipt(qtbot, window)

    html = dialog.html()
    assert "Siti Aminah" not in html
    assert mask_nik(NIK) not in html
    assert NIK[:6] not in html
    assert translate("(anonymous)", "id") in html


def test_typing_is_autosaved_as_a_draft_without_pressing_save(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language, autosave_seconds=1)
    page = intake_of(window)
    page.form.focus_field("title")
    qtbot.keyClicks(focused(), "Lampu jalan mati")

    with qtbot.waitSignal(page.draft_saved, timeout=5_000) as saved:
        pass

    draft = sqlite_desk.lookup.get(saved.args[0].uuid, actor=sqlite_clerk)
    assert draft is not None
    assert draft.summary.title == "Lampu jalan mati"
    assert page.form.title.text() == "Lampu jalan mati"
    window.close()


def test_leaving_a_field_shows_its_problem_while_untouched_fields_stay_quiet(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = intake_of(window)
    page.form.focus_field("incident_date")
    qtbot.keyClicks(focused(), "31/02/2026")

    with qtbot.waitSignal(page.checked, timeout=5_000):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)

    assert page.form.error_text("incident_date") != ""
    assert page.form.error_text("title") == "", "not reached yet: no complaint about it"


def test_switching_to_english_translates_labels_and_shown_problems(
    qtbot: QtBot, window: MainWindow, language: Language
) -> None:
    page = intake_of(window)
    fill_valid(page, anonim=None)
    with qtbot.waitSignal(page.draft_saved, timeout=10_000):
        page.save()
    indonesian = page.form.error_text("anonim")

    language.switch("en")

    assert page.form.error_text("anonim") == intake_texts.NOT_ANSWERED.render("en")
    assert page.form.error_text("anonim") != indonesian
    assert page.save_button.text() == "Save (Ctrl+S)"
    assert page.form.classification.currentText() == "Complaint (Pengaduan)"


def test_ctrl_enter_saves_and_prints_the_receipt_even_from_the_description(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed: list[ReceiptDialog] = []
    monkeypatch.setattr(ReceiptDialog, "print_with_dialog", lambda self: printed.append(self))
    page = intake_of(window)
    fill_valid(page)
    page.form.focus_field("description")

    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    with qtbot.waitCallback() as printed_later:
        QTimer.singleShot(0, printed_later)

    assert printed == [shown.args[0]]
    assert page.form.description.toPlainText() == "", "the newline went nowhere: it was saved"


def test_closing_the_window_keeps_what_was_typed_as_a_draft(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    page = intake_of(window)
    page.form.focus_field("title")
    qtbot.keyClicks(focused(), "Air PDAM keruh")

    window.close()

    [draft] = sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)
    assert draft.title == "Air PDAM keruh"
    assert draft.status == Status.DRAFT.value


@pytest.mark.parametrize("code", ["id", "en"])
def test_every_mnemonic_on_the_form_is_used_once(
    window: MainWindow, language: Language, code: str
) -> None:
    language.switch(code)
    form = intake_of(window).form
    texts = [label.text() for label in form.findChildren(QLabel) if label.buddy() is not None]
    texts += [button.text() for button in form.findChildren(QAbstractButton)]
    letters = [m.group(1).casefold() for t in texts if (m := re.search(r"&([^&])", t))]

    assert len(letters) >= 17
    assert sorted(letters) == sorted(set(letters))


def test_alt_and_the_underlined_letter_jumps_to_the_field(qtbot: QtBot, window: MainWindow) -> None:
    form = intake_of(window).form

    qtbot.keyClick(focused(), Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)

    assert focused() is form.nik


def test_a_likely_duplicate_is_shown_before_saving_and_the_operator_decides(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    first = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    page = intake_of(window)
    fill_valid(page)
    page.form.title.setText("Jalan di Daik rusak lagi")

    with qtbot.waitSignal(page.duplicates_shown, timeout=10_000) as shown:
        qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL)
    warning = shown.args[0]
    assert isinstance(warning, DuplicateWarning)
    [row] = warning.row_texts()
    assert row[0] == first.registration_number
    assert row[1] == samples.valid_form().title
    assert samples.valid_form().full_name not in " ".join(row)
    assert warning.back_button.hasFocus() or warning.back_button.isDefault()

    qtbot.keyClick(warning, Qt.Key.Key_Escape)
    assert len(sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)) == 1
    assert page.form.title.text() == "Jalan di Daik rusak lagi", "going back keeps the form"
    assert page.status.text() == translate(intake_page.NOT_SAVED, "id")

    saved_uuid = page.complaint_uuid
    with qtbot.waitSignal(page.duplicates_shown, timeout=10_000) as shown:
        page.save()
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000):
        shown.args[0].save_anyway_button.click()
    assert len(sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)) == 2
    with sqlite_desk.database.read() as session:
        [override] = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "complaint.duplicate_warning_overridden")
        ).all()
        assert override.actor == sqlite_clerk.username and override.entity_id == saved_uuid
        assert override.details["likely_duplicates"] == [first.uuid]
        assert override.details["their_registration_numbers"] == [first.registration_number]
