"""Signing in through the dialog: refusals in the service's words, the forced password change."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.i18n import translate
from lapor_desktop.services.passwords import WrongCredentials
from tests.support import accounts
from ui.i18n import Language
from ui.sign_in import PASSWORDS_DIFFER, ChangePasswordDialog, SignInDialog
from ui.tasks import TaskRunner

NEW_PASSWORD = "Pulau-Penyengat-2026"
LOCKED_SECONDS = "Too many failed sign-ins: the account is locked for {wait} more seconds."


def dialog_for(qtbot: QtBot, desk: Desk, runner: TaskRunner, language: Language) -> SignInDialog:
    dialog = SignInDialog(language, desk, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def sign_in(qtbot: QtBot, dialog: SignInDialog, username: str, password: str) -> None:
    dialog.username.setFocus()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_a_wrong_password_shows_the_services_message_and_clears_the_password(
    qtbot: QtBot, sqlite_desk: Desk, runner: TaskRunner, language: Language
) -> None:
    dialog = dialog_for(qtbot, sqlite_desk, runner, language)

    with qtbot.waitSignal(dialog.refused, timeout=10_000):
        sign_in(qtbot, dialog, accounts.SUPERVISOR.username, "Salah-Sekali-12345")

    assert dialog.message.text() == WrongCredentials().message.render("id")
    assert dialog.message.isVisible()
    assert dialog.password.text() == ""
    assert dialog.principal is None


def test_repeated_failures_show_how_long_the_account_is_locked(
    qtbot: QtBot, sqlite_desk: Desk, runner: TaskRunner, language: Language
) -> None:
    dialog = dialog_for(qtbot, sqlite_desk, runner, language)
    for _attempt in range(4):
        with qtbot.waitSignal(dialog.refused, timeout=10_000):
            dialog.username.setText(accounts.SUPERVISOR.username)
            dialog.password.setText("Salah-Sekali-12345")
            dialog.sign_in()

    template = translate(LOCKED_SECONDS, "id")
    pattern = re.escape(template).replace(re.escape("{wait}"), r"\d+")
    assert re.fullmatch(pattern, dialog.message.text())


def test_the_right_password_signs_in_and_unlocks_the_desk(
    qtbot: QtBot, sqlite_desk: Desk, runner: TaskRunner, language: Language
) -> None:
    dialog = dialog_for(qtbot, sqlite_desk, runner, language)

    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        sign_in(qtbot, dialog, accounts.SUPERVISOR.username, accounts.SUPERVISOR.password)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.principal is not None
    assert dialog.principal.role is Role.SUPERVISOR
    assert sqlite_desk.unlocked


def test_an_initial_password_must_be_changed_before_the_dialog_lets_anyone_in(
    qtbot: QtBot, sqlite_desk: Desk, runner: TaskRunner, language: Language
) -> None:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    sqlite_desk.accounts.create_user(boss, "ani", "Ani", Role.FRONT_DESK, accounts.INITIAL_PASSWORD)
    dialog = dialog_for(qtbot, sqlite_desk, runner, language)

    with qtbot.waitSignal(dialog.password_change, timeout=10_000) as opened:
        sign_in(qtbot, dialog, "ani", accounts.INITIAL_PASSWORD)
    change = opened.args[0]
    assert isinstance(change, ChangePasswordDialog)
    assert dialog.principal is None
    change.current.setText(accounts.INITIAL_PASSWORD)
    change.new.setText(NEW_PASSWORD)
    change.repeat.setText(NEW_PASSWORD + "x")
    change.change()
    assert change.message.text() == PASSWORDS_DIFFER.render("id")

    change.repeat.setText(NEW_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        change.change()

    assert dialog.principal is not None
    assert not dialog.principal.must_change_password
    assert accounts.sign_in(sqlite_desk, "ani", NEW_PASSWORD).username == "ani"
