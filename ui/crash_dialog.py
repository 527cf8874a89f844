"""A bug is told, not hidden: a report is saved to the data folder and the window carries on.

:class:`CrashReporter` installs the core's excepthook
(:func:`lapor_desktop.crash.install_excepthook`), so an exception no code
caught, in a slot or on another thread, writes a report without personal
data; the report's place reaches the GUI thread through a queued signal
and one :class:`CrashDialog` says where it is. Background tasks that fail
with a bug are reported the same way (:meth:`CrashReporter.report`).
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.crash import install_excepthook, write_crash_report
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from ui.fields import set_role
from ui.i18n import Language, Texts

log = logging.getLogger(__name__)

REPORT_SAVED = N_(
    "Something unexpected went wrong. A report without personal data was saved in the file "
    "below; please give it to IT staff. You can carry on working: what was already saved "
    "is safe."
)
MORE_REPORTS = N_(
    "{count} unexpected errors so far, each with its report; the newest is the file below. "
    "You can carry on working: what was already saved is safe."
)
NO_REPORT = N_(
    "Something unexpected went wrong, and no report could be written to the data folder "
    "(is the disk full?). You can carry on working: what was already saved is safe. "
    "Please tell IT staff."
)


class CrashDialog(QDialog):
    """Says a report was saved and where; Copy the path, Open the folder, Carry on."""

    def __init__(self, language: Language, report: Path | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._texts = texts = Texts(language, self)
        self.reports: list[Path | None] = []
        texts.bind(self.setWindowTitle, N_("LAPOR! Desktop: unexpected error"))
        heading = set_role(QLabel(), "heading")
        texts.bind(heading.setText, N_("Unexpected error"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.location = QLabel()
        self.location.setWordWrap(True)
        self.location.setTextFormat(Qt.TextFormat.PlainText)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton()
        self.folder_button = QPushButton()
        self.close_button = QPushButton()
        texts.bind(self.copy_button.setText, N_("&Copy the report's location"))
        texts.bind(self.folder_button.setText, N_("&Open the folder"))
        texts.bind(self.close_button.setText, N_("C&arry on"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.copy_button, self.folder_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        self.close_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        layout.addWidget(self.location)
        layout.addLayout(buttons)
        self.copy_button.clicked.connect(self.copy_location)
        self.folder_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.accept)
        self.setMinimumWidth(520)
        self.add(report)

    @property
    def newest(self) -> Path | None:
        return self.reports[-1] if self.reports else None

    def add(self, report: Path | None) -> None:
        """Another report while this dialog is open: one dialog, the count and the newest."""
        self.reports.append(report)
        if report is None:
            message = Message(NO_REPORT)
        elif len(self.reports) == 1:
            message = Message(REPORT_SAVED)
        else:
            message = Message(MORE_REPORTS, {"count": len(self.reports)})
        self._texts.show("message", self.message.setText, message)
        self.location.setText(str(report) if report is not None else "")
        self.location.setVisible(report is not None)
        has_path = self.newest is not None
        self.copy_button.setEnabled(has_path)
        self.folder_button.setEnabled(has_path)

    def copy_location(self) -> None:
        if self.newest is not None:
            QApplication.clipboard().setText(str(self.newest))

    def open_folder(self) -> None:
        if self.newest is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.newest.parent)))


class CrashReporter(QObject):
    """Owns the excepthook while the application runs; ``shown`` carries the dialog."""

    shown = Signal(object)
    _reported = Signal(object)

    def __init__(self, paths: DataPaths, language: Language, parent: QObject | None = None):
        super().__init__(parent)
        self._paths, self._language = paths, language
        self.window: QWidget | None = None
        """The dialog's parent once the main window is open."""
        self.dialog: CrashDialog | None = None
        self._previous: tuple[object, object] | None = None
        self._reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        """From now on, an uncaught exception on any thread is reported here."""
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            install_excepthook(self._paths, self._reported.emit)

    def uninstall(self) -> None:
        """Put back the hooks found at :meth:`install` (tests run many sessions in one process)."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous  # type: ignore[assignment]
            self._previous = None

    def report(self, error: BaseException) -> Path | None:
        """A bug a background task raised: write its report and say where (GUI thread)."""
        try:
            path: Path | None = write_crash_report(self._paths, error)
        except OSError:
            log.exception("the crash report could not be written")
            path = None
        self._show(path)
        return path

    @Slot(object)
    def _show(self, report: Path | None) -> None:
        if self.dialog is not None:
            self.dialog.add(report)
            return
        dialog = CrashDialog(self._language, report, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()
        self.shown.emit(dialog)

    def _closed(self) -> None:
        self.dialog = None
