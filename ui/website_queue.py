"""The website lane's work queue: what waits to be typed into LAPOR!, who is typing what.

The rows come in the service's order (urgent first, then oldest); the table only shows
them. A row another operator holds says who and since when, so nobody types a complaint
twice; a row started and never finished says to look at LAPOR! first.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.i18n import N_
from lapor_desktop.services.website_lane import QueueItem
from ui.fields import set_role
from ui.formatting import short_datetime
from ui.i18n import Texts
from ui.style import ERROR_TEXT

COLUMNS = (
    N_("Registration number"),
    N_("Title"),
    N_("Waiting since"),
    N_("Being typed by"),
    N_("Note"),
)
COLUMN_WIDTHS = (190, 112, 122, 118)
"""Number, title, since and holder; the note takes the rest (the queue's share of 1366 px)."""
ID_ROLE = Qt.ItemDataRole.UserRole
URGENT = N_("Urgent")
CHECK_FIRST = N_("Check LAPOR! first")
HELD_BY = N_("{user} ({station}), since {since}")
HELD_BY_ME = N_("You, since {since}")
EMPTY_QUEUE = N_("Nothing waits to be typed into LAPOR!.")
COUNT = N_("{count} waiting; urgent first, then oldest.")
START_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class WebsiteQueue(QWidget):
    """``start_requested`` with the outbox id of the row chosen (Enter, or the button)."""

    start_requested = Signal(int)

    def __init__(
        self, texts: Texts, timezone: str, *, may_type: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._texts, self._timezone, self._may_type = texts, timezone, may_type
        self.items: tuple[QueueItem, ...] = ()
        self.heading = set_role(QLabel(), "heading")
        self.summary = set_role(QLabel(), "hint")
        self.table = QTableWidget(0, len(COLUMNS))
        self.start_button = QPushButton()
        self._lay_out()
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _index: self._request())
        self.start_button.clicked.connect(self._request)
        texts.language.changed.connect(lambda _code: self.show_items(self.items))

    def show_items(self, items: Sequence[QueueItem]) -> None:
        """Rows in the given order; the chosen complaint stays chosen if it is still there."""
        chosen = self.chosen()
        self.items = tuple(items)
        t = self._texts
        self.table.setHorizontalHeaderLabels([t.text(c) for c in COLUMNS])
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            self._fill(row, item)
        self.table.resizeRowsToContents()
        count = len(self.items)
        self.summary.setText(t.text(COUNT, count=count) if count else t.text(EMPTY_QUEUE))
        self.start_button.setEnabled(self._may_type and count > 0)
        rows = [i for i, item in enumerate(self.items) if item.outbox_id == chosen]
        if rows or count:
            self.table.selectRow(rows[0] if rows else 0)

    def chosen(self) -> int | None:
        row = self.table.currentRow()
        return self.items[row].outbox_id if 0 <= row < len(self.items) else None

    def choose(self, outbox_id: int) -> None:
        for row, item in enumerate(self.items):
            if item.outbox_id == outbox_id:
                self.table.selectRow(row)

    def focus(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def row_texts(self) -> list[list[str]]:
        """What each row shows, for tests and tours."""
        table = self.table
        return [
            [_text(table.item(row, column)) for column in range(table.columnCount())]
            for row in range(table.rowCount())
        ]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on a row starts it (a table's own Enter only edits, and it is read-only)."""
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in START_KEYS
        ):
            self._request()
            return True
        return super().eventFilter(watched, event)

    def _request(self) -> None:
        chosen = self.chosen()
        if chosen is not None and self._may_type:
            self.start_requested.emit(chosen)

    def _fill(self, row: int, item: QueueItem) -> None:
        t, lang = self._texts, self._texts.language.code
        holder = ""
        if item.holder is not None:
            since = item.holder.since or item.queued_at
            when = short_datetime(since, self._timezone, lang)
            holder = (
                t.text(HELD_BY_ME, since=when)
                if item.mine
                else t.text(HELD_BY, user=item.holder.user, station=item.holder.station, since=when)
            )
        notes = [
            t.text(m) for m, on in ((URGENT, item.urgent), (CHECK_FIRST, item.check_first)) if on
        ]
        cells = (
            item.registration_number,
            item.title,
            short_datetime(item.queued_at, self._timezone, lang),
            holder,
            " · ".join(notes),
        )
        for column, text in enumerate(cells):
            cell = QTableWidgetItem(text)
            cell.setData(ID_ROLE, item.outbox_id)
            cell.setToolTip(text)
            if column == len(cells) - 1 and (item.check_first or item.urgent):
                font = QFont(cell.font())
                font.setBold(True)
                cell.setFont(font)
                cell.setForeground(QBrush(QColor(ERROR_TEXT)))
            self.table.setItem(row, column, cell)

    def _lay_out(self) -> None:
        t = self._texts
        t.bind(self.heading.setText, N_("Waiting to be typed into LAPOR!"))
        t.bind(self.start_button.setText, N_("Start typing the chosen one (Enter)"))
        table = self.table
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            table.setColumnWidth(column, width)
        table.setWordWrap(True)
        t.bind(table.setAccessibleName, N_("Waiting to be typed into LAPOR!"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(table, 1)
        layout.addWidget(self.start_button)


def _text(cell: QTableWidgetItem | None) -> str:
    return cell.text() if cell is not None else ""
