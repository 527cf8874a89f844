"""The "Situs LAPOR!" page: the website lane's queue beside the handover panel, and its count.

Every call to the lane runs on the window's database worker; what a write changed comes back
through the bridge (``show_changes``), so the queue and the status bar's count follow other
pages and the sync engine alike.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.context import Actor
from lapor_desktop.services.website_handover import Handover
from lapor_desktop.services.website_lane import QueueItem, Refused
from lapor_desktop.services.website_records import Recorded, WebsiteRefused
from ui.detail_data import DetailPage, load_detail
from ui.fields import FieldError
from ui.i18n import Texts
from ui.tasks import TaskRunner
from ui.website_panel import UrlOpener, WebsitePanel
from ui.website_queue import WebsiteQueue

WAITING = N_("{count} waiting to be typed into LAPOR!")
MAY_NOT_TYPE = N_("Your role may see this queue but not type complaints into LAPOR!.")


class WebsiteCount(QPushButton):
    """The status bar's "3 menunggu diketik ke LAPOR!": hidden while nothing waits."""

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self.count = 0
        self.setFlat(True)
        texts.bind(self.setToolTip, N_("Open the LAPOR! website page (Ctrl+W)"))
        texts.language.changed.connect(lambda _code: self.show_count(self.count))
        self.hide()

    def show_count(self, count: int) -> None:
        self.count = count
        self.setText(self._texts.text(WAITING, count=count))
        self.setAccessibleName(self.text())
        self.setVisible(count > 0)


class WebsitePage(QWidget):
    """``receipt_requested`` with the page to reprint; the rest are for tests and tours."""

    receipt_requested = Signal(object)
    queue_shown = Signal()
    started = Signal(object)
    recorded = Signal(object)
    released = Signal()

    def __init__(
        self,
        texts: Texts,
        desk: Desk,
        actor: Actor,
        runner: TaskRunner,
        *,
        open_url: UrlOpener = QDesktopServices.openUrl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts, self._desk, self._actor, self._runner = texts, desk, actor, runner
        timezone = desk.context.office.timezone
        self.may_type = allows(actor.role, Permission.RECORD_COMPLAINTS)
        self.count = WebsiteCount(texts)
        self.queue = WebsiteQueue(texts, timezone, may_type=self.may_type)
        self.problem = FieldError()
        self.panel = WebsitePanel(
            texts,
            timezone,
            lambda: desk.context.office.website.address,
            self,
            open_url=open_url,
        )
        self._lay_out()
        self.queue.start_requested.connect(self.start_typing)
        self.panel.record_requested.connect(self.record)
        self.panel.cancel_requested.connect(self.cancel)
        self.panel.not_sent_confirmed.connect(self.confirm_not_sent)
        self.panel.reprint_requested.connect(self.reprint)
        self.panel.back_requested.connect(self.focus_queue)

    def start(self) -> None:
        """At window start: handed-over copies nobody holds go, then the queue and its count."""
        website = self._desk.website
        self._runner.run(website.discard_stale_folders, lambda _removed: None)
        self.reload()

    def reload(self) -> None:
        website, actor = self._desk.website, self._actor
        self._runner.run(lambda: website.queue(actor=actor), self._show_queue)

    def show_changes(self, changes: DeskChanges) -> None:
        if changes.outbox or changes.everything:
            self.reload()

    def focus_queue(self) -> None:
        self.queue.focus()

    # -- the lane's steps, each on the worker --------------------------------------------

    def start_typing(self, outbox_id: int) -> None:
        website, actor = self._desk.website, self._actor
        self._runner.run(lambda: website.start(outbox_id, actor=actor), self._started)

    def record(self, pasted: str) -> None:
        handover = self.panel.handover
        if handover is None:
            return
        records, actor = self._desk.website_records, self._actor
        self._runner.run(
            lambda: records.record_tracking_id(
                handover.outbox_id, pasted, typed_digest=handover.typed_digest, actor=actor
            ),
            self._recorded,
        )

    def cancel(self) -> None:
        handover = self.panel.handover
        if handover is not None:
            website, actor = self._desk.website, self._actor
            self._runner.run(
                lambda: website.cancel(handover.outbox_id, actor=actor), self._cancelled
            )

    def confirm_not_sent(self) -> None:
        handover = self.panel.handover
        if handover is not None:
            website, actor = self._desk.website, self._actor
            self._runner.run(
                lambda: website.confirm_not_sent(handover.outbox_id, actor=actor),
                self._confirmed,
            )

    def reprint(self) -> None:
        recorded = self.panel.recorded
        if recorded is None:
            return
        lookup, context, actor = self._desk.lookup, self._desk.context, self._actor
        number = recorded.registration_number
        self._runner.run(lambda: load_detail(lookup, context, number, actor), self._reprint)

    # -- answers, on the GUI thread ------------------------------------------------------

    def _show_queue(self, items: list[QueueItem]) -> None:
        self.queue.show_items(items)
        self.count.show_count(len(items))
        self.queue_shown.emit()

    def _started(self, result: Handover | Refused) -> None:
        if isinstance(result, Refused):
            self._texts.show("website-problem", self.problem.setText, result.message)
        else:
            self._texts.show("website-problem", self.problem.setText, None)
            self.panel.show_handover(result)
            self.queue.choose(result.outbox_id)
        self.reload()  # who holds what, as the database has it now
        self.started.emit(result)

    def _recorded(self, result: Recorded | WebsiteRefused) -> None:
        if isinstance(result, WebsiteRefused):
            self.panel.show_refusal(result.message)
        else:
            self.panel.show_recorded(result)
        self.recorded.emit(result)

    def _cancelled(self, refused: Refused | None) -> None:
        if refused is not None:
            self._texts.show("website-problem", self.problem.setText, refused.message)
        else:
            self.panel.show_empty()
            self.focus_queue()
        self.reload()
        self.released.emit()

    def _confirmed(self, refused: Refused | None) -> None:
        if refused is not None:
            self.panel.show_refusal(refused.message)
        else:
            self.panel.check_cleared()

    def _reprint(self, page: DetailPage | None) -> None:
        if page is not None:
            self.receipt_requested.emit(page)

    def showEvent(self, event: QShowEvent) -> None:
        """Another workstation may have taken or finished one meanwhile."""
        super().showEvent(event)
        self.reload()

    def _lay_out(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.queue, 1)
        column.addWidget(self.problem)
        if not self.may_type:
            note = QLabel()
            note.setWordWrap(True)
            self._texts.show("website-role", note.setText, Message(MAY_NOT_TYPE))
            column.addWidget(note)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([660, 680])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
