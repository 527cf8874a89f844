"""GUI fixtures: a real window offscreen on a real SQLite desk; a Qt warning fails the test.

Tests wait for signals (the task runner's ``idle``, a page's ``submitted``),
never for time. Test modules here are named ``test_gui_*`` because the
test folders have no ``__init__.py`` and module names must stay unique.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QtMsgType
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.services.context import Actor
from tests.support import accounts
from tests.ui.desk_window import open_window
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.tasks import TaskRunner

ALLOWED_QT_WARNINGS = (
    # The offscreen platform has no window manager: nothing to pass size hints to,
    # no stacking order to raise a popup in, no keyboard grab for the completer's popup.
    re.compile(r"This plugin does not support propagateSizeHints\(\)"),
    re.compile(r"This plugin does not support raise\(\)"),
    re.compile(r"This plugin does not support grabbing the keyboard"),
)
FAILING_TYPES = frozenset({QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg})


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings(qtlog: object) -> Iterator[None]:
    """qutebrowser's rule: a Qt warning is a bug unless it is on the list above, with why."""
    yield
    unexpected = [
        record.message
        for record in qtlog.records  # type: ignore[attr-defined]
        if record.type in FAILING_TYPES
        and not any(pattern.search(record.message) for pattern in ALLOWED_QT_WARNINGS)
    ]
    if unexpected:
        pytest.fail(f"unexpected Qt warnings: {unexpected}")


@pytest.fixture
def language() -> Language:
    return Language("id")


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def it_actor(sqlite_desk: Desk) -> Actor:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    return accounts.add_user(sqlite_desk, boss, "budi_it", Role.IT).actor


@pytest.fixture
def window(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> Iterator[MainWindow]:
    main = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    yield main
    main.close()
