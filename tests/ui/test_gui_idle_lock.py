"""The window locks itself when left alone, keeps the draft, and opens only for the same person."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pytestqt.qtbot import QtBot

from lapor_desktop.services.idle_lock import IdleLockPolicy
from tests.support import accounts
from ui.idle_lock import IdleLock
from ui.main_window import MainWindow


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_an_idle_window_locks_hides_its_content_and_opens_again_for_its_user(
    qtbot: QtBot, window: MainWindow
) -> None:
    clock = Clock()
    lock = IdleLock(window, IdleLockPolicy(timeout_seconds=300), clock)
    lock.check()
    assert not lock.is_locked

    clock.now += dt.timedelta(seconds=301)
    with qtbot.waitSignal(lock.locked, timeout=5_000):
        lock.check()
    central = window.centralWidget()
    assert central is not None and not central.isVisible()
    assert lock.dialog is not None
    assert lock.dialog.username.text() == "ani" and lock.dialog.username.isReadOnly()

    lock.dialog.password.setText(accounts.PASSWORD)
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        lock.dialog.sign_in()
    assert central.isVisible() and not lock.is_locked


def test_activity_keeps_the_window_open(qtbot: QtBot, window: MainWindow) -> None:
    clock = Clock()
    lock = IdleLock(window, IdleLockPolicy(timeout_seconds=300), clock)
    clock.now += dt.timedelta(seconds=200)
    qtbot.mouseMove(window)
    qtbot.keyClick(window, "a")
    clock.now += dt.timedelta(seconds=200)
    lock.check()
    assert not lock.is_locked


def test_the_idle_time_is_the_office_setting_as_it_is_now(qtbot: QtBot, window: MainWindow) -> None:
    """A supervisor shortens it in Settings: the open window follows without a restart."""
    clock = Clock()
    lock = IdleLock(window, clock=clock)
    context = window.desk.context
    assert lock.policy.timeout_seconds == 60 * context.office.idle_lock_minutes == 300
    context.office = dataclasses.replace(context.office, idle_lock_minutes=2)
    clock.now += dt.timedelta(seconds=121)
    with qtbot.waitSignal(lock.locked, timeout=5_000):
        lock.check()
