"""Renders each main screen to PNG, offscreen, so people can look at what operators will see.

Refresh the pictures in docs/screenshots/ with:
    LAPOR_SCREENSHOTS=docs/screenshots QT_QPA_PLATFORM=offscreen \\
        .venv/bin/python -m pytest tests/ui/test_gui_screenshots.py
Without the variable the pictures go to a temporary folder: the rendering is still checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from lapor_desktop import app
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.models import Complaint
from tests.support import samples
from tests.ui.desk_window import open_window, settle
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.sign_in import SignInDialog
from ui.style import STYLESHEET
from ui.tasks import TaskRunner

EXAMPLES = (
    samples.valid_form(),
    samples.valid_form(
        title="Lampu penerangan jalan mati di Dabo",
        description="Sudah dua minggu lampu jalan di depan SD Negeri 001 Dabo mati.",
        region_code="210401",
        agency_code="2104-DPUPR",
        urgent=True,
    ),
    samples.valid_form(
        classification="permintaan_informasi",
        title="Jadwal pelayanan KTP elektronik di kecamatan",
        anonim=True,
        full_name="",
        nik="",
    ),
    samples.valid_form(title="Pungutan liar di pelabuhan", rahasia=True),
)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LAPOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()  # pending layout requests, so the picture is the settled one
    image = widget.grab()
    assert not image.isNull()
    assert image.save(str(path))


def populate(desk: app.Desk, actor: Actor) -> list[str]:
    """A morning at the desk, with states the sync engine will set one day set by hand."""
    uuids = [desk.intake.submit(form, actor=actor).uuid for form in EXAMPLES]
    desk.intake.save_draft(samples.valid_form(title="Jalan", nik="2104 01"), actor=actor)
    with desk.database.write() as session:
        session.execute(
            update(Complaint)
            .where(Complaint.uuid == uuids[0])
            .values(
                status=Status.SENT.value, sync_state=SyncState.SENT.value, tracking_id="8123456"
            )
        )
        session.execute(
            update(Complaint)
            .where(Complaint.uuid == uuids[3])
            .values(sync_state=SyncState.QUARANTINED.value)
        )
    return uuids


def test_screens_render(
    qtbot: QtBot,
    sqlite_desk: app.Desk,
    sqlite_clerk: Actor,
    language: Language,
    runner: TaskRunner,
    shots: Path,
) -> None:
    sign_in = SignInDialog(language, sqlite_desk, runner)
    sign_in.setStyleSheet(STYLESHEET)
    qtbot.addWidget(sign_in)
    sign_in.show()
    sign_in.username.setText("ani")
    save(sign_in, shots / "sign_in.png")

    uuids = populate(sqlite_desk, sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    save(window, shots / "intake_empty.png")

    intake = window.intake
    assert intake is not None
    intake.form.load(
        samples.valid_form(nik="2104 0145 08", title="Jln", incident_date="31/02/2026")
    )
    with qtbot.waitSignal(intake.draft_saved, timeout=10_000):
        intake.save()
    settle(qtbot, window.runner)
    save(window, shots / "intake_errors.png")

    window.show_list()
    row = window.model.row_of(uuids[0])
    assert row is not None
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.list.select_row(row)
    save(window, shots / "list_and_detail.png")

    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        window.detail.receipt_button.click()
    dialog = shown.args[0]
    save(dialog, shots / "receipt_dialog.png")
    pdf = dialog.save_pdf(shots / "receipt.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(shots / "receipt_pdf")],
            check=True,
        )
    pdf.unlink()
    dialog.accept()

    language.switch("en")
    window.show_intake()
    save(window, shots / "intake_errors_en.png")
    language.switch("id")


def test_training_mode_is_unmistakable(
    qtbot: QtBot, sqlite_desk: app.Desk, sqlite_clerk: Actor, language: Language, shots: Path
) -> None:
    window: MainWindow = open_window(qtbot, sqlite_desk, sqlite_clerk, language, training=True)
    save(window, shots / "training.png")
