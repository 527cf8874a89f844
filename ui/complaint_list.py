"""Finding a complaint: one search box (words, a registration or tracking number, a NIK or
a phone number) and filters.

The search waits for a short pause in typing before it asks the database,
so a fast typist does not queue a query per key. A returning citizen is
one keystroke away: Ctrl+F, type the number from the receipt, the NIK or
the phone, Enter; a single match opens at once, several are one Down or
Enter away. The detail pane never keeps a complaint that a new search did
not find (another citizen's, read out by mistake). NIK and phone are matched
by the core through blind indexes, and only for roles that may see who
complained.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.complaint import Classification
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.lookup import ComplaintQuery
from ui.complaint_model import SORT_COLUMN, SORTABLE, UUID_ROLE, ComplaintTableModel
from ui.fields import SearchableCombo
from ui.i18n import Texts
from ui.list_query import PERIODS, leaves_some_out, period_bounds, search_hint
from ui.reference_choices import ReferenceChoices

SEARCH_PAUSE_MS = 300
ALL = N_("All")
COLUMN_WIDTHS = (192, 140, 215, 160, 125, 190)
"""The first four (number, title, sent, status) fit the list's half of a 1280-pixel window."""


class ComplaintList(QWidget):
    """The filters above the table; ``opened`` with a complaint's UUID when one is selected.

    ``cleared`` with a hint (a :class:`Message`) when the complaint opened
    is not among a new search's results, or nothing is open: the detail
    pane then shows the hint instead.

    ``today`` gives the office's date (for periods and the overdue badge);
    by default the computer's clock in the office's time zone.
    """

    opened = Signal(str)
    cleared = Signal(object)

    def __init__(
        self,
        texts: Texts,
        model: ComplaintTableModel,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts
        self.model = model
        zone = ZoneInfo(model.timezone)
        self.today = today or (lambda: dt.datetime.now(zone).date())
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.sync_filter = QComboBox()
        self.classification_filter = QComboBox()
        self.period_filter = QComboBox()
        self.agency_filter = SearchableCombo()
        self.category_filter = SearchableCombo()
        self.overdue_filter = QCheckBox()
        self.table = QTableView()
        self.count = QLabel()
        self._open_single = False
        self._check_shown = False
        self._shown: str | None = None
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)
        self._pause.timeout.connect(self.apply_filters)
        self._lay_out()
        self._fill_filters()
        texts.language.changed.connect(self._fill_filters)
        self.search.textChanged.connect(lambda _text: self._pause.start())
        self.search.returnPressed.connect(self._enter_from_search)
        self.search.installEventFilter(self)
        for combo in (
            self.status_filter,
            self.sync_filter,
            self.classification_filter,
            self.period_filter,
        ):
            combo.activated.connect(lambda _index: self.apply_filters())
        for picker in (self.agency_filter, self.category_filter):
            picker.activated.connect(lambda _index: self.apply_filters())
            picker.typing().editingFinished.connect(self._picker_done)
        self.overdue_filter.toggled.connect(lambda _on: self.apply_filters())
        self._selected: str | None = None
        self._awaited: int | None = None
        self._applied = self.query()
        model.page_loaded.connect(self._page_loaded)
        model.rows_loaded.connect(self._rows_loaded)
        model.modelAboutToBeReset.connect(self._remember_selection)
        model.modelReset.connect(self._restore_selection)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._selection_changed)

    def query(self) -> ComplaintQuery:
        today = self.today()
        key = self.period_filter.currentData() or ""
        created_from, created_to = period_bounds(key, today, self.model.timezone)
        return ComplaintQuery(
            text=self.search.text().strip(),
            status=self.status_filter.currentData() or None,
            sync_state=self.sync_filter.currentData() or None,
            classification=self.classification_filter.currentData() or None,
            agency_code=self.agency_filter.code() or None,
            category_code=self.category_filter.code() or None,
            created_from=created_from,
            created_to=created_to,
            overdue_on=today if self.overdue_filter.isChecked() else None,
            flag_overdue_on=today,
            ascending=self.model.query.ascending,
        )

    def apply_filters(self, *, open_single: bool = False) -> None:
        """Run the search now (also what the pause after typing ends in).

        With ``open_single`` (Enter in the search box) a search with exactly
        one match selects it, which opens it.
        """
        self._pause.stop()
        self._open_single = open_single
        self._check_shown = True
        self._applied = self.query()
        self.model.set_query(self._applied)

    def set_choices(self, choices: ReferenceChoices) -> None:
        """Agency and category names to pick from; until then a typed code filters too."""
        self.agency_filter.set_choices(choices.agencies)
        self.category_filter.set_choices(choices.categories)

    @property
    def shown(self) -> str | None:
        """The UUID of the complaint the list opened last (what the detail pane may show)."""
        return self._shown

    def show_complaint(self, uuid: str) -> None:
        """Open a complaint named from elsewhere (the quarantine): the filters are cleared first
        unless they are already off, so the complaint is among the results."""
        if leaves_some_out(self._applied):
            with QSignalBlocker(self.search):
                self.search.clear()
            for combo in (
                self.status_filter,
                self.sync_filter,
                self.classification_filter,
                self.period_filter,
            ):
                combo.setCurrentIndex(0)
            self.agency_filter.set_code("")
            self.category_filter.set_code("")
            with QSignalBlocker(self.overdue_filter):
                self.overdue_filter.setChecked(False)
            self.apply_filters()
        self._shown = uuid
        self.opened.emit(uuid)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box moves into the results, as Enter does."""
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self._enter_from_search()
            return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _picker_done(self) -> None:
        if self.query() != self._applied:
            self.apply_filters()

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self._open_row(indexes[0].row())

    def _open_row(self, row: int) -> None:
        """Open the complaint of a row; a row still being read opens when its page arrives."""
        uuid = self.model.data(self.model.index(row, 0), UUID_ROLE)
        self._awaited = None if uuid else row
        if uuid:
            self._shown = str(uuid)
            self.opened.emit(str(uuid))

    def _rows_loaded(self, first: int, last: int) -> None:
        if self._awaited is not None and first <= self._awaited <= last:
            self._open_row(self._awaited)

    def _remember_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        uuid = self.model.data(rows[0], UUID_ROLE) if rows else None
        self._selected = str(uuid) if uuid else None
        self._awaited = None

    def _restore_selection(self) -> None:
        """Keep the same complaint selected across a refresh, without opening it again."""
        row = self.model.row_of(self._selected) if self._selected else None
        if row is None:
            return
        with QSignalBlocker(self.table.selectionModel()):
            self.table.selectRow(row)

    def _enter_from_search(self) -> None:
        """Into the results: at once when they are the typed search's, else once they arrive."""
        if self._pause.isActive() or self.model.loading or self.query() != self._applied:
            self.apply_filters(open_single=True)
        else:
            self._enter_results()

    def _enter_results(self) -> None:
        """The cursor into the table, on the complaint open there or else on the first row."""
        if self.model.rowCount(QModelIndex()) == 0:
            return
        if not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _page_loaded(self) -> None:
        rows = self.model.rowCount(QModelIndex())
        self._texts.show(
            "count", self.count.setText, Message(N_("{count} complaints"), {"count": rows})
        )
        if self._check_shown:
            self._check_shown = False
            self._clear_if_not_found(rows)
        if self._open_single:
            self._open_single = False
            self._enter_results()

    def _clear_if_not_found(self, rows: int) -> None:
        """A search's answer: the complaint open stays only if it is among the rows found."""
        shown = self._shown
        found = shown is not None and (
            self.model.row_of(shown) is not None or not leaves_some_out(self._applied)
        )
        if found:
            return
        self._shown = None
        with QSignalBlocker(self.table.selectionModel()):
            self.table.clearSelection()
        self.cleared.emit(search_hint(rows, self._applied))

    def _sort_chosen(self, column: int, order: Qt.SortOrder) -> None:
        """Only the key order sorts; another header leaves the indicator where it was."""
        header = self.table.horizontalHeader()
        if column not in SORTABLE:
            ascending = self.model.query.ascending
            kept = Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder
            with QSignalBlocker(header):
                header.setSortIndicator(SORT_COLUMN, kept)
            return
        self.model.sort(column, order)

    def _fill_filters(self) -> None:
        for combo, members in (
            (self.status_filter, list(Status)),
            (self.sync_filter, list(SyncState)),
            (self.classification_filter, list(Classification)),
        ):
            current = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItem(self._texts.text(ALL), "")
                for member in members:
                    combo.addItem(self._texts.text(member.label), member.value)
                index = combo.findData(current) if current else 0
                combo.setCurrentIndex(max(index, 0))
        current = self.period_filter.currentData()
        with QSignalBlocker(self.period_filter):
            self.period_filter.clear()
            for key, msgid in PERIODS:
                self.period_filter.addItem(self._texts.text(msgid), key)
            self.period_filter.setCurrentIndex(max(self.period_filter.findData(current or ""), 0))

    def _lay_out(self) -> None:
        t = self._texts
        t.bind(
            self.search.setPlaceholderText,
            N_("Search: words, registration or tracking number, NIK or phone"),
        )
        t.bind(self.overdue_filter.setText, N_("Overdue only"))
        t.bind(self.agency_filter.typing().setPlaceholderText, N_("Any agency"))
        t.bind(self.category_filter.typing().setPlaceholderText, N_("Any category"))
        labels = {}
        for key, msgid, buddy in (
            ("status", N_("S&tatus"), self.status_filter),
            ("sync", N_("Se&nt"), self.sync_filter),
            ("classification", N_("Kind"), self.classification_filter),
            ("period", N_("Recorded"), self.period_filter),
            ("agency", N_("Agency"), self.agency_filter),
            ("category", N_("Category"), self.category_filter),
        ):
            label = labels[key] = QLabel()
            t.bind(label.setText, msgid)
            label.setBuddy(buddy)
        for combo in (self.agency_filter, self.category_filter):
            combo.setMinimumContentsLength(12)
        self.search.setMinimumWidth(220)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.overdue_filter)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        for row, pairs in enumerate(
            (
                (("status", self.status_filter), ("sync", self.sync_filter)),
                (("classification", self.classification_filter), ("period", self.period_filter)),
                (("agency", self.agency_filter), ("category", self.category_filter)),
            )
        ):
            for pair, (key, widget) in enumerate(pairs):
                grid.addWidget(labels[key], row, pair * 2)
                grid.addWidget(widget, row, pair * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self._configure_table()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        chain = (
            self.search,
            self.overdue_filter,
            self.status_filter,
            self.sync_filter,
            self.classification_filter,
            self.period_filter,
            self.agency_filter,
            self.category_filter,
            self.table,
        )
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _configure_table(self) -> None:
        table = self.table
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSortIndicator(SORT_COLUMN, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._sort_chosen)
        for column, width in enumerate(COLUMN_WIDTHS):
            table.setColumnWidth(column, width)
