"""Starting the GUI on a data folder that is not ready says so and exits non-zero."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from lapor_desktop.i18n import translate
from lapor_desktop.services.office import OfficeNotInitialised
from ui import app as gui


def test_a_desk_not_set_up_is_explained_and_the_exit_code_says_not_ready(
    qtbot: QtBot, tmp_path: Path
) -> None:
    shown: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        shown.append(box.text())
        box.reject()

    QTimer.singleShot(0, read_and_close)
    code = gui.run(["--data-dir", str(tmp_path / "nowhere")])

    assert code == gui.EXIT_NOT_READY
    assert shown == [OfficeNotInitialised.message.render("id")]
    assert shown[0] == translate(OfficeNotInitialised.message.template, "id")
