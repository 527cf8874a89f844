"""The window and the dialogs fit the most common office laptop, and the window remembers itself.

1366×768 with a 40-pixel Windows taskbar leaves 1366×728; a 1280×720 screen
leaves 1280×680. The offscreen platform's screen is what the test passes in
as the available area. Pictures go to $LAPOR_SCREENSHOTS (else a temporary
folder) so people can look at what the operator sees at that size.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from lapor_desktop.crash import write_crash_report
from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from tests.support import samples
from tests.support.clock import FakeClock
from tests.ui.desk_window import open_window, settle
from ui.about_dialog import AboutDialog, about_facts
from ui.crash_dialog import CrashDialog
from ui.detail_data import load_detail
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.receipt import receipt_for
from ui.receipt_dialog import ReceiptDialog
from ui.sign_in import SignInDialog
from ui.style import STYLESHEET
from ui.tasks import TaskRunner
from ui.window_geometry import FRAME, fits

LAPTOP = QRect(0, 0, 1366, 728)
SMALL = QRect(0, 0, 1280, 680)
AREAS = pytest.mark.parametrize("area", [LAPTOP, SMALL], ids=["1366x768", "1280x720"])


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LAPOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def grab(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    assert widget.grab().save(str(path))


def in_view(widget: QWidget, window: QWidget) -> bool:
    """Shown, and wholly inside the window's visible area."""
    corner = widget.mapTo(window, QPoint(0, 0))
    return widget.isVisible() and window.rect().contains(QRect(corner, widget.size()))


def fits_area(size: QSize, area: QRect) -> bool:
    return size.width() + FRAME.width() <= area.width() and (
        size.height() + FRAME.height() <= area.height()
    )


@AREAS
def test_every_page_of_the_window_fits_with_save_status_and_sync_bar_in_view(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    language: Language,
    area: QRect,
    shots: Path,
) -> None:
    sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    window.place(area)
    intake = window.intake
    assert intake is not None
    intake.save()  # an empty form: a status line, nothing saved
    settle(qtbot, window.runner)
    size = f"{area.width()}x{area.height() + 40}"

    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        grab(window, shots / f"laptop_{size}_tab{index}.png")
        assert fits(window, area), (index, window.size(), window.minimumSizeHint())
        assert in_view(window.sync_bar, window)
        assert in_view(window.statusBar(), window)
    window.show_intake()
    QApplication.processEvents()
    for widget in (intake.save_button, intake.save_print_button, intake.new_button, intake.status):
        assert in_view(widget, window), widget
    assert intake.status.text()
    window.close()


@AREAS
def test_the_receipt_dialog_fits_with_its_buttons_in_view(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    language: Language,
    area: QRect,
    shots: Path,
) -> None:
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    page = load_detail(sqlite_desk.lookup, sqlite_desk.context, saved.uuid, sqlite_clerk)
    assert page is not None
    receipt = receipt_for(page, sqlite_desk.context.office, training=False)
    dialog = ReceiptDialog(language, receipt, available=area)
    dialog.setStyleSheet(STYLESHEET)
    qtbot.addWidget(dialog)
    dialog.show()
    grab(dialog, shots / f"receipt_{area.width()}x{area.height() + 40}.png")

    assert fits(dialog, area)
    for button in (dialog.print_button, dialog.pdf_button, dialog.close_button):
        assert in_view(button, dialog)


def test_the_dialogs_an_operator_meets_fit_a_1280x720_screen(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    language: Language,
    runner: TaskRunner,
    clock: FakeClock,
) -> None:
    sign_in = SignInDialog(language, sqlite_desk, runner)
    locked = SignInDialog(language, sqlite_desk, runner)
    locked.show_locked("ani")
    about = AboutDialog(language, about_facts(sqlite_desk, training=False))
    try:
        raise KeyError("complaint-7f3a")
    except KeyError as bug:
        report = write_crash_report(sqlite_desk.paths, bug, now=clock())
    crash = CrashDialog(language, report, None)
    dialogs: list[QDialog] = [sign_in, locked, about, crash]
    for dialog in dialogs:
        dialog.setStyleSheet(STYLESHEET)
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        assert fits_area(dialog.size(), SMALL), (type(dialog).__name__, dialog.size())
        assert fits_area(dialog.minimumSizeHint(), SMALL), type(dialog).__name__


def test_the_window_opens_where_it_was_left_and_refits_a_smaller_screen(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    first = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    first.place(LAPTOP)
    first.resize(1100, 640)
    first.move(30, 20)
    first.close()

    second: MainWindow = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    second.place(LAPTOP)
    assert second.size() == QSize(1100, 640)
    assert second.pos() == QPoint(30, 20)
    second.resize(1900, 1100)  # a big office monitor
    second.close()

    third: MainWindow = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    third.place(LAPTOP)
    assert fits(third, LAPTOP), third.geometry()
    third.close()
