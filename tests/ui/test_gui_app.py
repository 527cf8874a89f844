"""Starting the GUI on a data folder that holds no desk opens the setup wizard; cancelling it
exits non-zero and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lapor_desktop.i18n import translate
from ui import app as gui
from ui.setup_wizard import SetupWizard


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
