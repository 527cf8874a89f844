"""The status history of one complaint, with every note readable whole.

An agency's reply can run to a paragraph. Notes wrap and each row grows to its text, and
the table grows to its rows (the detail pane scrolls, not the table), so nothing is cut.
Enter or a double-click on a row also opens the note alone in a dialog, to read or copy.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.complaint import StatusEventView
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_
from ui.formatting import enum_label, long_datetime
from ui.i18n import Texts

COLUMNS = (N_("When"), N_("Status"), N_("By"), N_("Note"))
NOTE_COLUMN = 3
NOTE_TITLE = N_("Note of {status} ({when})")
NOTE_HINT = N_("Enter or a double-click opens a note whole.")


class TimelineTable(QTableWidget):
    """``note_dialog`` is the note opened last (None once closed): for tests and tours."""

    def __init__(self, texts: Texts, timezone: str, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self._texts, self._timezone = texts, timezone
        self.note_dialog: QDialog | None = None
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().sectionResized.connect(lambda *_args: self._fit_rows())
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((130, 110, 80)):  # dates wrap; the note gets the room
            self.setColumnWidth(column, width)
        self.setToolTip(texts.text(NOTE_HINT))
        texts.language.changed.connect(lambda _code: self.setToolTip(texts.text(NOTE_HINT)))
        self.cellDoubleClicked.connect(lambda row, _column: self.open_note(row))
        self.installEventFilter(self)

    def show_events(self, events: Sequence[StatusEventView]) -> None:
        t, lang = self._texts, self._texts.language.code
        self.setRowCount(len(events))
        for row, event in enumerate(events):
            cells = (
                long_datetime(event.occurred_at, self._timezone, lang),
                enum_label(Status, event.status, lang),
                event.actor,
                event.note,
            )
            for column, text in enumerate(cells):
                self.setItem(row, column, QTableWidgetItem(text))
        self.setHorizontalHeaderLabels([t.text(c) for c in COLUMNS])
        self.resizeRowsToContents()
        self._fit_rows()

    def texts(self) -> list[list[str]]:
        return [
            [_text(self.item(row, column)) for column in range(self.columnCount())]
            for row in range(self.rowCount())
        ]

    def open_note(self, row: int) -> QDialog | None:
        """The row's note alone, wrapped and selectable; nothing for a row without a note."""
        note = _text(self.item(row, NOTE_COLUMN))
        if not note:
            return None
        dialog = QDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(
            self._texts.text(
                NOTE_TITLE, status=_text(self.item(row, 1)), when=_text(self.item(row, 0))
            )
        )
        text = QPlainTextEdit(note)
        text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(_text(self.item(row, 2))))
        layout.addWidget(text, 1)
        layout.addWidget(buttons)
        dialog.resize(560, 320)
        dialog.finished.connect(self._note_closed)
        self.note_dialog = dialog
        dialog.open()
        return dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.currentRow() >= 0
        ):
            self.open_note(self.currentRow())
            return True
        return super().eventFilter(watched, event)

    def _note_closed(self) -> None:
        self.note_dialog = None

    def _fit_rows(self) -> None:
        """As tall as its rows: the pane around it scrolls, so no row is cut at the bottom."""
        header = self.horizontalHeader()
        height = max(header.height(), header.sizeHint().height()) + self.verticalHeader().length()
        self.setFixedHeight(max(height + 2 * self.frameWidth(), 120))


def _text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""
