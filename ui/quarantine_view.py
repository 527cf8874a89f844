"""The quarantine in the sync panel: what the national service refused, and why.

A supervisor sees each record with the server's reason and sends it again,
as it is or corrected in the fix-and-resend dialog; everyone else sees how
many wait for a supervisor. The quarantine service checks the role too,
so hiding the list is not the only guard.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.context import Actor
from lapor_desktop.services.intake import SaveOutcome
from lapor_desktop.services.quarantine import (
    QuarantinedRecord,
    QuarantineService,
    ResendRefused,
    Resent,
)
from ui.errors import explain
from ui.fields import set_role
from ui.fix_and_resend import FixAndResendDialog, FixSources, FixStart, load_fix
from ui.formatting import EMPTY, short_datetime
from ui.i18n import Texts
from ui.tasks import TaskRunner

COLUMNS = (N_("Registration number"), N_("The server's reason"), N_("Since"), N_("Attempts"))
WAITING_FOR_SUPERVISOR = N_(
    "{count} complaints are in quarantine: the national service refused them. "
    "A supervisor decides on them."
)
NONE_QUARANTINED = Message(N_("Nothing is in quarantine."))
RESENT = N_("{number} is queued again and goes with the next sync.")
FIXED = N_("{number} is corrected and queued again; it goes with the next sync.")
UUID_ROLE = Qt.ItemDataRole.UserRole


class QuarantineView(QWidget):
    """``listed`` after each load; ``resent`` with the outcome; ``open_requested`` with a UUID.

    ``fixed`` with the ``SaveOutcome`` of a correction queued again; ``fix_shown``
    with the fix-and-resend dialog, open (for tests and tours).
    """

    listed = Signal()
    resent = Signal(object)
    fixed = Signal(object)
    fix_shown = Signal(object)
    open_requested = Signal(str)

    def __init__(
        self,
        texts: Texts,
        service: QuarantineService,
        actor: Actor,
        runner: TaskRunner,
        timezone: str,
        parent: QWidget | None = None,
        *,
        fix: FixSources | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts, self._service, self._actor = texts, service, actor
        self._runner, self._timezone, self._fix = runner, timezone, fix
        self.may_decide = allows(actor.role, Permission.DECIDE_QUARANTINE)
        self.records: list[QuarantinedRecord] = []
        self._count = 0
        self.table = QTableWidget(0, len(COLUMNS))
        self.resend_button = QPushButton()
        self.fix_button = QPushButton()
        self.open_button = QPushButton()
        self.fix_dialog: FixAndResendDialog | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self._lay_out()

    def refresh(self) -> None:
        """Read the list again (supervisors) on the database worker."""
        if not self.may_decide:
            return
        service, actor = self._service, self._actor
        self._runner.run(lambda: service.list(actor=actor), self._show, self._failed)

    def show_count(self, count: int) -> None:
        """For those who may not decide: how many wait (from the status counts)."""
        if count != self._count and self.may_decide:
            self.refresh()
        self._count = count
        if not self.may_decide:
            message = (
                Message(WAITING_FOR_SUPERVISOR, {"count": count}) if count else NONE_QUARANTINED
            )
            self._texts.show("quarantine", self.message.setText, message)

    def resend(self) -> None:
        record = self._selected()
        if record is None:
            return
        service, actor, key = self._service, self._actor, str(record.outbox_id)
        self.resend_button.setEnabled(False)
        self._runner.run(lambda: service.resend(key, actor=actor), self._resent, self._failed)

    def fix(self) -> None:
        """Open the chosen record in the fix-and-resend dialog (read on the worker first)."""
        record, sources = self._selected(), self._fix
        if record is None or sources is None or self.fix_dialog is not None:
            return
        actor = self._actor
        self.fix_button.setEnabled(False)
        self._runner.run(
            lambda: load_fix(sources, record, actor),
            lambda start: self._show_fix(record, start, sources),
            self._failed,
        )

    # -- reactions ------------------------------------------------------------------------

    def _show(self, records: list[QuarantinedRecord]) -> None:
        self.records = records
        language = self._texts.language.code
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = (
                record.registration_number or EMPTY,
                record.reason,
                short_datetime(record.quarantined_at, self._timezone, language),
                str(record.attempts),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(UUID_ROLE, record.complaint_uuid)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        if records and not self.table.selectedItems():
            self.table.selectRow(0)
        self.table.resizeRowsToContents()
        self._enable()
        if not records:
            self._texts.show("quarantine", self.message.setText, NONE_QUARANTINED)
        self.listed.emit()

    def _resent(self, outcome: Resent | ResendRefused) -> None:
        if isinstance(outcome, Resent):
            number = outcome.registration_number or str(outcome.outbox_id)
            message = Message(RESENT, {"number": number})
        else:
            message = outcome.message
        self._texts.show("quarantine", self.message.setText, message)
        self.resent.emit(outcome)
        self.refresh()

    def _show_fix(
        self, record: QuarantinedRecord, start: FixStart | Message, sources: FixSources
    ) -> None:
        self._enable()
        if isinstance(start, Message):
            self._texts.show("quarantine", self.message.setText, start)
            return
        dialog = FixAndResendDialog(
            self._texts.language,
            record,
            start,
            self._service,
            sources.intake,
            self._actor,
            self._runner,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resent.connect(self._fixed)
        dialog.finished.connect(self._fix_closed)
        self.fix_dialog = dialog
        dialog.open()
        self.fix_shown.emit(dialog)

    def _fixed(self, outcome: SaveOutcome | Resent) -> None:
        if isinstance(outcome, Resent):
            self._resent(outcome)
            return
        number = outcome.registration_number or outcome.uuid
        self._texts.show("quarantine", self.message.setText, Message(FIXED, {"number": number}))
        self.fixed.emit(outcome)
        self.refresh()

    def _fix_closed(self) -> None:
        self.fix_dialog = None
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error: BaseException) -> None:
        self._enable()
        self._texts.show("quarantine", self.message.setText, explain(error)[0])

    def _selected(self) -> QuarantinedRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.records[rows[0].row()] if rows else None

    def _open(self) -> None:
        record = self._selected()
        if record is not None:
            self.open_requested.emit(record.complaint_uuid)

    def _enable(self) -> None:
        chosen = self._selected() is not None
        self.resend_button.setEnabled(chosen)
        self.fix_button.setEnabled(chosen)
        self.open_button.setEnabled(chosen)

    # -- construction ---------------------------------------------------------------------

    def _lay_out(self) -> None:
        t = self._texts
        heading = set_role(QLabel(), "heading")
        t.bind(heading.setText, N_("Quarantine"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        if not self.may_decide:
            self.table.hide()
            return
        hint = set_role(QLabel(), "hint")
        hint.setWordWrap(True)
        t.bind(
            hint.setText,
            N_(
                "Read the server's reason. If the complaint needs correcting, press Fix and "
                "resend (Alt+F); if it does not, Resend."
            ),
        )
        layout.addWidget(hint)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column, msgid in enumerate(COLUMNS):
            t.bind(functools.partial(self._set_header, column), msgid)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.resend_button)
        buttons.addWidget(self.fix_button)
        layout.addLayout(buttons)
        t.bind(self.resend_button.setText, N_("&Resend"))
        t.bind(self.fix_button.setText, N_("&Fix and resend"))
        t.bind(self.open_button.setText, N_("&Open the complaint"))
        self.fix_button.setVisible(self._fix is not None)
        self.resend_button.clicked.connect(self.resend)
        self.fix_button.clicked.connect(self.fix)
        self.open_button.clicked.connect(self._open)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.itemActivated.connect(lambda _item: self._open())
        self._enable()

    def _set_header(self, column: int, text: str) -> None:
        self.table.setHorizontalHeaderItem(column, QTableWidgetItem(text))
