"""The receipt on screen right after saving, with printing and saving as PDF one key away.

It opens no taller than the screen leaves free (a 1366×768 laptop with a
taskbar), the text scrolling and the buttons always in view.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize, QStandardPaths
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.i18n import N_, Message
from ui.fields import set_role
from ui.i18n import Language, Texts
from ui.qt_dialogs import file_dialog_options
from ui.receipt import Receipt, add_qr, print_receipt, receipt_html, save_pdf
from ui.window_geometry import WindowPlacement, fit_to_screen

SAVED_TO = N_("Saved: {path}")
PREFERRED_SIZE = QSize(620, 760)


class ReceiptDialog(QDialog):
    """Shows one receipt; ``save_pdf`` is what the PDF button does once a path is chosen."""

    def __init__(
        self,
        language: Language,
        receipt: Receipt,
        parent: QWidget | None = None,
        *,
        placement: WindowPlacement | None = None,
        available: QRect | None = None,
    ) -> None:
        super().__init__(parent)
        self._placement = placement
        self._texts = texts = Texts(language, self)
        self.receipt = receipt
        self.view = QTextBrowser()
        self.status = set_role(QLabel(), "hint")
        self.print_button = QPushButton()
        self.pdf_button = QPushButton()
        self.close_button = QPushButton()
        texts.bind(self.setWindowTitle, N_("Receipt (tanda terima)"))
        texts.bind(self.print_button.setText, N_("&Print receipt (Ctrl+P)"))
        texts.bind(self.pdf_button.setText, N_("Save as P&DF"))
        texts.bind(self.close_button.setText, N_("C&lose"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.pdf_button, self.print_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        self.close_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        if placement is None:
            fit_to_screen(self, PREFERRED_SIZE, available)
        else:
            placement.restore(self, PREFERRED_SIZE, available)
        self.finished.connect(self._keep_geometry)
        self.print_button.clicked.connect(self.print_with_dialog)
        self.pdf_button.clicked.connect(self.ask_and_save_pdf)
        self.close_button.clicked.connect(self.accept)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_with_dialog)
        language.changed.connect(self._render)
        self._render()

    def html(self) -> str:
        return receipt_html(self.receipt, self._texts.language.code)

    def save_pdf(self, path: Path) -> Path:
        receipt = self.receipt
        save_pdf(
            path,
            self.html(),
            training=receipt.training,
            title=self._file_title(),
            registration_number=receipt.registration_number,
        )
        self._texts.show("saved", self.status.setText, Message(SAVED_TO, {"path": str(path)}))
        return path

    def ask_and_save_pdf(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / f"{self._file_title()}.pdf")
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self._texts.text(N_("Save receipt as PDF")),
            suggested,
            "PDF (*.pdf)",
            options=file_dialog_options(self._texts.language),
        )
        if chosen:
            self.save_pdf(Path(chosen))

    def print_with_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            print_receipt(
                printer,
                self.html(),
                training=self.receipt.training,
                registration_number=self.receipt.registration_number,
            )

    def _keep_geometry(self) -> None:
        if self._placement is not None:
            self._placement.save(self)

    def _file_title(self) -> str:
        return f"tanda-terima-{self.receipt.registration_number}"

    def _render(self) -> None:
        add_qr(self.view.document(), self.receipt.registration_number)
        self.view.setHtml(self.html())
