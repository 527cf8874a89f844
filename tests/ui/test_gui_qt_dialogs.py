"""Qt's own dialogs speak Indonesian when the desk does: print, save/open file, message boxes.

Qt ships no Indonesian, so these texts come from ``ui.qt_indonesian`` through the
translator that ``ui.app`` installs; the dialogs are the ones the receipt opens.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from tests.support import samples
from tests.ui.modal import when_modal
from ui.detail_data import load_detail
from ui.i18n import Language
from ui.qt_dialogs import QtTexts, file_dialog_options, install_qt_texts
from ui.receipt import receipt_for
from ui.receipt_dialog import ReceiptDialog

ENGLISH = frozenset(
    {
        "Print",
        "&Print",
        "Cancel",
        "&Options >>",
        "Options",
        "Output &file:",
        "&Look in:",
        "File &name:",
        "Files of &type:",
        "&Open",
        "&Save",
        "&Yes",
        "&No",
        "Copies:",
        "Print range",
    }
)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LAPOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def qt_texts(language: Language) -> Iterator[QtTexts]:
    translator = install_qt_texts(language)
    yield translator
    QCoreApplication.removeTranslator(translator)


def texts_of(dialog: QWidget) -> set[str]:
    """Every label, button, group title and choice the dialog shows, and its title."""
    found = {dialog.windowTitle()}
    for widget in dialog.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton):
            found.add(widget.text())
        elif isinstance(widget, QGroupBox):
            found.add(widget.title())
        elif isinstance(widget, QComboBox):
            found.update(widget.itemText(i) for i in range(widget.count()))
    return {text for text in found if text}


@pytest.fixture
def receipt_dialog(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> ReceiptDialog:
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    page = load_detail(sqlite_desk.lookup, sqlite_desk.context, saved.uuid, sqlite_clerk)
    assert page is not None
    dialog = ReceiptDialog(language, receipt_for(page, sqlite_desk.context.office, training=False))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_receipts_print_dialog_is_indonesian(
    qtbot: QtBot, qt_texts: QtTexts, receipt_dialog: ReceiptDialog, shots: Path
) -> None:
    shown: set[str] = set()

    def read(dialog: QPrintDialog) -> None:
        [options] = [b for b in dialog.findChildren(QAbstractButton) if b.text() == "&Pilihan >>"]
        options.click()
        shown.update(texts_of(dialog))
        assert dialog.grab().save(str(shots / "qt_print_dialog_id.png"))
        dialog.reject()

    steps = when_modal(QPrintDialog, read)
    receipt_dialog.print_with_dialog()
    steps.raise_failure()

    assert {"Cetak", "&Cetak", "Batal", "Printer", "&File hasil:", "Jumlah salinan:"} <= shown
    assert {"Halaman yang dicetak", "Cetak ke file (PDF)"} <= shown
    assert shown.isdisjoint(ENGLISH), shown & ENGLISH


def test_the_receipts_save_as_pdf_dialog_is_indonesian(
    qtbot: QtBot, qt_texts: QtTexts, receipt_dialog: ReceiptDialog, shots: Path
) -> None:
    shown: set[str] = set()

    def read(dialog: QFileDialog) -> None:
        assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
        shown.update(texts_of(dialog))
        assert dialog.grab().save(str(shots / "qt_save_pdf_dialog_id.png"))
        dialog.reject()

    steps = when_modal(QFileDialog, read)
    receipt_dialog.ask_and_save_pdf()
    steps.raise_failure()

    assert {"&Cari di:", "&Nama file:", "&Jenis file:", "&Simpan", "Batal"} <= shown
    assert shown.isdisjoint(ENGLISH), shown & ENGLISH


def test_the_open_file_dialog_and_message_box_buttons_are_indonesian(
    qtbot: QtBot, qt_texts: QtTexts, language: Language, tmp_path: Path
) -> None:
    picker = QFileDialog(None, "Lampirkan file", str(tmp_path))
    picker.setOptions(file_dialog_options(language))
    picker.setFileMode(QFileDialog.FileMode.ExistingFiles)
    qtbot.addWidget(picker)
    picker.show()
    buttons = (
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel
    )
    box = QMessageBox(QMessageBox.Icon.Question, "LAPOR! Desktop", "Lanjutkan?", buttons)
    qtbot.addWidget(box)
    box.show()

    assert {"&Buka", "Batal", "&Cari di:"} <= texts_of(picker)
    assert {"&Ya", "&Tidak", "Batal"} <= texts_of(box)
    assert texts_of(picker).isdisjoint(ENGLISH) and texts_of(box).isdisjoint(ENGLISH)


def test_an_english_desk_gets_qts_english_and_the_native_file_dialog(
    qtbot: QtBot, qt_texts: QtTexts, language: Language
) -> None:
    language.switch("en")
    box = QMessageBox(
        QMessageBox.Icon.Question, "LAPOR! Desktop", "Go on?", QMessageBox.StandardButton.Cancel
    )
    qtbot.addWidget(box)
    box.show()

    assert "Cancel" in texts_of(box)
    assert not file_dialog_options(language) & QFileDialog.Option.DontUseNativeDialog
    assert isinstance(box, QDialog)
