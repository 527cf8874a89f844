"""A complaint's files in the detail view: a picture opens inside the desk, any file can be saved.

Files are decrypted by the core on the database worker, for roles that may
see the complainant's identity (a scanned KTP is one); each opening is
audited there. A picture is shown from memory; "Save a copy" is the only
way a decrypted file reaches the disk, where the operator chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.complaint import AttachmentView
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.lookup import ATTACHMENT_HIDDEN
from ui.attachments_panel import file_size
from ui.attachments_preview import PreviewDialog
from ui.detail_data import DetailActions
from ui.fields import FieldError, set_role
from ui.i18n import Texts
from ui.qt_dialogs import file_dialog_options
from ui.tasks import TaskRunner

NONE = N_("No files attached.")
SAVED_COPY = N_("Copy saved: {path}")
NO_PREVIEW = N_("Only pictures can be shown here; save a copy to open this file.")


class AttachmentsView(QWidget):
    """``previewed`` with the open preview dialog; ``saved`` with the path of a saved copy."""

    previewed = Signal(object)
    saved = Signal(object)

    def __init__(self, texts: Texts, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self._runner = runner
        self._actions: DetailActions | None = None
        self._files: tuple[AttachmentView, ...] = ()
        self.list = QListWidget()
        self.preview_button = QPushButton()
        self.save_button = QPushButton()
        self.empty = set_role(QLabel(), "hint")
        self.hidden = set_role(QLabel(), "hint")
        self.message = FieldError()
        texts.bind(self.preview_button.setText, N_("&Show picture"))
        texts.bind(self.save_button.setText, N_("Save a cop&y…"))
        texts.bind(self.empty.setText, NONE)
        texts.bind(self.hidden.setText, ATTACHMENT_HIDDEN)
        self.hidden.setWordWrap(True)
        self.list.setMaximumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.empty, self.hidden, self.list):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.preview_button.clicked.connect(lambda: self.preview(self.list.currentRow()))
        self.save_button.clicked.connect(self._ask_and_save)
        self.list.itemActivated.connect(lambda _item: self.preview(self.list.currentRow()))
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())

    def show_files(
        self, files: Sequence[AttachmentView], actions: DetailActions | None, *, allowed: bool
    ) -> None:
        self._files = tuple(files)
        self._actions = actions if allowed else None
        self.list.clear()
        language = self._texts.language.code
        for view in self._files:
            item = QListWidgetItem(f"{view.filename} · {file_size(view.size_bytes, language)}")
            item.setToolTip(view.media_type)
            icon = QStyle.StandardPixmap.SP_FileIcon
            item.setIcon(self.style().standardIcon(icon))
            self.list.addItem(item)
        if self._files:
            self.list.setCurrentRow(0)
        self.empty.setVisible(not self._files)
        self.list.setVisible(bool(self._files))
        self.hidden.setVisible(bool(self._files) and not allowed)
        self._texts.show("attachments.message", self.message.setText, None)
        self._update_buttons()

    def preview(self, row: int) -> None:
        """Show a picture, decrypted in memory on the worker."""
        if self._actions is None or not 0 <= row < len(self._files):
            return
        view = self._files[row]
        if not view.media_type.startswith("image/"):
            self._say(Message(NO_PREVIEW))
            return
        read = self._actions.read_attachment
        self._runner.run(lambda: read(view.sha256), lambda data: self._show_picture(view, data))

    def save_copy(self, row: int, destination: Path) -> None:
        if self._actions is None or not 0 <= row < len(self._files):
            return
        sha256, export = self._files[row].sha256, self._actions.export_attachment
        self._runner.run(
            lambda: export(sha256, destination),
            lambda result: self._copied(destination, result),
        )

    def _ask_and_save(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._files):
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self._texts.text(N_("Save a copy")),
            str(Path(folder) / self._files[row].filename),
            options=file_dialog_options(self._texts.language),
        )
        if chosen:
            self.save_copy(row, Path(chosen))

    def _show_picture(self, view: AttachmentView, data: bytes | Message) -> None:
        if isinstance(data, Message):
            self._say(data)
            return
        image = QImage.fromData(data)
        if image.isNull():
            self._say(Message(NO_PREVIEW))
            return
        dialog = PreviewDialog.show_image(self._texts.language, view.filename, image, self)
        self.previewed.emit(dialog)

    def _copied(self, destination: Path, result: int | Message) -> None:
        if isinstance(result, Message):
            self._say(result)
            return
        self._say(Message(SAVED_COPY, {"path": str(destination)}), error=False)
        self.saved.emit(destination)

    def _say(self, message: Message, *, error: bool = True) -> None:
        set_role(self.message, "error" if error else "status-ok")
        self._texts.show("attachments.message", self.message.setText, message)

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        usable = self._actions is not None and 0 <= row < len(self._files)
        self.save_button.setEnabled(usable)
        is_image = usable and self._files[row].media_type.startswith("image/")
        self.preview_button.setEnabled(is_image)
        self.preview_button.setVisible(bool(self._files))
        self.save_button.setVisible(bool(self._files))
