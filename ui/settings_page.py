"""Settings: the office (shared by its workstations), this workstation's token and language.

Everything is stored by the core (office settings in the database, the
device token in the keyring or sealed file), never in QSettings. Reading
and saving run on the database worker; rules and permissions are the
settings service's, and the server address is checked by the sync layer.
The device token is write-only: the screen says whether one is set,
never what it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QWidget,
)

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.context import Actor
from lapor_desktop.services.settings_service import (
    SettingIssue,
    SettingsRefused,
    SettingsSaved,
    SettingsService,
    parse_leave_days,
)
from lapor_desktop.settings import MIB, OfficeSettings, SlaSettings
from ui.errors import explain
from ui.i18n import Texts
from ui.qt_dialogs import file_dialog_options
from ui.settings_form import SettingsForm
from ui.settings_work import (
    LoadedSettings,
    SaveResult,
    load_settings,
    save_settings,
    split_keys,
)
from ui.tasks import TaskRunner

TOKEN_SET = Message(N_("A device token is set on this workstation. Type a new one to replace it."))
TOKEN_NOT_SET = Message(N_("No device token is set on this workstation yet."))
SAVED = Message(N_("Settings saved. Synchronisation uses them from the next pass."))
UNCHANGED = Message(N_("Nothing had changed; nothing was saved."))
NOT_SAVED = Message(N_("Not saved: {count} things to correct, marked in red."))


class SettingsPage(SettingsForm):
    """``loaded`` once the stored settings are shown; ``saved`` with each save's outcome."""

    loaded = Signal()
    saved = Signal(object)
    language_chosen = Signal(str)

    def __init__(
        self,
        texts: Texts,
        service: SettingsService,
        actor: Actor,
        runner: TaskRunner,
        data_dir: Path,
        *,
        training: bool,
        may_change: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(texts, training=training, may_change=may_change, parent=parent)
        self._service, self._actor = service, actor
        self._runner, self._data_dir = runner, data_dir
        self._base: OfficeSettings | None = None
        self._connect()
        self.setEnabled(False)  # until the stored settings arrive

    # -- actions --------------------------------------------------------------------------

    def reload(self) -> None:
        service, data_dir = self._service, self._data_dir
        self._runner.run(lambda: load_settings(service, data_dir), self._show)

    def save(self) -> None:
        if self._base is None or not self._may_change:
            return
        leave, problem = parse_leave_days(self.leave_days.toPlainText())
        self._clear_errors()
        if problem is not None:
            self._show_issues((SettingIssue("leave_days", problem),))
            return
        settings = self._settings(leave)
        service, actor, token = self._service, self._actor, self.device_token.text()
        data_dir, training = self._data_dir, self._training
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: save_settings(service, actor, settings, token, data_dir, training=training),
            self._saved,
            self._failed,
        )

    # -- reactions ------------------------------------------------------------------------

    def _show(self, loaded: LoadedSettings) -> None:
        office = self._base = loaded.office
        self.office_name.setText(office.office_name)
        self.office_code.setText(office.office_code)
        national = office.national
        self.server_url.setText(national.server_url)
        self.public_keys.setPlainText("\n".join(national.public_keys))
        self.pinned_ca_file.setText(national.pinned_ca_file)
        self.route.setCurrentIndex(max(0, self.route.findData(office.website.route)))
        self.device_token.clear()
        self._show_token(loaded.token_set, loaded.token_problem)
        self.max_attachment_mib.setValue(max(1, office.attachments.max_bytes // MIB))
        self.allow_audio_video.setChecked(office.attachments.allow_audio_video)
        sla = office.sla
        self.verification_working_days.setValue(sla.verification_working_days)
        self.follow_up_working_days.setValue(sla.follow_up_working_days)
        self.auto_close_working_days.setValue(sla.auto_close_working_days)
        self.legal_ceiling_days.setValue(sla.legal_ceiling_days)
        self.leave_days.setPlainText("\n".join(f"{day:%d/%m/%Y}" for day in sla.leave_days))
        self.idle_lock_minutes.setValue(office.idle_lock_minutes)
        self._clear_errors()
        self.setEnabled(True)
        self._set_editable(self._may_change)
        self.loaded.emit()

    def _saved(self, result: SaveResult) -> None:
        self.save_button.setEnabled(True)
        outcome = result.outcome
        if isinstance(outcome, SettingsRefused):
            self._show_issues(outcome.issues)
        elif isinstance(outcome, SettingsSaved):
            self._base = outcome.settings
            if result.token_set:
                self.device_token.clear()
            if result.token_problem is not None:
                self._show_issues((SettingIssue("device_token", result.token_problem),))
            else:
                done = SAVED if outcome.changed or result.token_set else UNCHANGED
                self._texts.show("settings-status", self.status.setText, done)
            if result.token_set or result.token_problem is not None:
                self._show_token(result.token_set, result.token_problem)
        self.saved.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._texts.show("settings-status", self.status.setText, explain(error)[0])
        self.saved.emit(error)

    def _show_token(self, token_set: bool, problem: Message | None) -> None:
        if problem is not None:
            self._texts.show("token", self.token_state.setText, problem)
            return
        self._texts.show(
            "token", self.token_state.setText, TOKEN_SET if token_set else TOKEN_NOT_SET
        )

    def _show_issues(self, issues: tuple[SettingIssue, ...]) -> None:
        for issue in issues:
            error = self.errors.get(issue.field)
            if error is not None:
                self._texts.show(f"error-{issue.field}", error.setText, issue.message)
        count = Message(NOT_SAVED.template, {"count": len(issues)})
        self._texts.show("settings-status", self.status.setText, count)
        first = next((i.field for i in issues if hasattr(self, i.field)), None)
        if first is not None:
            getattr(self, first).setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_errors(self) -> None:
        for name, error in self.errors.items():
            self._texts.show(f"error-{name}", error.setText, None)
        self._texts.show("settings-status", self.status.setText, None)

    # -- reading the form -----------------------------------------------------------------

    def _settings(self, leave: tuple[dt.date, ...]) -> OfficeSettings:
        assert self._base is not None
        keys = split_keys(self.public_keys.toPlainText())
        national = dataclasses.replace(
            self._base.national,
            server_url=self.server_url.text().strip(),
            public_keys=keys,
            pinned_ca_file=self.pinned_ca_file.text().strip(),
        )
        sla = SlaSettings(
            verification_working_days=self.verification_working_days.value(),
            follow_up_working_days=self.follow_up_working_days.value(),
            auto_close_working_days=self.auto_close_working_days.value(),
            legal_ceiling_days=self.legal_ceiling_days.value(),
            leave_days=leave,
        )
        attachments = dataclasses.replace(
            self._base.attachments,
            max_bytes=self.max_attachment_mib.value() * MIB,
            allow_audio_video=self.allow_audio_video.isChecked(),
        )
        website = dataclasses.replace(self._base.website, route=str(self.route.currentData()))
        return dataclasses.replace(
            self._base,
            national=national,
            website=website,
            sla=sla,
            attachments=attachments,
            idle_lock_minutes=self.idle_lock_minutes.value(),
        )

    def _choose_ca_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self._texts.text(N_("The national service's CA certificate")),
            self.pinned_ca_file.text(),
            "PEM (*.pem *.crt *.cer);;* (*)",
            options=file_dialog_options(self._texts.language),
        )
        if chosen:
            self.pinned_ca_file.setText(chosen)

    def _connect(self) -> None:
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.reload)
        self.choose_ca.clicked.connect(self._choose_ca_file)
        self.language.activated.connect(
            lambda index: self.language_chosen.emit(str(self.language.itemData(index)))
        )
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
