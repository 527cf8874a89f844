"""The warning before saving what may be a complaint this citizen already made.

Shows only what the core returned (``services.duplicates``): numbers,
titles and why they look alike, never an identity. Going back is the
default (Enter, Esc); saving anyway is one deliberate key away.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_, translate
from lapor_desktop.services.duplicates import LikelyDuplicate
from ui.fields import set_role
from ui.formatting import EMPTY, enum_label, short_datetime
from ui.i18n import Language, Texts

INTRO = N_(
    "This citizen (same NIK or phone number) already has {count} open complaint(s) from the "
    "last {days} days that look like this one. Ask whether it is the same matter: if it is, "
    "go back and add a follow-up note to the existing complaint instead."
)
COLUMNS = (N_("Registration no."), N_("Title"), N_("Recorded"), N_("Status"), N_("Why"))


class DuplicateWarning(QDialog):
    """``accepted``: save as a new complaint anyway; ``rejected``: back to the form.

    ``open_requested`` with the chosen complaint's UUID: back to the form (kept as typed)
    and that complaint opened in the detail pane, where the follow-up note is added.
    """

    open_requested = Signal(str)

    def __init__(
        self,
        language: Language,
        duplicates: Sequence[LikelyDuplicate],
        timezone: str,
        window_days: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts = Texts(language, self)
        self.duplicates = tuple(duplicates)
        self._timezone = timezone
        self.intro = set_role(QLabel(), "status-warn")
        self.intro.setWordWrap(True)
        self.table = QTableWidget(len(self.duplicates), len(COLUMNS))
        self.back_button = QPushButton()
        self.save_anyway_button = QPushButton()
        self.open_button = QPushButton()
        texts.bind(self.setWindowTitle, N_("Possible duplicate"))
        texts.bind(self.intro.setText, INTRO, count=len(self.duplicates), days=window_days)
        texts.bind(self.back_button.setText, N_("&Go back to the form"))
        texts.bind(self.save_anyway_button.setText, N_("&Save as a new complaint anyway"))
        texts.bind(self.open_button.setText, N_("&Open the existing complaint"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_chosen)
        self.back_button.setDefault(True)
        self.save_anyway_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.reject)
        self.save_anyway_button.clicked.connect(self.accept)
        self._configure_table()
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_anyway_button)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(900, 260 + 30 * len(self.duplicates))
        language.changed.connect(self._fill)
        self._fill()
        if self.duplicates:
            self.table.selectRow(0)
        self.table.cellDoubleClicked.connect(lambda _row, _column: self.open_chosen())
        self.back_button.setFocus()

    def open_chosen(self) -> None:
        """The selected (else the first) complaint, to add the note to it instead."""
        if not self.duplicates:
            return
        rows = self.table.selectionModel().selectedRows()
        chosen = self.duplicates[rows[0].row() if rows else 0]
        self.reject()
        self.open_requested.emit(chosen.uuid)

    def row_texts(self) -> list[list[str]]:
        table = self.table
        return [
            [_text(table.item(row, column)) for column in range(table.columnCount())]
            for row in range(table.rowCount())
        ]

    def _fill(self) -> None:
        language = self._texts.language.code
        self.table.setHorizontalHeaderLabels([translate(c, language) for c in COLUMNS])
        for row, duplicate in enumerate(self.duplicates):
            why = [translate(m.label, language) for m in duplicate.matched_on]
            why += [translate(r.label, language) for r in duplicate.reasons]
            cells = (
                duplicate.registration_number or EMPTY,
                duplicate.title or EMPTY,
                short_datetime(duplicate.created_at, self._timezone, language),
                enum_label(Status, duplicate.status, language),
                ", ".join(why),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)

    def _configure_table(self) -> None:
        table = self.table
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((190, 230, 130, 150)):
            table.setColumnWidth(column, width)


def _text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""
