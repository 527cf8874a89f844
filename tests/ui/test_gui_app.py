"""Starting the GUI: the setup wizard on an empty data folder, the sign-in dialog on a desk,
the crash reporter and the log for the whole session, Help > About (F1) in the window."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from lapor_desktop.crash import CRASH_FOLDER
from lapor_desktop.desk import Desk
from lapor_desktop.i18n import translate
from lapor_desktop.logs import LOG_FILE
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from tests.support import accounts
from tests.ui.desk_window import settle
from tests.ui.modal import ModalSteps, when_modal
from ui import app as gui
from ui.about_dialog import AboutDialog
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.setup_wizard import SetupWizard
from ui.sign_in import SignInDialog


def test_a_desk_not_set_up_opens_the_setup_wizard_and_cancel_exits_not_ready(
    qtbot: QtBot, tmp_path: Path
) -> None:
    shown: list[str] = []

    def read_and_cancel() -> None:
        wizard = QApplication.activeModalWidget()
        assert isinstance(wizard, SetupWizard)
        shown.append(wizard.windowTitle())
        wizard.reject()

    QTimer.singleShot(0, read_and_cancel)
    code = gui.run(["--data-dir", str(tmp_path / "nowhere")])

    assert code == gui.EXIT_NOT_READY
    assert shown == [translate("LAPOR! Desktop: set up this desk", "id")]
    assert not (tmp_path / "nowhere" / "lapor.sqlite3").exists()


@pytest.fixture
def closed_desk(sqlite_desk: Desk, sqlite_clerk: Actor) -> Iterator[DataPaths]:
    """A desk set up with a front-desk account, closed: the application opens it itself."""
    sqlite_desk.close()
    hooks = (sys.excepthook, threading.excepthook)
    handlers = list(logging.getLogger().handlers)
    yield sqlite_desk.paths
    assert (sys.excepthook, threading.excepthook) == hooks, "the session left its hooks behind"
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()


def test_closing_the_sign_in_dialog_exits_cleanly(qtbot: QtBot, closed_desk: DataPaths) -> None:
    steps = when_modal(SignInDialog, lambda dialog: dialog.reject())
    code = gui.start(closed_desk, Language("id"))
    steps.raise_failure()

    assert code == gui.EXIT_OK


def test_a_session_reports_bugs_while_it_runs_and_logs_into_the_data_folder(
    qtbot: QtBot, closed_desk: DataPaths
) -> None:
    def sign_in(dialog: SignInDialog) -> None:
        dialog.username.setText("ani")
        dialog.password.setText(accounts.PASSWORD)
        dialog.sign_in_button.click()

    steps = when_modal(SignInDialog, sign_in)
    session = gui.start(closed_desk, Language("id"))
    steps.raise_failure()
    assert isinstance(session, gui.Session)
    try:
        qtbot.addWidget(session.window)
        assert session.window.crashes is session.crashes
        with qtbot.waitSignal(session.crashes.shown, timeout=5_000):
            sys.excepthook(ValueError, ValueError("a bug"), None)
        assert len(list((closed_desk.root / CRASH_FOLDER).iterdir())) == 1
        assert (closed_desk.logs / LOG_FILE).is_file()
    finally:
        session.close()


def test_f1_opens_the_about_box_of_this_desk(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    settle(qtbot, window.runner)

    dialog = window.about_dialog
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    assert dialog.values["data_folder"].text() == str(sqlite_desk.paths.root)
    assert dialog.windowTitle() == translate("About LAPOR! Desktop", "id")
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    help_menu = menus[-1]
    assert isinstance(help_menu, QMenu)
    assert help_menu.title() == translate("&Help", "id")
    assert [a.shortcut().toString() for a in help_menu.actions()] == ["F1"]
    dialog.close()


def test_signing_out_asks_for_the_next_person_and_opens_a_window_of_their_own(
    qtbot: QtBot, closed_desk: DataPaths
) -> None:
    def sign_in(dialog: SignInDialog) -> None:
        dialog.username.setText("ani")
        dialog.password.setText(accounts.PASSWORD)
        dialog.sign_in_button.click()

    steps = when_modal(SignInDialog, sign_in)
    session = gui.start(closed_desk, Language("id"))
    steps.raise_failure()
    assert isinstance(session, gui.Session)
    try:
        first = session.window
        qtbot.addWidget(first)
        steps = when_modal(SignInDialog, sign_in)
        first.sign_out_requested.emit()
        steps.raise_failure()

        assert session.window is not first and session.window.isVisible()
        assert not first.isVisible()
        assert session.lock.policy.timeout_seconds > 0
        qtbot.addWidget(session.window)
    finally:
        session.close()


def test_a_loosened_data_folder_is_closed_and_named_before_sign_in(
    qtbot: QtBot, closed_desk: DataPaths
) -> None:
    os.chmod(closed_desk.database, 0o644)
    warned: list[str] = []
    then: list[ModalSteps] = []

    def read_and_go_on(box: QMessageBox) -> None:
        warned.append(box.text())
        then.append(when_modal(SignInDialog, lambda dialog: dialog.reject()))
        box.accept()

    steps = when_modal(QMessageBox, read_and_go_on)
    code = gui.start(closed_desk, Language("id"))
    steps.raise_failure()
    then[0].raise_failure()

    assert code == gui.EXIT_OK
    assert str(closed_desk.database) in warned[0]
    assert "600" in warned[0] and "Other accounts" not in warned[0], "shown in Indonesian"
    assert closed_desk.database.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("username", "reminded"), [(accounts.SUPERVISOR.username, True), ("ani", False)]
)
def test_a_supervisor_is_reminded_of_last_months_recap_in_the_status_line(
    qtbot: QtBot, closed_desk: DataPaths, username: str, reminded: bool
) -> None:
    password = accounts.SUPERVISOR.password if reminded else accounts.PASSWORD

    def sign_in(dialog: SignInDialog) -> None:
        dialog.username.setText(username)
        dialog.password.setText(password)
        dialog.sign_in_button.click()

    steps = when_modal(SignInDialog, sign_in)
    session = gui.start(closed_desk, Language("id"))
    steps.raise_failure()
    assert isinstance(session, gui.Session)
    try:
        qtbot.addWidget(session.window)
        shown = session.window.statusBar().currentMessage()
        if reminded:
            assert "lapor-desktop recap --month" in shown and "belum" in shown.lower()
        else:
            assert shown == ""
    finally:
        session.close()
