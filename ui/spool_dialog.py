"""What this PC saved while the office database was away: its numbers, its receipts, the merge.

The operator finds a citizen's complaint here while the office's list
cannot be read (only this PC's own spool is shown, nothing of another
PC), reprints its receipt, and sees which complaints already joined the
office database. "Gabungkan sekarang" asks for the replay at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from lapor_desktop.i18n import N_
from lapor_desktop.services.spool import MergedComplaint, SpooledComplaint
from ui.detail_data import DetailPage, load_detail
from ui.formatting import EMPTY, short_datetime
from ui.spool_watch import AWAY, SpoolWatch, sources_for

if TYPE_CHECKING:
    from ui.main_window import MainWindow

TITLE = N_("Saved on this PC")
INTRO = N_(
    "These complaints were saved on this PC while the office database could not be reached. "
    "They join the office's list by themselves when it is back; their numbers and receipts "
    "stay as they are."
)
HEADERS = (N_("Registration number"), N_("Title"), N_("Saved"), N_("State"))
WAITS = N_("Waiting for the office database")
CONFLICT = N_("Check with IT: the office database has another version that was already sent")
JOINED = N_("Joined the office database")
REPRINT = N_("Print the receipt again")
MERGE_NOW = N_("Merge now")
NOTHING = N_("Nothing is waiting on this PC.")
CLOSE = N_("Close")


class SpoolDialog(QDialog):
    """The spool's complaints (waiting first, then the ones merged) for this PC's operator."""

    def __init__(self, window: MainWindow, watch: SpoolWatch) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._window, self._watch = window, watch
        texts = window.texts
        self.setWindowTitle(texts.text(TITLE))
        self.state = QLabel()
        self.state.setWordWrap(True)
        intro = QLabel(texts.text(INTRO))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([texts.text(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.reprint = QPushButton(texts.text(REPRINT))
        self.merge = QPushButton(texts.text(MERGE_NOW))
        close = QPushButton(texts.text(CLOSE))
        buttons = QDialogButtonBox()
        buttons.addButton(self.reprint, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.merge, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.state, intro, self.table, buttons):
            layout.addWidget(widget)
        self.resize(900, 420)
        self._uuids: list[str | None] = []
        self.reprint.clicked.connect(self.print_selected)
        self.merge.clicked.connect(watch.replay_now)
        self.table.itemSelectionChanged.connect(self._selected)
        watch.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Read the spool again: a small file on this PC's own disk, read on the spot."""
        spool = self._watch.spool
        self._show(spool.waiting(), spool.merged())

    def print_selected(self) -> None:
        row = self.table.currentRow()
        uuid = self._uuids[row] if 0 <= row < len(self._uuids) else None
        if uuid is None:
            return
        window = self._window
        lookup, context = sources_for(window.desk, spooled=True)
        actor = window.actor
        window.runner.run(lambda: load_detail(lookup, context, uuid, actor), self._print)

    def _print(self, page: DetailPage | None) -> None:
        if page is not None:
            self._window.show_receipt(page, copy=True)

    def _show(self, waiting: list[SpooledComplaint], merged: list[MergedComplaint]) -> None:
        texts, window = self._window.texts, self._window
        timezone, language = window.desk.context.office.timezone, texts.language.code
        since = self._watch.spool.link.away_since
        if since is not None:
            when = short_datetime(since, timezone, language)
            self.state.setText(texts.text(AWAY, time=when, count=len(waiting)))
        else:
            self.state.setText(texts.text(NOTHING) if not waiting else "")
        rows: list[tuple[str | None, tuple[str, str, str, str]]] = []
        for item in waiting:
            state = texts.text(CONFLICT if item.conflict else WAITS)
            saved = short_datetime(item.saved_at, timezone, language)
            cells = (item.registration_number or EMPTY, item.title or EMPTY, saved, state)
            rows.append((item.uuid, cells))
        for done in merged:
            saved = short_datetime(done.merged_at, timezone, language)
            rows.append(
                (None, (done.registration_number or EMPTY, EMPTY, saved, texts.text(JOINED)))
            )
        self.table.setRowCount(len(rows))
        self._uuids = [uuid for uuid, _ in rows]
        for row, (_uuid, cells) in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if waiting:
            self.table.selectRow(0)
        self._selected()

    def _selected(self) -> None:
        row = self.table.currentRow()
        self.reprint.setEnabled(0 <= row < len(self._uuids) and self._uuids[row] is not None)
