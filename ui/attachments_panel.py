"""The intake form's attachments: drop files or pick them, see them, take one out before saving.

Each file is encrypted into the store on the database worker as soon as it
is picked (``IntakeService.store_file``), so a refused file (too large, a
program, an archive) is explained at once, beside the list, in the
office's terms. The complaint row only lists it when the form is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QImageReader,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.complaint import AttachmentView
from lapor_desktop.i18n import N_, Message
from lapor_desktop.settings import MIB, AttachmentSettings
from lapor_desktop.validation.issues import ValidationIssue
from ui.attachments_preview import PreviewDialog
from ui.fields import FieldError, set_role
from ui.i18n import Texts
from ui.qt_dialogs import file_dialog_options
from ui.tasks import TaskRunner

THUMBNAIL = 64
FILE_ROLE = Qt.ItemDataRole.UserRole
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1
HINT = N_(
    "Photos, scans, PDFs and office documents, up to {limit_mb} MB each. "
    "Drag files here or press Ctrl+O."
)
REFUSED = N_("{filename}: {reason}")
DIALOG_FILTER = N_("Photos, scans and documents ({patterns});;All files (*)")
PATTERNS = " ".join(
    f"*.{ext}"
    for ext in [
        "jpg",
        "jpeg",
        "png",
        "heic",
        "webp",
        "tif",
        "tiff",
        "bmp",
        "gif",
        "pdf",
        "doc",
        "docx",
        "odt",
        "xls",
        "xlsx",
        "txt",
    ]
)

StoreFile = Callable[[Path], "AttachmentView | Message"]


def file_size(size: int, language: str) -> str:
    """``1,4 MB`` in Indonesian, ``1.4 MB`` in English; small files in KB."""
    if size < MIB:
        return f"{max(1, round(size / 1024))} KB"
    text = f"{size / MIB:.1f}"
    return (text.replace(".", ",") if language == "id" else text) + " MB"


def thumbnail(path: Path) -> QImage | None:
    """A small picture of an image file, read scaled (a 12-megapixel photo never sits whole)."""
    reader = QImageReader(str(path))
    if not reader.canRead():
        return None
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else image


class AttachmentsPanel(QWidget):
    """``changed`` when the list changes; ``settled`` when no file is still being stored."""

    changed = Signal()
    settled = Signal()

    def __init__(
        self,
        texts: Texts,
        runner: TaskRunner,
        store_file: StoreFile,
        settings: AttachmentSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts
        self._runner = runner
        self._store_file = store_file
        self._pending = 0
        self._refused: list[Message] = []
        self.list = QListWidget()
        self.add_button = QPushButton()
        self.remove_button = QPushButton()
        self.hint = set_role(QLabel(), "hint")
        self.error = FieldError()
        self.setAcceptDrops(True)
        self._lay_out(settings)
        self.add_button.clicked.connect(self.ask_for_files)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.itemActivated.connect(self._preview)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_selected)
        self._update_buttons()

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def files(self) -> tuple[AttachmentView, ...]:
        return tuple(self.list.item(row).data(FILE_ROLE) for row in range(self.list.count()))

    def add_paths(self, paths: Iterable[Path]) -> None:
        """Store each file on the worker; it joins the list once stored, or is explained."""
        self._refused.clear()
        self._show_refused()
        store = self._store_file
        for path in paths:
            self._pending += 1

            def work(path: Path = path) -> tuple[AttachmentView | Message, QImage | None]:
                stored = store(path)
                return stored, thumbnail(path) if isinstance(stored, AttachmentView) else None

            def done(
                result: tuple[AttachmentView | Message, QImage | None], path: Path = path
            ) -> None:
                self._stored(path, *result)

            self._runner.run(work, done, self._failed)

    def load(self, files: Sequence[AttachmentView]) -> None:
        """The attachments of a draft taken up again (already in the store)."""
        self.list.clear()
        for view in files:
            self._append(view, None, None)
        self._refused.clear()
        self._show_refused()
        self.changed.emit()

    def clear(self) -> None:
        self.load(())

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self.list.takeItem(row)
        self._update_buttons()
        self.changed.emit()

    def ask_for_files(self) -> None:
        patterns = self._texts.text(DIALOG_FILTER, patterns=PATTERNS)
        chosen, _filter = QFileDialog.getOpenFileNames(
            self,
            self._texts.text(N_("Attach files")),
            "",
            patterns,
            options=file_dialog_options(self._texts.language),
        )
        self.add_paths(Path(name) for name in chosen)

    def show_issues(self, issues: Iterable[ValidationIssue]) -> None:
        """Problems the core found with the attachments when saving."""
        self._refused = [issue.message for issue in issues]
        self._show_refused()

    # -- drag and drop --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_files(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    # -- reactions ------------------------------------------------------------------------

    def _stored(self, path: Path, outcome: AttachmentView | Message, image: QImage | None) -> None:
        self._pending -= 1
        if isinstance(outcome, Message):
            self._refused.append(Message(REFUSED, {"filename": path.name, "reason": outcome}))
            self._show_refused()
        elif outcome.sha256 not in {f.sha256 for f in self.files()}:
            self._append(outcome, image, path)
            self.changed.emit()
        if not self._pending:
            self.settled.emit()

    def _failed(self, error: BaseException) -> None:
        self._pending -= 1
        self._runner.failed.emit(error)
        if not self._pending:
            self.settled.emit()

    def _append(self, view: AttachmentView, image: QImage | None, source: Path | None) -> None:
        size = file_size(view.size_bytes, self._texts.language.code)
        item = QListWidgetItem(f"{view.filename}\n{size}")
        item.setData(FILE_ROLE, view)
        item.setData(SOURCE_ROLE, str(source) if source else "")
        item.setToolTip(f"{view.filename} ({view.media_type}, {size})")
        if image is not None:
            item.setIcon(QIcon(QPixmap.fromImage(image)))
        else:
            item.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon))
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        self._update_buttons()

    def _preview(self, item: QListWidgetItem) -> None:
        source = str(item.data(SOURCE_ROLE) or "")
        image = QImage(source) if source else QImage()
        if not image.isNull():
            name = item.data(FILE_ROLE).filename
            PreviewDialog.show_image(self._texts.language, name, image, self)

    def _show_refused(self) -> None:
        message: Message | None = None
        for refused in reversed(self._refused):
            if message is None:
                message = refused
            else:
                message = Message("{a}\n{b}", {"a": refused, "b": message})
        self._texts.show("attachments.refused", self.error.setText, message)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.list.currentRow() >= 0)
        self.list.setVisible(self.list.count() > 0)

    def _lay_out(self, settings: AttachmentSettings) -> None:
        t = self._texts
        t.bind(self.add_button.setText, N_("Attach files… (Ctrl+O)"))
        t.bind(self.remove_button.setText, N_("Remove (Del)"))
        limit = f"{settings.max_bytes / MIB:.1f}".removesuffix(".0")
        t.bind(self.hint.setText, HINT, limit_mb=limit)
        self.hint.setWordWrap(True)
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.list.setGridSize(QSize(THUMBNAIL * 2 + 24, THUMBNAIL + 44))
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setFixedHeight(THUMBNAIL + 60)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        layout.addWidget(self.error)
        QWidget.setTabOrder(self.add_button, self.remove_button)
        QWidget.setTabOrder(self.remove_button, self.list)


def _local_files(urls: Iterable[QUrl]) -> list[Path]:
    paths = []
    for url in urls:
        local = url.toLocalFile()
        if local and Path(local).is_file():
            paths.append(Path(local))
    return paths
