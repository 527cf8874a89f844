"""The settings screen's fields and their layout, without what loading and saving do.

:class:`ui.settings_page.SettingsPage` adds the behaviour; keeping the two
apart keeps each under a screenful of reading.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from lapor_desktop.services.settings_service import (
    MAX_ATTACHMENT_MIB,
    MAX_CEILING_DAYS,
    MAX_IDLE_MINUTES,
    MAX_WORKING_DAYS,
)
from ui.fields import FieldError, set_role
from ui.i18n import LANGUAGE_NAMES, Texts

READ_ONLY = Message(N_("Only a supervisor or IT staff can change these settings."))
READ_ONLY_LOOK = "background: #e9ecef; color: #45494d;"
"""A read-only text field, greyed like the disabled ones beside it (7:1 contrast kept)."""
TRAINING_DESK = Message(
    N_("Training desk: it only ever talks to the training server on this computer.")
)
LIVE_DESK = Message(N_("Live desk: complaints go to the national LAPOR! service."))
ROUTES = (
    (N_("Sent by the desk through the LAPOR! API"), "protocol"),
    (N_("Typed into the LAPOR! website by an operator"), "website"),
)
"""The office's route of new complaints (``website.route``); one waiting complaint moves apart."""


class SettingsForm(QWidget):
    """Every field of the settings screen, laid out in two columns that scroll."""

    def __init__(
        self,
        texts: Texts,
        *,
        training: bool,
        may_change: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts, self._training, self._may_change = texts, training, may_change
        self.office_name = QLabel()
        self.office_code = QLabel()
        self.server_url = QLineEdit()
        self.device_token = QLineEdit()
        self.device_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_state = set_role(QLabel(), "hint")
        self.public_keys = QPlainTextEdit()
        self.pinned_ca_file = QLineEdit()
        self.route = QComboBox()
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

    def show_language(self, code: str) -> None:
        with QSignalBlocker(self.language):
            self.language.setCurrentIndex(self.language.findData(code))

    def _set_editable(self, editable: bool) -> None:
        """A field that may not be changed looks it (greyed, with why in its tooltip); the
        text ones stay focusable and selectable, so a value can still be read and copied."""
        tip = "" if editable else self._texts.render(READ_ONLY)
        for field in (
            self.server_url,
            self.device_token,
            self.pinned_ca_file,
            self.public_keys,
            self.leave_days,
        ):
            field.setReadOnly(not editable)
            field.setToolTip(tip)
            field.setStyleSheet("" if editable else READ_ONLY_LOOK)
        for widget in (
            self.choose_ca,
            self.route,
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
        national.addRow(
            self._label(N_("&Route of new complaints"), self.route),
            self._with_error("route", self.route),
        )
        for index, (msgid, route) in enumerate(ROUTES):
            self.route.addItem("", route)
            t.bind(functools.partial(self.route.setItemText, index), msgid)
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


def _spin(low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setMaximumWidth(120)
    return spin
