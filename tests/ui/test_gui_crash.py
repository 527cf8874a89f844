"""A bug leaves a report without personal data, says where it is, and the work goes on.

The crash reporter is the application's own (``ui.crash_dialog``), installed over the
real excepthooks as ``ui.app`` does; the exceptions are real ones, raised from a Qt slot,
a background task and another thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from lapor_desktop.crash import CRASH_FOLDER
from lapor_desktop.desk import Desk
from lapor_desktop.i18n import Message
from lapor_desktop.services.context import Actor
from tests.support import samples
from tests.ui.desk_window import open_window
from ui.crash_dialog import MORE_REPORTS, REPORT_SAVED, CrashDialog, CrashReporter
from ui.i18n import Language
from ui.main_window import MainWindow

NIK = samples.valid_form().nik
PHONE = samples.valid_form().phone


@pytest.fixture
def reporting(window: MainWindow) -> Iterator[CrashReporter]:
    """The window's reporter, owning the excepthooks as it does in the application."""
    window.crashes.install()
    yield window.crashes
    window.crashes.uninstall()


def reports(desk: Desk) -> list[Path]:
    folder = desk.paths.root / CRASH_FOLDER
    return sorted(folder.iterdir()) if folder.is_dir() else []


def fill_form(window: MainWindow) -> None:
    assert window.intake is not None
    window.intake.form.load(samples.valid_form(), anonim=False, rahasia=False)


def test_an_exception_in_a_slot_saves_a_report_without_the_nik_and_the_window_carries_on(
    qtbot: QtBot, window: MainWindow, reporting: CrashReporter, sqlite_desk: Desk
) -> None:
    fill_form(window)
    assert window.intake is not None
    form = window.intake.form.form()

    def faulty_slot() -> None:
        typed = form  # a local holding the citizen's identity: never in a report
        raise ValueError(f"cannot file {typed.nik} for {typed.phone}")

    with qtbot.waitSignal(reporting.shown, timeout=5_000) as shown:
        QTimer.singleShot(0, faulty_slot)

    dialog = shown.args[0]
    assert isinstance(dialog, CrashDialog)
    [report] = reports(sqlite_desk)
    text = report.read_text(encoding="utf-8")
    assert "ValueError" in text and "faulty_slot" in text
    assert NIK not in text and PHONE not in text and samples.valid_form().full_name not in text
    assert dialog.location.text() == str(report)
    assert dialog.message.text() == Message(REPORT_SAVED).render("id")
    assert dialog.newest == report
    dialog.copy_location()
    assert QApplication.clipboard().text() == str(report)

    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # "Carry on" is the default button
    assert window.intake.form.form() == form, "what was typed is still there"
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000):
        window.intake.save()


def test_a_bug_in_background_work_is_reported_once_in_one_dialog_not_as_a_warning(
    qtbot: QtBot, window: MainWindow, reporting: CrashReporter, sqlite_desk: Desk
) -> None:
    def broken() -> None:
        raise KeyError(f"no row for {NIK}")

    with qtbot.waitSignal(reporting.shown, timeout=5_000) as shown:
        window.runner.run(broken, lambda _none: None)
    with qtbot.waitSignal(window.runner.idle, timeout=5_000):
        window.runner.run(broken, lambda _none: None)

    dialog = shown.args[0]
    assert len(reports(sqlite_desk)) == 2
    assert len(dialog.reports) == 2, "the second bug joined the open dialog"
    assert dialog.message.text() == Message(MORE_REPORTS, {"count": 2}).render("id")
    assert dialog.location.text() == str(dialog.newest) == str(reports(sqlite_desk)[-1])
    assert window.findChild(QMessageBox) is None
    assert all(NIK not in r.read_text(encoding="utf-8") for r in reports(sqlite_desk))
    dialog.close()


def test_an_exception_on_another_thread_is_shown_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, reporting: CrashReporter, sqlite_desk: Desk
) -> None:
    def worker() -> None:
        raise RuntimeError("the worker lost its way")

    with qtbot.waitSignal(reporting.shown, timeout=5_000) as shown:
        thread = threading.Thread(target=worker, name="a-worker")
        thread.start()
        thread.join()

    [report] = reports(sqlite_desk)
    assert "thread: a-worker" in report.read_text(encoding="utf-8")
    assert shown.args[0].parent() is window
    shown.args[0].close()


def test_the_crash_dialog_follows_a_language_switch(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    language = Language("en")
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    try:
        report = window.crashes.report(ValueError("boom"))
        dialog = window.crashes.dialog
        assert dialog is not None and report is not None
        saved = Message(REPORT_SAVED)
        assert dialog.message.text() == saved.render("en")
        language.switch("id")
        assert dialog.message.text() == saved.render("id")
        dialog.close()
    finally:
        window.close()
