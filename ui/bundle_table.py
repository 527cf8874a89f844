"""The table of every bundle on the Bundles page, newest first, in the words of ``bundle list``.

Both read a bundle's direction and state words from the core (``services/bundle_records``):
the window and the command line are side by side and may not import each other.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from lapor_desktop.i18n import N_
from lapor_desktop.services.bundle_records import DIRECTION_WORDS, BundleRow, state_words
from lapor_desktop.services.bundle_views import office_minute
from ui.i18n import Texts

COLUMNS = (
    N_("Bundle"),
    N_("Direction"),
    N_("Office"),
    N_("State"),
    N_("Since"),
    N_("Complaints / files / follow-ups"),
    N_("Still waiting"),
)
NO_BUNDLES = N_("No bundles yet.")


class BundleTable(QTableWidget):
    """Read-only rows; a refused bundle's reason is its row's tooltip."""

    def __init__(self, texts: Texts, timezone: str) -> None:
        super().__init__(0, len(COLUMNS))
        self._texts, self._timezone = texts, timezone
        self.rows: tuple[BundleRow, ...] = ()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        texts.language.changed.connect(lambda _code: self.show_rows(self.rows))
        self.show_rows(())

    def show_rows(self, rows: Sequence[BundleRow]) -> None:
        self.rows = tuple(rows)
        t = self._texts
        self.setHorizontalHeaderLabels([t.text(msgid) for msgid in COLUMNS])
        self.setAccessibleName(t.text(NO_BUNDLES) if not rows else t.text(N_("Bundles")))
        self.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            for column, text in enumerate(self._cells(row)):
                item = QTableWidgetItem(text)
                if row.last_error:
                    item.setToolTip(row.last_error)
                self.setItem(number, column, item)

    def _cells(self, row: BundleRow) -> list[str]:
        t, counts = self._texts, row.counts
        direction, state = DIRECTION_WORDS.get(row.direction), state_words(row.direction, row.state)
        held = [str(counts.get(name, 0)) for name in ("complaints", "attachments", "follow_ups")]
        return [
            str(row.sequence),
            t.text(direction) if direction else row.direction,
            row.origin_office,
            t.text(state) if state else row.state,
            office_minute(row.carried_since or row.created_at, self._timezone),
            " / ".join(held),
            str(row.pending),
        ]
