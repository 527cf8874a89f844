"""The window started while the office's PostgreSQL server is away: a dialog says so
in the operator's language and offers to try again, instead of an exit with stderr only."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from lapor_desktop.paths import DATABASE_URL_ENV, resolve_data_dir
from tests.ui.modal import ModalSteps, when_modal
from ui import app as gui
from ui.i18n import Language


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_window_offers_to_try_again_while_the_office_database_is_away(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, f"postgresql://lapor@127.0.0.1:{_unused_port()}/lapor")
    shown: list[tuple[str, list[str]]] = []
    later: list[ModalSteps] = []

    def press(label: str) -> Callable[[QMessageBox], None]:
        def act(box: QMessageBox) -> None:
            shown.append((box.text(), [button.text() for button in box.buttons()]))
            if label == "Coba lagi":
                later.append(when_modal(QMessageBox, press("Tutup")))
            next(b for b in box.buttons() if b.text() == label).click()

        return act

    steps = when_modal(QMessageBox, press("Coba lagi"))
    code = gui.start(resolve_data_dir(tmp_path / "data"), Language("id"))
    steps.raise_failure()
    later[0].raise_failure()

    assert code == gui.EXIT_NOT_READY
    assert len(shown) == 2, "Coba lagi tried the database again and asked again"
    for text, buttons in shown:
        assert "Basis data kantor tidak menjawab" in text and "does not answer" not in text
        assert sorted(buttons) == ["Coba lagi", "Tutup"]
