"""The Session menu: lock now (Ctrl+L), a lock screen that says it is locked, sign out, Ctrl+Q.

Issue 17, item 8: the lock did not say it was locked, its user name looked editable,
there was no way to lock at once or to sign out, and Ctrl+Q did nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from lapor_desktop.i18n import translate
from lapor_desktop.services.idle_lock import IdleLockPolicy
from ui.idle_lock import IdleLock
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
HOUR = IdleLockPolicy(timeout_seconds=3600)


def test_ctrl_l_locks_at_once_and_the_lock_screen_says_so(qtbot: QtBot, window: MainWindow) -> None:
    lock = IdleLock(window, HOUR)

    with qtbot.waitSignal(lock.locked, timeout=5_000):
        qtbot.keyClick(window, Qt.Key.Key_L, CTRL)

    dialog = lock.dialog
    assert dialog is not None
    assert dialog.windowTitle() == translate("LAPOR! Desktop: locked", "id")
    assert dialog.locked_note.isVisible() and "ani" in dialog.locked_note.text()
    assert dialog.username.text() == "ani"
    assert not dialog.username.isEnabled() and dialog.username.isReadOnly()
    central = window.centralWidget()
    assert central is not None and not central.isVisible()
    dialog.close()


def test_sign_out_on_the_lock_screen_hands_the_desk_to_the_next_person(
    qtbot: QtBot, window: MainWindow
) -> None:
    lock = IdleLock(window, HOUR)
    with qtbot.waitSignal(lock.locked, timeout=5_000):
        window.lock_requested.emit()
    assert lock.dialog is not None

    with qtbot.waitSignal(window.sign_out_requested, timeout=5_000):
        lock.dialog.sign_out_button.click()

    assert not lock.is_locked
    assert window.isVisible()  # the application, not the lock, closes it for the next person


def test_ctrl_q_closes_the_window(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL)

    assert not window.isVisible()
