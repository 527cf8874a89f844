"""Opening the real desk window in a test, and waiting for its background work to report back."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.style import STYLESHEET
from ui.tasks import TaskRunner


def settle(qtbot: QtBot, runner: TaskRunner) -> None:
    """Wait until every background task asked for so far has reported back."""
    while runner.busy:
        with qtbot.waitSignal(runner.idle, timeout=10_000):
            pass


def open_window(
    qtbot: QtBot,
    desk: Desk,
    actor: Actor,
    language: Language,
    *,
    training: bool = False,
    autosave_seconds: int = 600,
) -> MainWindow:
    """The window as an operator sees it; autosave only when a test sets it shorter."""
    window = MainWindow(desk, actor, language, training=training, autosave_seconds=autosave_seconds)
    window.setStyleSheet(STYLESHEET)
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window.runner)
    return window
