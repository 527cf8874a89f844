"""Renders each main screen to PNG, offscreen, so people can look at what operators will see.

Refresh the pictures in docs/screenshots/ with:
    LAPOR_SCREENSHOTS=docs/screenshots QT_QPA_PLATFORM=offscreen \\
        .venv/bin/python -m pytest tests/ui/test_gui_screenshots.py
Without the variable the pictures go to a temporary folder: the rendering is still checked.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from lapor_desktop.desk import Desk
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.models import Complaint
from tests.support import accounts, samples
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.ui.desk_window import open_window, settle
from tests.ui.sync_desk import point_at_server, wait_for_passes
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


def populate(desk: Desk, actor: Actor) -> list[str]:
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
    sqlite_desk: Desk,
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
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language, shots: Path
) -> None:
    window: MainWindow = open_window(qtbot, sqlite_desk, sqlite_clerk, language, training=True)
    save(window, shots / "training.png")


def test_sync_panel_and_settings_render(
    qtbot: QtBot,
    sqlite_desk: Desk,
    language: Language,
    shots: Path,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    """After a real pass against the reference server: a summary, a quarantined complaint."""
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    bundled = load_bundled("21")
    reference = dataclasses.replace(
        bundled, agencies=tuple(a for a in bundled.agencies if a.code != "2104-SETWAN")
    )
    with running_reference_server(tmp_path / "server", clock=clock, reference=reference) as server:
        point_at_server(sqlite_desk, server)
        for form in EXAMPLES:
            sqlite_desk.intake.submit(form, actor=boss)
        sqlite_desk.intake.submit(samples.valid_form(agency_code="2104-SETWAN"), actor=boss)
        window = open_window(qtbot, sqlite_desk, boss, language)
        wait_for_passes(qtbot, window.sync, 1)
        with qtbot.waitSignal(window.quarantine.listed, timeout=10_000):
            window.show_sync_panel()
        settle(qtbot, window.runner)
        save(window, shots / "sync_panel.png")
        with qtbot.waitSignal(window.quarantine.fix_shown, timeout=10_000) as fix:
            window.quarantine.fix_button.click()
        save(fix.args[0], shots / "fix_and_resend.png")
        fix.args[0].reject()
        window.show_settings()
        save(window, shots / "settings.png")
        window.close()


def test_attachments_duplicate_warning_and_detail_render(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    language: Language,
    shots: Path,
    tmp_path: Path,
) -> None:
    photo = QImage(800, 600, QImage.Format.Format_RGB32)
    photo.fill(QColor("#6b8e23"))
    photo_path = tmp_path / "foto-lubang-jalan.jpg"
    assert photo.save(str(photo_path))
    scan_path = tmp_path / "surat-pengantar.pdf"
    scan_path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    first = sqlite_desk.intake.submit(EXAMPLES[0], actor=sqlite_clerk)
    sqlite_desk.follow_ups.add(
        first.uuid, "Warga datang lagi: lubang makin besar.", actor=sqlite_clerk
    )
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    intake = window.intake
    assert intake is not None
    with qtbot.waitSignal(intake.attachments.settled, timeout=10_000):
        intake.attachments.add_paths([photo_path, scan_path])
    intake.form.load(
        samples.valid_form(title="Jalan di Daik rusak lagi"), anonim=False, rahasia=False
    )
    save(window, shots / "intake_attachments.png")

    with qtbot.waitSignal(intake.duplicates_shown, timeout=10_000) as shown:
        intake.save()
    warning = shown.args[0]
    save(warning, shots / "duplicate_warning.png")
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as receipt:
        warning.save_anyway_button.click()
    receipt.args[0].accept()
    settle(qtbot, window.runner)

    window.show_list()
    newest = window.model.summary(0).uuid
    sqlite_desk.follow_ups.add(newest, "Foto kedua menyusul lewat WhatsApp.", actor=sqlite_clerk)
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.list.select_row(0)
    save(window, shots / "detail_follow_up.png")
    window.detail._scroll.verticalScrollBar().setValue(10_000)
    save(window, shots / "detail_follow_up_lower.png")


def test_crash_and_recovery_dialogs_render(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    clock: FakeClock,
    language: Language,
    runner: TaskRunner,
    shots: Path,
) -> None:
    from lapor_desktop.backups.copies import Reason, back_up
    from lapor_desktop.backups.startup import Damaged, startup_check
    from lapor_desktop.crash import write_crash_report
    from tests.support.damaged_disk import damage
    from ui.crash_dialog import CrashDialog
    from ui.recovery_dialog import RecoveryDialog

    paths = sqlite_desk.paths
    try:
        raise KeyError("complaint-7f3a")
    except KeyError as bug:
        report = write_crash_report(paths, bug, now=clock())
    crash = CrashDialog(language, report, None)
    crash.setStyleSheet(STYLESHEET)
    qtbot.addWidget(crash)
    crash.show()
    save(crash, shots / "crash_dialog.png")

    populate(sqlite_desk, sqlite_clerk)
    back_up(paths.database, paths.backups, now=clock(), reason=Reason.MANUAL)
    sqlite_desk.close()
    damage(paths.database)
    damaged = startup_check(paths)
    assert isinstance(damaged, Damaged)
    recovery = RecoveryDialog(language, damaged, paths, runner, now=clock)
    recovery.setStyleSheet(STYLESHEET)
    qtbot.addWidget(recovery)
    recovery.show()
    save(recovery, shots / "recovery_dialog.png")
    with qtbot.waitSignal(recovery.finished_restoring, timeout=10_000):
        recovery.restore_button.click()
    save(recovery, shots / "recovery_restored.png")
