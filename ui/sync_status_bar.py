"""The sync indicator in the status bar: always visible, where people look (ODK Collect, CommCare).

State, pending count and last successful sync in one button that opens
the full panel; a clock warning beside it when the PC's clock is off;
and "Sync now" (F5) for everyone: it only asks for what the timer would
do anyway.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from lapor_desktop.i18n import N_
from ui.fields import set_role
from ui.formatting import EMPTY, short_datetime
from ui.i18n import Texts
from ui.style import ERROR_TEXT
from ui.sync_state import Connection, SyncView

INDICATOR = N_("Sync: {state} · {pending} waiting · last sync {last}")
SYNCING = N_("Syncing…")
CLOCK_OFF = N_("Clock off by {minutes} min")
WARNING_STYLE = f"QPushButton {{ color: {ERROR_TEXT}; font-weight: bold; }}"


class SyncStatusBar(QWidget):
    """``open_panel`` when the indicator is clicked; ``sync_now`` for the button."""

    open_panel = Signal()
    sync_now = Signal()

    def __init__(self, texts: Texts, timezone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts, self._timezone = texts, timezone
        self.view = SyncView()
        self.indicator = QPushButton()
        self.indicator.setFlat(True)
        self.clock_warning = set_role(QLabel(), "status-warn")
        self.clock_warning.hide()
        self.sync_button = QPushButton()
        texts.bind(self.sync_button.setText, N_("Sync now (F5)"))
        texts.bind(self.indicator.setToolTip, N_("Open the sync panel (F6)"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.indicator)
        layout.addWidget(self.clock_warning)
        layout.addWidget(self.sync_button)
        self.indicator.clicked.connect(self.open_panel)
        self.sync_button.clicked.connect(self.sync_now)
        texts.language.changed.connect(lambda _code: self.show_view(self.view))
        self.show_view(self.view)

    def show_view(self, view: SyncView) -> None:
        self.view = view
        t = self._texts
        status = view.status
        last = EMPTY
        if status is not None and status.last_success_at is not None:
            last = short_datetime(status.last_success_at, self._timezone, t.language.code)
        state = t.text(SYNCING) if view.running else t.text(view.connection.label)
        pending = status.pending if status is not None else 0
        self.indicator.setText(t.text(INDICATOR, state=state, pending=pending, last=last))
        warns = view.needs_person and not view.running
        self.indicator.setStyleSheet(WARNING_STYLE if warns else "")
        warning = status is not None and status.clock_warning
        self.clock_warning.setVisible(warning)
        if warning and status is not None and status.clock_offset is not None:
            minutes = round(abs(status.clock_offset.total_seconds()) / 60)
            self.clock_warning.setText(t.text(CLOCK_OFF, minutes=minutes))
        self.sync_button.setEnabled(
            not view.running and view.connection is not Connection.NOT_CONFIGURED
        )
        self.indicator.setAccessibleName(self.indicator.text())
