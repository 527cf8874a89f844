"""Finding a complaint: one search box (words, a registration or tracking number) and filters.

The search waits for a short pause in typing before it asks the database,
so a fast typist does not queue a query per key.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.lookup import ComplaintQuery
from ui.complaint_model import UUID_ROLE, ComplaintTableModel
from ui.i18n import Texts

SEARCH_PAUSE_MS = 300
ALL = N_("All")


class ComplaintList(QWidget):
    """The filters above the table; ``opened`` with a complaint's UUID when one is selected."""

    opened = Signal(str)

    def __init__(
        self, texts: Texts, model: ComplaintTableModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._texts = texts
        self.model = model
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.sync_filter = QComboBox()
        self.table = QTableView()
        self.count = QLabel()
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)
        self._pause.timeout.connect(self.apply_filters)
        self._lay_out()
        self._fill_filters()
        texts.language.changed.connect(self._fill_filters)
        self.search.textChanged.connect(lambda _text: self._pause.start())
        self.search.returnPressed.connect(self.apply_filters)
        self.status_filter.activated.connect(lambda _index: self.apply_filters())
        self.sync_filter.activated.connect(lambda _index: self.apply_filters())
        self._selected: str | None = None
        model.page_loaded.connect(self._show_count)
        model.modelAboutToBeReset.connect(self._remember_selection)
        model.modelReset.connect(self._restore_selection)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._selection_changed)

    def query(self) -> ComplaintQuery:
        return ComplaintQuery(
            text=self.search.text().strip(),
            status=self.status_filter.currentData() or None,
            sync_state=self.sync_filter.currentData() or None,
        )

    def apply_filters(self) -> None:
        """Run the search now (also what the pause after typing ends in)."""
        self._pause.stop()
        self.model.set_query(self.query())

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.opened.emit(str(self.model.data(indexes[0], UUID_ROLE)))

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _remember_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self._selected = str(self.model.data(rows[0], UUID_ROLE)) if rows else None

    def _restore_selection(self) -> None:
        """Keep the same complaint selected across a refresh, without opening it again."""
        row = self.model.row_of(self._selected) if self._selected else None
        if row is None:
            return
        with QSignalBlocker(self.table.selectionModel()):
            self.table.selectRow(row)

    def _show_count(self) -> None:
        rows = self.model.rowCount(QModelIndex())
        more = self.model.canFetchMore(QModelIndex()) or self.model.loading
        msgid = N_("{count}+ complaints (scroll for more)") if more else N_("{count} complaints")
        self._texts.show("count", self.count.setText, Message(msgid, {"count": rows}))

    def _fill_filters(self) -> None:
        for combo, members in (
            (self.status_filter, list(Status)),
            (self.sync_filter, list(SyncState)),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self._texts.text(ALL), "")
            for member in members:
                combo.addItem(self._texts.text(member.label), member.value)
            index = combo.findData(current) if current else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def _lay_out(self) -> None:
        t = self._texts
        t.bind(self.search.setPlaceholderText, N_("Search: words, registration or tracking number"))
        status_label, sync_label = QLabel(), QLabel()
        t.bind(status_label.setText, N_("S&tatus"))
        t.bind(sync_label.setText, N_("Se&nt"))
        status_label.setBuddy(self.status_filter)
        sync_label.setBuddy(self.sync_filter)
        for combo in (self.status_filter, self.sync_filter):
            combo.setMaximumWidth(190)
        self.search.setMinimumWidth(220)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(status_label)
        filters.addWidget(self.status_filter)
        filters.addWidget(sync_label)
        filters.addWidget(self.sync_filter)
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
        for column, width in enumerate((185, 230, 165, 150, 120, 150)):
            table.setColumnWidth(column, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(table, 1)
        layout.addWidget(self.count)
