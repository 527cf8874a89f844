"""The complaints received, one tab per dimension (classification, category, agency, channel,
district, village, status, route to LAPOR!): the recap's own tables, shown as they come.

The tables and their words are the core's (``recap_tables.count_tables``), so the
dashboard and the recap can never disagree on a figure.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)

from lapor_desktop.services.reports.recap_tables import Cell, RecapTable, count_tables
from lapor_desktop.services.reports.service import OfficeReport


class CountTabs(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tables: list[QTableWidget] = []
        self.setMinimumHeight(240)

    def show_report(self, report: OfficeReport, language: str) -> None:
        """One tab per table, the tab kept when the figures are shown again."""
        current = self.currentIndex()
        self.clear()
        for old in self.tables:
            old.deleteLater()
        tables = count_tables(report, language)
        self.tables = [self._table(table) for table in tables]
        for source, widget in zip(tables, self.tables, strict=True):
            self.addTab(widget, source.name)
        if 0 <= current < self.count():
            self.setCurrentIndex(current)

    def _table(self, table: RecapTable) -> QTableWidget:
        widget = QTableWidget(len(table.rows), len(table.headers))
        widget.setHorizontalHeaderLabels(list(table.headers))
        widget.verticalHeader().setVisible(False)
        widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = widget.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, values in enumerate(table.rows):
            for column, value in enumerate(values):
                widget.setItem(row, column, _item(value))
        return widget


def _item(value: Cell) -> QTableWidgetItem:
    if isinstance(value, str):
        return QTableWidgetItem(value)
    text = "–" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
