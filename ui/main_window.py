"""The desk's window: record a complaint, find one, see it in full, hand over the receipt."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop import app
from lapor_desktop.domain.complaint import ComplaintDetail
from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.i18n import LANGUAGES, N_, Message
from lapor_desktop.services.context import Actor
from lapor_desktop.services.intake import SaveOutcome
from lapor_desktop.services.lookup import ComplaintQuery
from ui.bridge import DeskBridge
from ui.complaint_list import ComplaintList
from ui.complaint_model import ComplaintTableModel
from ui.detail import DetailView
from ui.detail_data import DetailPage, load_detail
from ui.errors import explain
from ui.fields import set_role
from ui.i18n import LANGUAGE_NAMES, Language, Texts
from ui.intake_page import AUTOSAVE_SECONDS, IntakePage
from ui.receipt import TRAINING_MARK, receipt_for
from ui.receipt_dialog import ReceiptDialog
from ui.reference_choices import load_choices
from ui.tasks import TaskRunner

SIGNED_IN_AS = N_("Signed in as {user} ({role})")


class MainWindow(QMainWindow):
    """``receipt_shown`` with the dialog, ``detail_shown`` with the page: for tests and tours."""

    receipt_shown = Signal(object)
    detail_shown = Signal(object)

    def __init__(
        self,
        desk: app.Desk,
        actor: Actor,
        language: Language,
        *,
        training: bool = False,
        autosave_seconds: int = AUTOSAVE_SECONDS,
    ) -> None:
        super().__init__()
        self.desk, self.actor, self.training = desk, actor, training
        self.runner = TaskRunner(self)
        self.bridge = DeskBridge(self)
        self.texts = Texts(language, self)
        self.receipt_dialog: ReceiptDialog | None = None
        timezone = desk.context.office.timezone
        self.intake: IntakePage | None = None
        if allows(actor.role, Permission.RECORD_COMPLAINTS):
            self.intake = IntakePage(
                self.texts,
                desk.intake,
                actor,
                self.runner,
                self.bridge,
                desk.context.clock,
                timezone,
                autosave_seconds=autosave_seconds,
            )
        lookup = desk.lookup
        self.model = ComplaintTableModel(
            lambda query: lookup.find_page(query, actor=actor), self.runner, language, timezone
        )
        self.list = ComplaintList(self.texts, self.model)
        self.detail = DetailView(self.texts, timezone)
        self.tabs = QTabWidget()
        self.language_choice = QComboBox()
        self._lay_out()
        self._connect()
        self._start()

    # -- actions --------------------------------------------------------------------------

    def show_intake(self) -> None:
        if self.intake is not None:
            self.tabs.setCurrentWidget(self.intake)
            self.intake.form.focus_field("classification")

    def show_list(self) -> None:
        self.tabs.setCurrentWidget(self._browse)
        self.list.focus_search()

    def open_complaint(self, key: str) -> None:
        """Show one complaint in the detail pane (read on the worker, shown when it arrives)."""
        lookup, context, actor = self.desk.lookup, self.desk.context, self.actor
        self.runner.run(lambda: load_detail(lookup, context, key, actor), self._show_detail)

    def show_receipt(self, page: DetailPage, *, copy: bool = False) -> ReceiptDialog:
        receipt = receipt_for(page, self.desk.context.office, training=self.training, copy=copy)
        dialog = ReceiptDialog(self.texts.language, receipt, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._receipt_closed)
        self.receipt_dialog = dialog
        dialog.open()
        self.receipt_shown.emit(dialog)
        return dialog

    # -- reactions ------------------------------------------------------------------------

    def _receipt_closed(self) -> None:
        self.receipt_dialog = None

    def _show_detail(self, page: DetailPage | None) -> None:
        self.detail.show_page(page)
        self.detail_shown.emit(page)

    def _submitted(self, outcome: SaveOutcome, then_print: bool) -> None:
        lookup, context, actor = self.desk.lookup, self.desk.context, self.actor
        self.runner.run(
            lambda: load_detail(lookup, context, outcome.uuid, actor),
            lambda page: self._receipt_after_save(page, then_print),
        )

    def _receipt_after_save(self, page: DetailPage | None, then_print: bool) -> None:
        if page is None:
            return
        dialog = self.show_receipt(page)
        if then_print:
            QTimer.singleShot(0, dialog.print_with_dialog)

    def _complaints_changed(self, uuids: tuple[str, ...]) -> None:
        """Refresh the list, and the detail only if it shows one that changed."""
        self.model.reload()
        page = self.detail.page
        if page is not None and (not uuids or page.detail.summary.uuid in uuids):
            self.open_complaint(page.detail.summary.uuid)

    def _resume(self, detail: ComplaintDetail) -> None:
        if self.intake is not None and self.intake.resume(detail):
            self.tabs.setCurrentWidget(self.intake)

    def _switch_language(self, index: int) -> None:
        code = str(self.language_choice.itemData(index))
        self.texts.language.switch(code)
        context, path = self.desk.context, self.desk.paths.workstation_settings
        station = dataclasses.replace(context.station, language=code)
        context.station = station
        self.runner.run(lambda: station.save(path), lambda _none: None)

    def _show_language(self, code: str) -> None:
        with QSignalBlocker(self.language_choice):
            self.language_choice.setCurrentIndex(self.language_choice.findData(code))

    def _show_failure(self, error: BaseException) -> None:
        message, _is_bug = explain(error)
        box = QMessageBox(QMessageBox.Icon.Warning, "LAPOR! Desktop", self.texts.render(message))
        box.setParent(self, box.windowFlags())
        box.open()

    def _update_title(self) -> None:
        title = f"LAPOR! Desktop · {self.desk.context.office.office_name}"
        if self.training:
            title += f" · {TRAINING_MARK}"
        self.setWindowTitle(title)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Keep whatever is typed as a draft, let the worker finish it, then close."""
        if self.intake is not None:
            self.intake.autosave()
        self.runner.shutdown()
        super().closeEvent(event)

    # -- construction ---------------------------------------------------------------------

    def _lay_out(self) -> None:
        t = self.texts
        self._browse = QSplitter(Qt.Orientation.Horizontal)
        self._browse.addWidget(self.list)
        self._browse.addWidget(self.detail)
        self._browse.setStretchFactor(0, 1)
        self._browse.setStretchFactor(1, 1)
        self._browse.setSizes([660, 600])
        self._browse.setChildrenCollapsible(False)
        if self.intake is not None:
            self.tabs.addTab(self.intake, "")
            t.bind(lambda text: self.tabs.setTabText(0, text), N_("Record a complaint (Ctrl+N)"))
        self.tabs.addTab(self._browse, "")
        browse_index = self.tabs.indexOf(self._browse)
        t.bind(lambda text: self.tabs.setTabText(browse_index, text), N_("Complaints (Ctrl+F)"))
        central = QWidget()
        layout = QVBoxLayout(central)
        if self.training:
            banner = set_role(QLabel(), "training")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            t.bind(
                banner.setText,
                N_("{mark}: practice desk, nothing goes to the real LAPOR!"),
                mark=TRAINING_MARK,
            )
            layout.addWidget(banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        user = QLabel()
        role = Message(self.actor.role.label)
        params = {"user": self.actor.username, "role": role}
        t.show("user", user.setText, Message(SIGNED_IN_AS, params))
        status = self.statusBar()
        status.addWidget(user, 1)
        status.addPermanentWidget(QLabel(self.desk.context.office.office_name))
        for code in LANGUAGES:
            self.language_choice.addItem(LANGUAGE_NAMES[code], code)
        self.language_choice.setCurrentIndex(LANGUAGES.index(self.texts.language.code))
        status.addPermanentWidget(self.language_choice)
        self._update_title()

    def _connect(self) -> None:
        self.runner.failed.connect(self._show_failure)
        self.bridge.complaints_changed.connect(self._complaints_changed)
        self.list.opened.connect(self.open_complaint)
        self.detail.receipt_requested.connect(lambda page: self.show_receipt(page, copy=True))
        self.detail.resume_requested.connect(self._resume)
        self.language_choice.activated.connect(self._switch_language)
        self.texts.language.changed.connect(self._show_language)
        if self.intake is not None:
            self.intake.submitted.connect(self._submitted)
        for keys, action in (("Ctrl+N", self.show_intake), ("Ctrl+F", self.show_list)):
            QShortcut(QKeySequence(keys), self, action)

    def _start(self) -> None:
        """The first page of the list, the pickers' entries, and the cursor where work starts."""
        self.model.set_query(ComplaintQuery())
        if self.intake is None:
            self.show_list()
        else:
            self.show_intake()
        if self.intake is not None:
            intake = self.intake
            context = self.desk.context
            self.runner.run(
                lambda: load_choices(context.references, context.office.office_code),
                intake.set_choices,
            )
