"""The desk's window: record a complaint, find one, see it in full, hand over the receipt.

Around the pages: the sync indicator in the status bar (always visible),
the full sync panel, and the settings. A new page is one ``add_page`` call
in ``_lay_out`` (its tab text names its key).
"""

from __future__ import annotations

import dataclasses
import functools

from PySide6.QtCore import QRect, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.desk import Desk
from lapor_desktop.domain.complaint import ComplaintDetail
from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.i18n import N_
from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.context import Actor
from lapor_desktop.services.intake import SaveOutcome
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.services.quarantine import QuarantineService
from lapor_desktop.services.settings_service import SettingsSaved, SettingsService
from sync.runner import RunnerConfig
from ui.about_dialog import AboutDialog
from ui.bridge import DeskBridge
from ui.bundle_tab import add_bundle_page, list_source
from ui.complaint_list import ComplaintList
from ui.complaint_model import ComplaintTableModel
from ui.crash_dialog import CrashReporter
from ui.desk_menu import add_session_menu
from ui.detail import DetailView
from ui.detail_data import DetailPage, load_detail
from ui.errors import explain
from ui.fix_and_resend import FixSources
from ui.help_menu import AboutBox, add_help_menu
from ui.i18n import Language, Texts
from ui.intake_page import AUTOSAVE_SECONDS, IntakePage
from ui.quarantine_view import QuarantineView
from ui.receipt import receipt_for
from ui.receipt_dialog import ReceiptDialog
from ui.reference_choices import ReferenceChoices, load_choices
from ui.reports_tab import add_reports_page
from ui.settings_page import SettingsPage
from ui.settings_work import SaveResult
from ui.situation_box import show_once
from ui.spool_watch import sources_for
from ui.sync_controller import SyncController
from ui.sync_panel import SyncPanel
from ui.sync_status_bar import SyncStatusBar
from ui.tasks import TaskRunner
from ui.website_page import WebsitePage
from ui.window_chrome import fill_status_bar, training_banner, window_title
from ui.window_geometry import WindowPlacement
from ui.window_wiring import add_window_keys, connect_operator, connect_sync

PREFERRED_SIZE = QSize(1280, 860)


class MainWindow(QMainWindow):
    """``receipt_shown`` with the dialog, ``detail_shown`` with the page: for tests and tours.

    ``lock_requested`` and ``sign_out_requested``: the Session menu, for the
    idle lock and the application, which own those steps.
    """

    receipt_shown = Signal(object)
    detail_shown = Signal(object)
    lock_requested = Signal()
    sign_out_requested = Signal()

    def __init__(
        self,
        desk: Desk,
        actor: Actor,
        language: Language,
        *,
        training: bool = False,
        autosave_seconds: int = AUTOSAVE_SECONDS,
        sync_config: RunnerConfig | None = None,
        crashes: CrashReporter | None = None,
    ) -> None:
        super().__init__()
        self.desk, self.actor, self.training = desk, actor, training
        self.runner = TaskRunner(self)
        self.crashes = crashes or CrashReporter(desk.paths, language, self)
        self.crashes.window = self
        self.bridge = DeskBridge(desk.hub, self)
        self.texts = Texts(language, self)
        self._about = AboutBox(self, desk, self.runner, self.texts, training=training)
        self.receipt_dialog: ReceiptDialog | None = None
        self.placement = WindowPlacement(desk.paths.root, "main")
        timezone = desk.context.office.timezone
        self.intake: IntakePage | None = None
        if allows(actor.role, Permission.RECORD_COMPLAINTS):
            self.intake = IntakePage(
                self.texts,
                desk.intake,
                actor,
                self.runner,
                desk.context.clock,
                timezone,
                autosave_seconds=autosave_seconds,
                data_folder=desk.paths.root,
            )
        self.model = ComplaintTableModel(list_source(desk, actor), self.runner, language, timezone)
        self.list = ComplaintList(self.texts, self.model, today=desk.context.office_today)
        self.detail = DetailView(self.texts, timezone, runner=self.runner)
        self.sync = SyncController(desk, self.runner, config=sync_config, parent=self)
        self.sync_bar = SyncStatusBar(self.texts, timezone)
        quarantine = QuarantineService(desk.context, desk.intake)
        self.quarantine = QuarantineView(
            self.texts,
            quarantine,
            actor,
            self.runner,
            timezone,
            fix=FixSources(desk.lookup, desk.intake, desk.context),
        )
        self.sync_panel = SyncPanel(self.texts, self.quarantine, timezone)
        self.settings = SettingsPage(
            self.texts,
            SettingsService(desk.context),
            actor,
            self.runner,
            desk.paths.root,
            training=training or desk.context.station.training,
            may_change=allows(actor.role, Permission.CHANGE_SETTINGS),
        )
        self.website = WebsitePage(self.texts, desk, actor, self.runner)
        self.tabs = QTabWidget()
        self.language_choice = QComboBox()
        self._lay_out()
        self._connect()
        self._start()

    # -- actions --------------------------------------------------------------------------

    def place(self, available: QRect | None = None) -> None:
        """Where it was last time if that fits this screen; else as large as fits, centred."""
        self.placement.restore(self, PREFERRED_SIZE, available)

    def add_page(self, page: QWidget, msgid: str) -> int:
        """A tab whose text follows the language; its index."""
        index = self.tabs.addTab(page, "")
        self.texts.bind(functools.partial(self.tabs.setTabText, index), msgid)
        return index

    def show_intake(self) -> None:
        if self.intake is not None:
            self.tabs.setCurrentWidget(self.intake)
            self.intake.form.focus_field("classification")

    def show_list(self) -> None:
        self.tabs.setCurrentWidget(self._browse)
        self.list.focus_search()

    def show_website(self) -> None:
        self.tabs.setCurrentWidget(self.website)
        self.website.focus_queue()

    def show_reports(self) -> None:
        self.tabs.setCurrentWidget(self.reports)

    def show_sync_panel(self) -> None:
        self.tabs.setCurrentWidget(self.sync_panel)
        self.sync_panel.sync_button.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.quarantine.refresh()

    def show_settings(self) -> None:
        self.tabs.setCurrentWidget(self.settings)
        self.settings.server_url.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_about(self) -> None:
        self._about.show()

    @property
    def about_dialog(self) -> AboutDialog | None:
        return self._about.dialog

    def choose_language(self, code: str) -> None:
        """Show the window in ``code`` and keep the choice for this workstation."""
        self.texts.language.switch(code)
        context, path = self.desk.context, self.desk.paths.workstation_settings
        station = dataclasses.replace(context.station, language=code)
        context.station = station
        self.runner.run(lambda: station.save(path), lambda _none: None)

    def open_complaint(self, key: str) -> None:
        """The complaints page with ``key`` open (filters cleared if they would leave it out)."""
        self.tabs.setCurrentWidget(self._browse)
        self.list.show_complaint(key)

    def _load_detail(self, key: str) -> None:
        """Read on the worker, shown when it arrives if the list still has it open."""
        lookup, context, actor = self.desk.lookup, self.desk.context, self.actor
        self.runner.run(
            lambda: load_detail(lookup, context, key, actor),
            lambda page: self._show_detail(key, page),
        )

    def show_receipt(self, page: DetailPage, *, copy: bool = False) -> ReceiptDialog:
        receipt = receipt_for(page, self.desk.context.office, training=self.training, copy=copy)
        placement = WindowPlacement(self.desk.paths.root, "receipt")
        dialog = ReceiptDialog(self.texts.language, receipt, self, placement=placement)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._receipt_closed)
        self.receipt_dialog = dialog
        dialog.open()
        self.receipt_shown.emit(dialog)
        return dialog

    # -- reactions ------------------------------------------------------------------------

    def _receipt_closed(self) -> None:
        self.receipt_dialog = None

    def _show_detail(self, key: str, page: DetailPage | None) -> None:
        """An answer for a complaint no longer open (a search came in between) is dropped."""
        if key != self.list.shown:
            return
        self.detail.show_page(page)
        self.detail_shown.emit(page)

    def _submitted(self, outcome: SaveOutcome, then_print: bool) -> None:
        self.sync.nudge()
        (lookup, context), actor = sources_for(self.desk, outcome.spooled), self.actor
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

    def _choices_loaded(self, choices: ReferenceChoices) -> None:
        """The pickers of the form and the list filters share one load of the reference data."""
        if self.intake is not None:
            self.intake.set_choices(choices)
        self.list.set_choices(choices)

    def _changed(self, changes: DeskChanges) -> None:
        """Repaint what a write named: its rows, the open detail, the pickers, the quarantine."""
        self.model.show_changes(changes)
        self.website.show_changes(changes)
        page, shown = self.detail.page, self.list.shown
        if page is not None and shown is not None and changes.touches(page.detail.summary.uuid):
            self._load_detail(shown)
        if changes.reference_data or changes.everything:
            self._load_choices()
        if (changes.outbox or changes.everything) and self.tabs.currentWidget() is self.sync_panel:
            self.quarantine.refresh()

    def _load_choices(self) -> None:
        context = self.desk.context
        self.runner.run(
            lambda: load_choices(context.references, context.office.office_code),
            self._choices_loaded,
        )

    def _resume(self, detail: ComplaintDetail) -> None:
        if self.intake is not None and self.intake.resume(detail):
            self.tabs.setCurrentWidget(self.intake)

    def _show_language(self, code: str) -> None:
        with QSignalBlocker(self.language_choice):
            self.language_choice.setCurrentIndex(self.language_choice.findData(code))
        self.settings.show_language(code)

    def _synced(self, summary: object) -> None:
        """A pass ended (its writes announced their own changes): the quarantine may have grown."""
        if self.tabs.currentWidget() is self.sync_panel:
            self.quarantine.refresh()

    def _settings_saved(self, result: SaveResult | BaseException) -> None:
        if isinstance(result, SaveResult) and isinstance(result.outcome, SettingsSaved):
            self._update_title()
            self.sync.sync_now()  # an address or token just set: try it at once

    def _show_failure(self, error: BaseException) -> None:
        """A situation gets a plain message; a bug gets a crash report and says where it is."""
        message, is_bug = explain(error, self.desk.paths.root)
        if is_bug:
            self.crashes.report(error)
            return
        show_once(self, self.texts.render(message))

    def _update_title(self) -> None:
        name = self.desk.context.office.office_name
        self._office_label.setText(name)
        self.setWindowTitle(window_title(name, training=self.training))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Keep whatever is typed as a draft, let the worker finish it, then close.

        A sync pass under way is cancelled between requests; nothing is half-recorded.
        """
        if self.intake is not None:
            self.intake.autosave()
        self.placement.save(self)
        self.sync.stop()
        self.runner.shutdown()
        self.bridge.close()
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
            self.add_page(self.intake, N_("Record a complaint (Ctrl+N)"))
        self.add_page(self._browse, N_("Complaints (Ctrl+F)"))
        self.add_page(self.website, N_("LAPOR! website (Ctrl+W)"))
        self.reports = add_reports_page(self)
        self.add_page(self.sync_panel, N_("Sync (F6)"))
        self.bundles = add_bundle_page(self)
        self.add_page(self.settings, N_("Settings (Ctrl+,)"))
        central = QWidget()
        layout = QVBoxLayout(central)
        if self.training:
            layout.addWidget(training_banner(t))
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._office_label = QLabel(self.desk.context.office.office_name)
        fill_status_bar(
            self.statusBar(),
            t,
            self.actor,
            (self.sync_bar, self.website.count, self._office_label),
            self.language_choice,
        )
        add_session_menu(
            self.menuBar(),
            t,
            lock=self.lock_requested.emit,
            sign_out=self.sign_out_requested.emit,
            quit_desk=self.close,
        )
        add_help_menu(self.menuBar(), t, self._about)
        self._update_title()

    def _connect(self) -> None:
        self.runner.failed.connect(self._show_failure)
        self.bridge.changes.connect(self._changed)
        self.list.opened.connect(self._load_detail)
        self.list.cleared.connect(lambda hint: self.detail.show_page(None, hint))
        self.detail.receipt_requested.connect(lambda page: self.show_receipt(page, copy=True))
        self.detail.resume_requested.connect(self._resume)
        self.language_choice.activated.connect(
            lambda index: self.choose_language(str(self.language_choice.itemData(index)))
        )
        self.settings.language_chosen.connect(self.choose_language)
        self.texts.language.changed.connect(self._show_language)
        self.sync.pass_finished.connect(self._synced)
        connect_sync(self)
        connect_operator(self)
        self.quarantine.open_requested.connect(self.open_complaint)
        self.website.receipt_requested.connect(lambda page: self.show_receipt(page, copy=True))
        self.website.count.clicked.connect(self.show_website)
        self.settings.saved.connect(self._settings_saved)
        if self.intake is not None:
            self.intake.submitted.connect(self._submitted)
        add_window_keys(self)

    def _start(self) -> None:
        """The first page of the list, the pickers' entries, and the cursor where work starts."""
        self.model.set_query(ComplaintQuery())
        self.settings.reload()
        self.sync.start()
        self.website.start()  # its queue, its count, and handed-over files nobody holds any more
        if self.intake is None:
            self.show_list()
        else:
            self.show_intake()
        self._load_choices()
