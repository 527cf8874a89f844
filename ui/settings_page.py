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

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.i18n import LANGUAGES, N_, Message
from lapor_desktop.services.context import Actor
from lapor_desktop.services.settings_service import (
    MAX_ATTACHMENT_MIB,
    MAX_CEILING_DAYS,
    MAX_IDLE_MINUTES,
    MAX_WORKING_DAYS,
    SettingIssue,
    SettingsRefused,
    SettingsSaved,
    SettingsService,
    parse_leave_days,
)
from lapor_desktop.settings import MIB, NationalServiceSettings, OfficeSettings, SlaSettings
from ui.errors import explain
from ui.fields import FieldError, set_role
from ui.i18n import LANGUAGE_NAMES, Texts
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
READ_ONLY = Message(N_("Only a supervisor or IT staff can change these settings."))
TRAINING_DESK = Message(
    N_("Training desk: it only ever talks to the training server on this computer.")
)
LIVE_DESK = Message(N_("Live desk: complaints go to the national LAPOR! service."))


class SettingsPage(QWidget):
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
        super().__init__(parent)
        self._texts, self._service, self._actor = texts, service, actor
        self._runner, self._data_dir, self._training = runner, data_dir, training
        self._may_change = may_change
        self._base: OfficeSettings | None = None
        self.office_name = QLabel()
        self.office_code = QLabel()
        self.server_url = QLineEdit()
        self.device_token = QLineEdit()
        self.device_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_state = set_role(QLabel(), "hint")
        self.public_keys = QPlainTextEdit()
        self.pinned_ca_file = QLineEdit()
        self.choose_ca = QPushButton()
        self.mode = set_role(QLabel(), "training" if training else "hint")
        self.language = QComboBox()
        self.max_attachment_mib = _spin(1, MAX_ATTACHMENT_MIB)
        self.allow_audio_video = QCheckBox()
        self.verification_working_days = _spin(1, MAX_WORKING_DAYS)
        self.follow_up_working_days = _spin(1, MAX_WORKING_DAYS)
        self.auto_close_working_days = _spin(1, MAX_WORKING_DAYS)
        self.legal_ceiling_days = _spin(1, MAX_CEILING_DAYS)
        self.leave_days = QPlainTextEdit()
        self.idle_lock_minutes = _spin(1, MAX_IDLE_MINUTES)
        self.save_button = QPushButton()
        self.revert_button = QPushButton()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.errors: dict[str, FieldError] = {}
        self._lay_out()
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

    def show_language(self, code: str) -> None:
        with QSignalBlocker(self.language):
            self.language.setCurrentIndex(self.language.findData(code))

    # -- reactions ------------------------------------------------------------------------

    def _show(self, loaded: LoadedSettings) -> None:
        office = self._base = loaded.office
        self.office_name.setText(office.office_name)
        self.office_code.setText(office.office_code)
        national = office.national
        self.server_url.setText(national.server_url)
        self.public_keys.setPlainText("\n".join(national.public_keys))
        self.pinned_ca_file.setText(national.pinned_ca_file)
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
        national = NationalServiceSettings(
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
        return dataclasses.replace(
            self._base,
            national=national,
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
        )
        if chosen:
            self.pinned_ca_file.setText(chosen)

    def _set_editable(self, editable: bool) -> None:
        for line in (self.server_url, self.device_token, self.pinned_ca_file):
            line.setReadOnly(not editable)
        for text in (self.public_keys, self.leave_days):
            text.setReadOnly(not editable)
        for widget in (
            self.choose_ca,
            self.max_attachment_mib,
            self.allow_audio_video,
            self.verification_working_days,
            self.follow_up_working_days,
            self.auto_close_working_days,
            self.legal_ceiling_days,
            self.idle_lock_minutes,
            self.save_button,
            self.revert_button,
        ):
            widget.setEnabled(editable)

    # -- construction ---------------------------------------------------------------------

    def _lay_out(self) -> None:
        t = self._texts
        office_box, office = self._group(N_("Office"))
        office.addRow(self._label(N_("Office name"), None), self.office_name)
        office.addRow(self._label(N_("Office code"), None), self.office_code)
        national_box, national = self._group(N_("National LAPOR! service"))
        national.addRow(self.mode)
        national.addRow(
            self._label(N_("Server &address"), self.server_url),
            self._with_error("server_url", self.server_url),
        )
        national.addRow(
            self._label(N_("Device &token"), self.device_token),
            self._with_error("device_token", self.device_token, self.token_state),
        )
        national.addRow(
            self._label(N_("Server's public &keys"), self.public_keys),
            self._with_error("public_keys", self.public_keys),
        )
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.pinned_ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        national.addRow(
            self._label(N_("Pinned &CA file"), self.pinned_ca_file),
            self._with_error("pinned_ca_file", ca_row),
        )
        station_box, station = self._group(N_("This workstation"))
        station.addRow(self._label(N_("&Language"), self.language), self.language)
        station.addRow(
            self._label(N_("Lock the window after (&minutes idle)"), self.idle_lock_minutes),
            self._with_error("idle_lock_minutes", self.idle_lock_minutes),
        )
        files_box, files = self._group(N_("Attachments"))
        files.addRow(
            self._label(N_("Largest &file (MB)"), self.max_attachment_mib),
            self._with_error("max_attachment_mib", self.max_attachment_mib),
        )
        files.addRow("", self.allow_audio_video)
        sla_box, sla = self._group(N_("Deadlines (SLA)"))
        for name, msgid in (
            ("verification_working_days", N_("&Verification (working days)")),
            ("follow_up_working_days", N_("&Follow-up (working days)")),
            ("auto_close_working_days", N_("Closed after no &reply (working days)")),
            ("legal_ceiling_days", N_("Legal &ceiling (days)")),
        ):
            spin = getattr(self, name)
            sla.addRow(self._label(msgid, spin), self._with_error(name, spin))
        sla.addRow(
            self._label(N_("Office l&eave days"), self.leave_days),
            self._with_error("leave_days", self.leave_days),
        )
        t.bind(self.server_url.setPlaceholderText, N_("https://… (empty: not configured yet)"))
        t.bind(self.public_keys.setPlaceholderText, N_("One Ed25519 key (base64) per line"))
        t.bind(self.leave_days.setPlaceholderText, N_("One date per line, e.g. 24/12/2026"))
        t.bind(self.pinned_ca_file.setPlaceholderText, N_("Empty: trust the system's certificates"))
        t.bind(self.choose_ca.setText, N_("C&hoose…"))
        t.bind(self.allow_audio_video.setText, N_("Accept audio and video files"))
        t.bind(self.save_button.setText, N_("&Save settings (Ctrl+S)"))
        t.bind(self.revert_button.setText, N_("&Undo changes"))
        t.show("mode", self.mode.setText, TRAINING_DESK if self._training else LIVE_DESK)
        for text in (self.public_keys, self.leave_days):
            text.setTabChangesFocus(True)
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 4 + 12)
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.show_language(t.language.code)
        content = QWidget()
        columns = QHBoxLayout(content)
        left, right = QVBoxLayout(), QVBoxLayout()
        for column, boxes in (
            (left, (office_box, national_box)),
            (right, (station_box, files_box, sla_box)),
        ):
            for box in boxes:
                column.addWidget(box)
            column.addStretch(1)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        if not self._may_change:
            note = set_role(QLabel(), "hint")
            t.show("read-only", note.setText, READ_ONLY)
            layout.addWidget(note)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def _group(self, msgid: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox()
        self._texts.bind(box.setTitle, msgid)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return box, form

    def _label(self, msgid: str, buddy: QWidget | None) -> QLabel:
        label = QLabel()
        self._texts.bind(label.setText, msgid)
        if buddy is not None:
            label.setBuddy(buddy)
        return label

    def _with_error(
        self, name: str, field: QWidget | QHBoxLayout, hint: QLabel | None = None
    ) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if isinstance(field, QHBoxLayout):
            column.addLayout(field)
        else:
            column.addWidget(field)
        if hint is not None:
            hint.setWordWrap(True)
            column.addWidget(hint)
        error = self.errors[name] = FieldError()
        column.addWidget(error)
        return holder

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


def _spin(low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setMaximumWidth(120)
    return spin
