"""The full sync panel: state, counts, the last reconciliation summary, progress, quarantine.

Opened from the status bar's indicator (or F6). It draws a ``SyncView``
and asks the controller for actions through signals; it never touches
the network or the sync engine itself.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.i18n import N_, Message
from sync.engine import Phase, SyncSummary
from ui.fields import set_role
from ui.formatting import EMPTY, long_datetime
from ui.i18n import Texts
from ui.quarantine_view import QuarantineView
from ui.sync_state import Connection, SyncView

PHASES = {
    Phase.IDLE: N_("Finishing…"),
    Phase.CHECKING: N_("Checking records after an interrupted send…"),
    Phase.SENDING: N_("Sending complaints…"),
    Phase.UPLOADING: N_("Sending attachments and messages…"),
    Phase.PULLING: N_("Receiving status changes from LAPOR!…"),
    Phase.REFERENCE: N_("Updating reference data…"),
}
CLOCK_WARNING = N_(
    "This computer's clock differs from the national service's by {minutes} minutes. "
    "Nothing depends on it, but printed receipts show this computer's time: "
    "ask IT staff to correct the clock."
)
OF_THEM = N_("{count} of them")
"""The sending and retrying counts are part of the waiting one: said so, not added up to it."""
PART_OF_PENDING = frozenset({"sending", "waiting"})
CANCELLED = N_("Cancelled")
"""The result of a cancelled pass, which revealed no state of the link."""
COUNTS = (
    ("pending", N_("Waiting to be sent")),
    ("sending", N_("Being sent now")),
    ("waiting", N_("Waiting to retry")),
    ("quarantined", N_("In quarantine")),
    ("sent", N_("Sent in total")),
)
SUMMARY = (
    ("sent", N_("Sent")),
    ("already_present", N_("Already at LAPOR!")),
    ("rejected", N_("Refused (to quarantine)")),
    ("conflicts", N_("Conflicts to review")),
    ("status_updates", N_("Status updates received")),
)


class SyncPanel(QWidget):
    """``sync_now`` and ``cancel`` ask the controller; it answers with ``show_view``."""

    sync_now = Signal()
    cancel = Signal()
    show_waiting = Signal()
    """The list of the complaints still waiting to be sent, asked from beside their count."""

    def __init__(
        self,
        texts: Texts,
        quarantine: QuarantineView,
        timezone: str,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts, self._timezone = texts, timezone
        self.quarantine = quarantine
        self.view = SyncView()
        self.state = set_role(QLabel(), "heading")
        self.explanation = QLabel()
        self.clock_warning = set_role(QLabel(), "status-warn")
        self.phase = QLabel()
        self.progress = QProgressBar()
        self.cancel_button = QPushButton()
        self.sync_button = QPushButton()
        self.counts = {name: QLabel() for name, _msgid in COUNTS}
        self.waiting_link = QPushButton()
        self.last_success = QLabel()
        self.last_attempt = QLabel()
        self.summary = {name: QLabel() for name, _msgid in SUMMARY}
        self.summary_result = QLabel()
        self.bundles = QLabel()
        self._bundles: tuple[Message, ...] = ()
        self._lay_out()
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button.clicked.connect(self.cancel)
        self.waiting_link.clicked.connect(self.show_waiting)
        texts.language.changed.connect(lambda _code: self.show_view(self.view))
        texts.language.changed.connect(lambda _code: self.show_bundles(self._bundles))
        self.show_view(self.view)

    def show_view(self, view: SyncView) -> None:
        self.view = view
        t = self._texts
        self.state.setText(t.text(view.connection.label))
        self.state.setStyleSheet("color: #a1161e;" if view.needs_person else "")
        self.explanation.setText(t.render(view.message))
        self._show_clock(view)
        self._show_progress(view)
        self._show_counts(view)
        self._show_summary(view)
        self.sync_button.setEnabled(
            not view.running and view.connection is not Connection.NOT_CONFIGURED
        )
        if view.status is not None:
            self.quarantine.show_count(view.status.quarantined)

    def show_bundles(self, sentences: tuple[Message, ...]) -> None:
        """What this desk has in transit by bundle (from the Bundles page), under the state."""
        self._bundles = tuple(sentences)
        self.bundles.setText("\n".join(self._texts.render(s) for s in self._bundles))

    def _show_clock(self, view: SyncView) -> None:
        status = view.status
        offset = status.clock_offset if status is not None else None
        warn = status is not None and status.clock_warning and offset is not None
        self.clock_warning.setVisible(warn)
        if warn and offset is not None:
            minutes = round(abs(offset.total_seconds()) / 60)
            self.clock_warning.setText(self._texts.text(CLOCK_WARNING, minutes=minutes))

    def _show_progress(self, view: SyncView) -> None:
        for widget in (self.phase, self.progress):
            widget.setVisible(view.running)
        self.cancel_button.setVisible(view.running)
        snapshot = view.progress
        if not view.running or snapshot is None:
            return
        self.phase.setText(self._texts.text(PHASES[snapshot.phase]))
        if snapshot.records_total > 0:
            self.progress.setRange(0, snapshot.records_total)
            self.progress.setValue(min(snapshot.records_done, snapshot.records_total))
        else:
            self.progress.setRange(0, 0)  # how much is due is not known yet
        self.cancel_button.setEnabled(not snapshot.cancelled)

    def _show_counts(self, view: SyncView) -> None:
        status, language = view.status, self._texts.language.code
        for name, label in self.counts.items():
            count = getattr(status, name) if status is not None else None
            if count is None:
                label.setText(EMPTY)
            elif name in PART_OF_PENDING:
                label.setText(self._texts.text(OF_THEM, count=count))
            else:
                label.setText(str(count))
        self.waiting_link.setEnabled(status is not None and status.pending > 0)
        for label, moment in (
            (self.last_success, status.last_success_at if status else None),
            (self.last_attempt, status.last_attempt_at if status else None),
        ):
            label.setText(long_datetime(moment, self._timezone, language) if moment else EMPTY)

    def _show_summary(self, view: SyncView) -> None:
        summary = view.summary
        for name, label in self.summary.items():
            label.setText(str(getattr(summary, name)) if summary is not None else EMPTY)
        if summary is None:
            self.summary_result.setText(EMPTY)
            return
        self.summary_result.setText(self._texts.text(_result_word(summary)))

    # -- construction ---------------------------------------------------------------------

    def _lay_out(self) -> None:
        t = self._texts
        self.explanation.setWordWrap(True)
        self.clock_warning.setWordWrap(True)
        self.bundles.setWordWrap(True)
        t.bind(self.sync_button.setText, N_("&Sync now (F5)"))
        t.bind(self.cancel_button.setText, N_("&Cancel"))
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        counts_box, counts = self._group(N_("At this desk"))
        t.bind(self.waiting_link.setText, N_("Show them in the &list"))
        self.waiting_link.setFlat(True)
        self.waiting_link.setAutoDefault(False)
        for name, msgid in COUNTS:
            if name != "pending":
                counts.addRow(self._label(msgid), self.counts[name])
                continue
            pending = QHBoxLayout()
            pending.addWidget(self.counts[name])
            pending.addWidget(self.waiting_link)
            pending.addStretch(1)
            counts.addRow(self._label(msgid), pending)
        counts.addRow(self._label(N_("Last successful sync")), self.last_success)
        counts.addRow(self._label(N_("Last attempt")), self.last_attempt)
        summary_box, summary = self._group(N_("Last sync: what changed"))
        for name, msgid in SUMMARY:
            summary.addRow(self._label(msgid), self.summary[name])
        summary.addRow(self._label(N_("Result")), self.summary_result)
        left = QVBoxLayout()
        left.addWidget(self.state)
        left.addWidget(self.explanation)
        left.addWidget(self.clock_warning)
        left.addWidget(self.bundles)
        left.addWidget(self.phase)
        left.addLayout(progress_row)
        left.addWidget(self.sync_button)
        left.addWidget(counts_box)
        left.addWidget(summary_box)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.quarantine, 3)

    def _group(self, msgid: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox()
        self._texts.bind(box.setTitle, msgid)
        return box, QFormLayout(box)

    def _label(self, msgid: str) -> QLabel:
        label = QLabel()
        self._texts.bind(label.setText, msgid)
        return label


def _result_word(summary: SyncSummary) -> str:
    """A pass's result in a word: the state it found, or "Cancelled" when it found none."""
    connection = summary.outcome.connection
    return CANCELLED if connection is None else connection.label
