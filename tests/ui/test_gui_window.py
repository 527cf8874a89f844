"""The main window around the pages: shortcuts, the language choice, failures told plainly."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from lapor_desktop.desk import Desk
from lapor_desktop.settings import WorkstationSettings
from tests.support import samples
from tests.ui.desk_window import settle
from ui.errors import DATABASE_BUSY
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def test_ctrl_f_finds_and_ctrl_n_records(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_F, CTRL)
    assert window.list.search.hasFocus()

    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_N, CTRL)

    assert window.intake is not None
    assert window.intake.form.classification.hasFocus()


def test_the_chosen_language_is_kept_for_this_workstation(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk
) -> None:
    english = window.language_choice.findData("en")
    window.language_choice.setCurrentIndex(english)
    window.language_choice.activated.emit(english)
    settle(qtbot, window.runner)

    assert window.texts.language.code == "en"
    saved = WorkstationSettings.load(sqlite_desk.paths.workstation_settings)
    assert saved is not None
    assert saved.language == "en"
    assert saved.station_id == sqlite_desk.context.station.station_id


def test_a_busy_database_is_explained_in_plain_words(qtbot: QtBot, window: MainWindow) -> None:
    locked = OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))

    window.runner.failed.emit(locked)

    box = window.findChild(QMessageBox)
    assert isinstance(box, QMessageBox)
    assert box.text() == DATABASE_BUSY.render("id")
    box.close()


def test_switching_language_after_a_receipt_was_closed_re_translates_what_is_still_open(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.intake is not None
    window.intake.form.load(samples.valid_form(), anonim=False, rahasia=False)
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        window.intake.save()
    with qtbot.waitSignal(shown.args[0].destroyed, timeout=5_000):
        shown.args[0].accept()

    window.texts.language.switch("en")

    assert window.receipt_dialog is None
    assert window.intake.save_button.text() == "Save (Ctrl+S)"
