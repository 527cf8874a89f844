"""The complaint list as a Qt table model: every row of the query, read by position on demand.

Opening the list costs one count and one page whatever the size of the
database; the table has as many rows as the query finds, and a row the
view paints before its page has arrived shows a placeholder while the
page is read on the database worker (from the nearest known place, see
``LookupService.page_at``): the last row of a million is as quick as the
first. A bounded set of pages is kept, so memory stays flat however far
the list is scrolled. Summaries carry no identity data, so nothing here
can leak one.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
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
from lapor_desktop.services.bundle_views import CarriedComplaint
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import (
    ComplaintQuery,
    ListedComplaint,
    ListPage,
    LookupService,
    RowKey,
)
from ui.formatting import EMPTY, enum_label, short_datetime
from ui.i18n import Language
from ui.row_refresh import MAX_PATCHED_ROWS, RowsRead, is_filtered, neighbours, read_rows, with_row
from ui.style import sync_colours
from ui.tasks import TaskRunner

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
PAGE_ROWS = 100
KEPT_PAGES = 40
"""Pages kept in memory (4,000 rows), the least recently shown dropped first."""
WANTED_PAGES = 4
"""Pages asked for and not read yet: a fast scroll forgets the rows it flew past."""
RELOADED_PAGES = 3
"""Pages read again after a change: the most recently shown, so the view keeps its place."""
PLACEHOLDER = "…"


@dataclasses.dataclass(frozen=True)
class LookupSource:
    """Where the rows come from: the lookup service, as the signed-in person may see it."""

    lookup: LookupService
    actor: Actor
    marks: Callable[[ListPage], ListPage] | None = None
    """Marks the rows a bundle carries (``bundle_views.carried_rows``)."""

    def count(self, query: ComplaintQuery) -> int:
        return self.lookup.count(query, actor=self.actor)

    def page_at(
        self, query: ComplaintQuery, start: int, total: int, near: tuple[RowKey, ...]
    ) -> ListPage:
        page = self.lookup.page_at(query, start, total=total, near=near, actor=self.actor)
        return page if self.marks is None else self.marks(page)


class ComplaintTableModel(QAbstractTableModel):
    """``page_loaded`` when a query's answer (its count and first rows) is shown;
    ``rows_loaded(first, last)`` when a later page's rows have arrived."""

    page_loaded = Signal()
    rows_loaded = Signal(int, int)

    def __init__(
        self,
        source: LookupSource,
        runner: TaskRunner,
        language: Language,
        timezone: str,
        *,
        page_size: int = PAGE_ROWS,
        kept_pages: int = KEPT_PAGES,
    ) -> None:
        super().__init__()
        self._source = source
        self._runner = runner
        self._language = language
        self._timezone = timezone
        self._page_size = page_size
        self._kept_pages = kept_pages
        self._query = ComplaintQuery(limit=page_size)
        self._total = 0
        self._pages: OrderedDict[int, ListPage] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._reading: int | None = None
        self._loading = False
        self._generation = 0
        self._changes_seen = 0
        language.changed.connect(self._retranslate)

    @property
    def loading(self) -> bool:
        """A query's answer is awaited (the rows shown are still the previous answer's)."""
        return self._loading

    @property
    def timezone(self) -> str:
        return self._timezone

    @property
    def query(self) -> ComplaintQuery:
        return self._query

    @property
    def pages_kept(self) -> int:
        return len(self._pages)

    def set_query(self, query: ComplaintQuery) -> None:
        """New filters; the rows shown stay until the answer replaces them.

        Pages of an older query that arrive late are dropped.
        """
        self._start(dataclasses.replace(query, limit=self._page_size, before_id=None), ())

    def reload(self) -> None:
        """Count and read again (something changed); the pages last shown are read again too."""
        self._start(self._query, tuple(self._pages)[-RELOADED_PAGES:])

    def show_changes(self, changes: DeskChanges) -> None:
        """Repaint the rows named (read again alone); reset only when the count may change
        (or the settings, e.g. the deadlines behind the overdue badge)."""
        self._changes_seen += 1
        if changes.count_changed or changes.settings or (changes.complaints and self._loading):
            self.reload()
            return
        if not changes.complaints:
            return
        loaded = self._rows_by_uuid()
        rows = {loaded[uuid]: uuid for uuid in changes.complaints if uuid in loaded}
        unseen = len(rows) < len(changes.complaints)
        if len(rows) > MAX_PATCHED_ROWS or (unseen and is_filtered(self._query)):
            self.reload()
            return
        generation, source, query, total = self._generation, self._source, self._query, self._total
        pages = tuple(self._pages.values())
        wanted = {row: neighbours(pages, row) for row in rows}
        self._runner.run(
            lambda: read_rows(source, query, total, wanted),
            lambda answer: self._patched(generation, rows, answer),
            lambda error: self._failed(generation, error),
        )

    def row_of(self, uuid: str) -> int | None:
        """The row of a complaint among the rows read so far."""
        for page in self._pages.values():
            for offset, summary in enumerate(page.rows):
                if summary.uuid == uuid:
                    return page.start + offset
        return None

    def summary(self, row: int) -> ComplaintSummary:
        """A row that has been read; LookupError before its page has arrived."""
        summary = self._loaded(row)
        if summary is None:
            raise LookupError(f"row {row} has not been read yet")
        return summary

    # -- Qt's model interface -------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._total:
            return None
        summary = self._loaded(index.row())
        column = index.column()
        if summary is None:
            self._want(index.row() // self._page_size)
            if role == Qt.ItemDataRole.DisplayRole and column == 0:
                return PLACEHOLDER
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(summary, COLUMNS[column][0])
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[column][0] == "title":
            return summary.title
        if role == Qt.ItemDataRole.ToolTipRole and column == SYNC_COLUMN:
            return self._text(summary, "sync_state")
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
        if orientation == Qt.Orientation.Vertical and 0 <= section < self._total:
            return str(section + 1)
        return None

    # -- loading --------------------------------------------------------------------------

    def _loaded(self, row: int) -> ComplaintSummary | None:
        number = row // self._page_size
        page = self._pages.get(number)
        if page is None or row - page.start >= len(page.rows):
            return None
        self._pages.move_to_end(number)
        return page.rows[row - page.start]

    def _start(self, query: ComplaintQuery, again: tuple[int, ...]) -> None:
        self._generation += 1
        generation = self._generation
        self._query = query
        self._wanted.clear()
        self._reading = None
        self._loading = True
        source, size = self._source, self._page_size

        def answer() -> tuple[int, list[ListPage]]:
            total = source.count(query)
            numbers = sorted({0, *again})
            return total, [source.page_at(query, n * size, total, ()) for n in numbers]

        self._runner.run(
            answer,
            lambda result: self._answered(generation, *result),
            lambda error: self._failed(generation, error),
        )

    def _answered(self, generation: int, total: int, pages: list[ListPage]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._total = total
        self._pages = OrderedDict((page.start // self._page_size, page) for page in pages)
        self._loading = False
        self.endResetModel()
        self.page_loaded.emit()

    def _want(self, number: int) -> None:
        """Ask for a page not read yet (one that came back short stays short until a reload)."""
        if self._loading or number == self._reading or number in self._pages:
            return
        self._wanted[number] = None
        self._wanted.move_to_end(number)
        while len(self._wanted) > WANTED_PAGES:
            self._wanted.popitem(last=False)
        self._read_next()

    def _read_next(self) -> None:
        """One page at a time, the most recently wanted first: saves never queue behind a scroll."""
        if self._reading is not None or not self._wanted:
            return
        number, _ = self._wanted.popitem()
        self._reading = number
        generation, source, seen = self._generation, self._source, self._changes_seen
        query, total = self._query, self._total
        near = tuple(anchor for page in self._pages.values() for anchor in page.anchors())
        self._runner.run(
            lambda: source.page_at(query, number * self._page_size, total, near),
            lambda page: self._arrived(generation, page, seen),
            lambda error: self._failed(generation, error),
        )

    def _arrived(self, generation: int, page: ListPage, seen: int) -> None:
        if generation != self._generation:
            return
        self._reading = None
        if seen != self._changes_seen:
            self._want(page.start // self._page_size)  # read before a change: read it again
            return
        self._pages[page.start // self._page_size] = page
        while len(self._pages) > self._kept_pages:
            self._pages.popitem(last=False)
        if page.rows:
            last = page.start + len(page.rows) - 1
            self.dataChanged.emit(self.index(page.start, 0), self.index(last, len(COLUMNS) - 1))
            self.rows_loaded.emit(page.start, last)
        self._read_next()

    def _rows_by_uuid(self) -> dict[str, int]:
        return {
            summary.uuid: page.start + offset
            for page in self._pages.values()
            for offset, summary in enumerate(page.rows)
        }

    def _patched(self, generation: int, expected: dict[int, str], answer: RowsRead) -> None:
        """Put the rows read again in place; a row that moved or went means a full read."""
        if generation != self._generation:
            return
        moved = answer.total != self._total or any(
            summary is None or summary.uuid != expected[row] for row, summary in answer.rows.items()
        )
        if moved:
            self.reload()
            return
        last = len(COLUMNS) - 1
        for row, summary in answer.rows.items():
            number = row // self._page_size
            page = self._pages.get(number)
            replaced = with_row(page, row, summary) if page and summary else None
            if replaced is not None:
                self._pages[number] = replaced
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._loading = False
            self._reading = None
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
        if isinstance(summary, CarriedComplaint) and summary.carried is not None:
            return language.render(summary.carried)
        return enum_label(SyncState, summary.sync_state, language.code)

    def _retranslate(self) -> None:
        if self._total:
            last = self.index(self._total - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)


def is_overdue(summary: ComplaintSummary) -> bool:
    """Rows from the lookup service say so when the list asked (``flag_overdue_on``)."""
    return isinstance(summary, ListedComplaint) and summary.overdue
