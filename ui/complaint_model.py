"""The complaint list as a Qt table model that pages by key, newest first.

Rows arrive a page at a time from the lookup service on the database
worker (``fetchMore`` when the view scrolls near the end), so opening the
list costs one page whatever the size of the database. Summaries carry
no identity data, so nothing here can leak one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from lapor_desktop.domain.complaint import Classification, ComplaintSummary
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import N_
from lapor_desktop.services.lookup import PAGE_SIZE, ComplaintQuery, ListedComplaint
from ui.formatting import EMPTY, enum_label, short_datetime
from ui.i18n import Language
from ui.style import sync_colours
from ui.tasks import TaskRunner

PageLoader = Callable[[ComplaintQuery], tuple[list[ComplaintSummary], int | None]]
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

COLUMNS = (
    ("registration_number", N_("Registration no.")),
    ("title", N_("Title")),
    ("sync_state", N_("Sending to LAPOR!")),
    ("status", N_("Status")),
    ("created_at", N_("Recorded")),
    ("classification", N_("Classification")),
)
"""What matters first: which complaint, and whether LAPOR! has it."""
SYNC_COLUMN = 2
STATUS_COLUMN = 3
SORTABLE = frozenset({0, 4})
"""Registration number and date follow the key order; other columns would need a full scan."""
SORT_COLUMN = 4
OVERDUE = N_("{status}, overdue")
UUID_ROLE = Qt.ItemDataRole.UserRole
NO_NUMBER = N_("(draft)")
OVERDUE_COLOURS = ("#f8d7da", "#58151c")
"""(fill, text) of the overdue badge: the same alarm as a quarantined complaint."""


class ComplaintTableModel(QAbstractTableModel):
    """``page_loaded`` after each page, for the view's status line and for tests."""

    page_loaded = Signal()

    def __init__(
        self,
        load_page: PageLoader,
        runner: TaskRunner,
        language: Language,
        timezone: str,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self._load_page = load_page
        self._runner = runner
        self._language = language
        self._timezone = timezone
        self._page_size = page_size
        self._rows: list[ComplaintSummary] = []
        self._query = ComplaintQuery(limit=page_size)
        self._next_key: int | None = None
        self._more = False
        self._loading = False
        self._generation = 0
        language.changed.connect(self._retranslate)

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def timezone(self) -> str:
        return self._timezone

    @property
    def query(self) -> ComplaintQuery:
        return self._query

    def set_query(self, query: ComplaintQuery) -> None:
        """New filters; the rows shown stay until the answer's first page replaces them.

        Pages of an older query that arrive late are dropped.
        """
        self._start(dataclasses.replace(query, limit=self._page_size, before_id=None))

    def reload(self) -> None:
        """Read again as many rows as are shown (something changed); the view keeps its place."""
        limit = max(self._page_size, len(self._rows))
        self._start(dataclasses.replace(self._query, limit=limit, before_id=None))

    def row_of(self, uuid: str) -> int | None:
        for row, summary in enumerate(self._rows):
            if summary.uuid == uuid:
                return row
        return None

    def summary(self, row: int) -> ComplaintSummary:
        return self._rows[row]

    # -- Qt's model interface -------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        summary = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(summary, COLUMNS[column][0])
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[column][0] == "title":
            return summary.title
        if role == UUID_ROLE:
            return summary.uuid
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            colours = None
            if column == SYNC_COLUMN:
                colours = sync_colours(summary.sync_state)
            elif column == STATUS_COLUMN and is_overdue(summary):
                colours = OVERDUE_COLOURS
            if colours is not None:
                fill, text = colours
                return QBrush(QColor(fill if role == Qt.ItemDataRole.BackgroundRole else text))
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Oldest or newest first (the key order); other columns keep the current order."""
        if column not in SORTABLE:
            return
        ascending = order == Qt.SortOrder.AscendingOrder
        if ascending != self._query.ascending:
            self.set_query(dataclasses.replace(self._query, ascending=ascending))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return self._language.text(COLUMNS[section][1])
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._fetch()

    # -- loading --------------------------------------------------------------------------

    def _start(self, query: ComplaintQuery) -> None:
        self._generation += 1
        self._query = query
        self._next_key = None
        self._more = False
        self._fetch(first=True)

    def _fetch(self, *, first: bool = False) -> None:
        self._loading = True
        generation = self._generation
        query = self._query
        if not first:
            query = dataclasses.replace(query, limit=self._page_size, before_id=self._next_key)
        load = self._load_page
        self._runner.run(
            lambda: load(query),
            lambda page: self._arrived(generation, first, page),
            lambda error: self._failed(generation, error),
        )

    def _arrived(
        self, generation: int, first: bool, page: tuple[list[ComplaintSummary], int | None]
    ) -> None:
        if generation != self._generation:
            return
        rows, next_key = page
        if first:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
        elif rows:
            start = len(self._rows)
            self.beginInsertRows(_ROOT, start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._next_key = next_key
        self._more = next_key is not None
        self._loading = False
        self.page_loaded.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._loading = False
            self._more = False
        self._runner.failed.emit(error)

    def _text(self, summary: ComplaintSummary, field: str) -> str:
        language = self._language
        if field == "registration_number":
            return summary.registration_number or language.text(NO_NUMBER)
        if field == "created_at":
            return short_datetime(summary.created_at, self._timezone, language.code)
        if field == "classification":
            return enum_label(Classification, summary.classification, language.code)
        if field == "title":
            return summary.title or EMPTY
        if field == "status":
            status = enum_label(Status, summary.status, language.code)
            return language.text(OVERDUE, status=status) if is_overdue(summary) else status
        return enum_label(SyncState, summary.sync_state, language.code)

    def _retranslate(self) -> None:
        if self._rows:
            last = self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)


def is_overdue(summary: ComplaintSummary) -> bool:
    """Rows from the lookup service say so when the list asked (``flag_overdue_on``)."""
    return isinstance(summary, ListedComplaint) and summary.overdue
