"""The Qt binding installed keeps Python's reference counts right (Python 3.11 needs it).

PySide6 6.12.0 returns ``None`` from void methods without taking a
reference; Python 3.12 made ``None`` immortal and does not notice, but on
3.11 every call wears ``None`` down until the interpreter aborts
("none_dealloc") in the middle of a session. pyproject.toml excludes that
release; this test catches the next one that does the same.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from pytestqt.qtbot import QtBot


def test_calling_void_qt_methods_does_not_wear_down_none(qtbot: QtBot) -> None:
    item = QStandardItem("x")
    before = sys.getrefcount(None)
    for _ in range(1000):
        item.setData("code", Qt.ItemDataRole.UserRole)
    assert sys.getrefcount(None) >= before - 10
