"""The setup wizard's pages for the first supervisor and the national service, and their parts.

Each page checks what was typed with the same core rules ``lapor-desktop
init`` uses and says what is wrong beside the field, keeping the typing.
Nothing is written here: the summary page hands the answers to
``set_up``.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from lapor_desktop.desk import FirstSupervisor
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.passwords import (
    MIN_PASSWORD_LENGTH,
    check_password,
    check_username,
    normalise_username,
)
from lapor_desktop.settings import NationalServiceSettings
from sync.connection import NATIONAL_FIELDS, national_problems
from ui.fields import FieldError, set_role
from ui.i18n import Language, Texts

DISPLAY_NAME_MAX = 100
_PEM_BLOCK = re.compile(r"-----BEGIN [^-]+-----.*?-----END [^-]+-----", re.DOTALL)

PASSWORD_GOOD = Message(N_("✓ This password follows the rules."))
PASSWORDS_DIFFER = Message(N_("The two passwords are not the same."))


def public_keys_in(text: str) -> tuple[str, ...]:
    """PEM blocks, else one base64 key per line (two during the service's key rotation)."""
    blocks = _PEM_BLOCK.findall(text)
    if blocks:
        return tuple(block.strip() for block in blocks)
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class KeyBox(QPlainTextEdit):
    """A pasted key (PEM has several lines); Enter goes on to the next page as in a line field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.ignore()
            return
        super().keyPressEvent(event)


def cell(*widgets: QWidget) -> QWidget:
    """A field with what is said about it right below: hints, rules, its problem."""
    holder = QWidget()
    stack = QVBoxLayout(holder)
    stack.setContentsMargins(0, 0, 0, 0)
    stack.setSpacing(2)
    for widget in widgets:
        stack.addWidget(widget)
    return holder


def buddy(texts: Texts, msgid: str, field: QWidget) -> QLabel:
    label = QLabel()
    texts.bind(label.setText, msgid)
    label.setBuddy(field)
    return label


class SupervisorPage(QWizardPage):
    """The first account: a supervisor, with the password rules checked as it is typed."""

    def __init__(self, language: Language, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts = Texts(language, self)
        self.username = QLineEdit()
        self.username.setMaxLength(32)
        self.username_error = FieldError()
        self.full_name = QLineEdit()
        self.full_name.setMaxLength(DISPLAY_NAME_MAX)
        self.password = QLineEdit()
        self.repeat = QLineEdit()
        for field in (self.password, self.repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        rules = set_role(QLabel(), "hint")
        rules.setWordWrap(True)
        self.password_status = QLabel()
        self.password_status.setWordWrap(True)
        self.repeat_error = FieldError()
        texts.bind(self.setTitle, N_("2. The first supervisor"))
        texts.bind(
            self.setSubTitle,
            N_(
                "This account signs in first and creates the accounts of the front-desk staff. "
                "Only this person knows the password: nobody can read it back."
            ),
        )
        texts.bind(
            rules.setText,
            N_(
                "Password rules: at least {minimum} characters, not containing the user name, "
                "not one character repeated, not a common password such as password123."
            ),
            minimum=MIN_PASSWORD_LENGTH,
        )
        form = QFormLayout(self)
        form.addRow(
            buddy(texts, N_("&User name"), self.username),
            cell(self.username, self.username_error),
        )
        form.addRow(buddy(texts, N_("&Full name"), self.full_name), self.full_name)
        form.addRow(
            buddy(texts, N_("&Password"), self.password),
            cell(self.password, rules, self.password_status),
        )
        form.addRow(
            buddy(texts, N_("&Repeat the password"), self.repeat),
            cell(self.repeat, self.repeat_error),
        )
        self.username.textEdited.connect(self._username_typed)
        self.password.textChanged.connect(self._password_typed)
        self.repeat.textChanged.connect(lambda _text: self._repeat_typed(final=False))

    def first_field(self) -> QWidget:
        return self.username

    def supervisor(self) -> FirstSupervisor:
        username = normalise_username(self.username.text())
        display = " ".join(self.full_name.text().split()) or username
        return FirstSupervisor(username, display, self.password.text())

    def validatePage(self) -> bool:
        chosen = self.supervisor()
        name_problem = check_username(chosen.username)
        self.texts.show("username", self.username_error.setText, name_problem)
        password_problem = self._password_typed()
        differs = self._repeat_typed(final=True)
        first = (
            self.username if name_problem
            else self.password if password_problem
            else self.repeat if differs
            else None
        )  # fmt: skip
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return first is None

    def _username_typed(self, _text: str) -> None:
        self.texts.show("username", self.username_error.setText, None)
        if self.password.text():
            self._password_typed()

    def _password_typed(self, *_args: object) -> Message | None:
        """The policy's verdict on what is typed so far, shown at once."""
        typed = self.password.text()
        problem = check_password(typed, normalise_username(self.username.text()))
        shown = None if not typed and problem else problem or PASSWORD_GOOD
        set_role(self.password_status, "status-ok" if problem is None else "error")
        self.texts.show("password", self.password_status.setText, shown)
        if self.repeat.text():
            self._repeat_typed(final=False)
        return problem

    def _repeat_typed(self, *, final: bool) -> bool:
        """Whether the two differ; while typing, only once the repeat is as long as the first."""
        first, second = self.password.text(), self.repeat.text()
        differs = first != second
        show = differs and (final or len(second) >= len(first))
        self.texts.show("repeat", self.repeat_error.setText, PASSWORDS_DIFFER if show else None)
        return differs


class NationalPage(QWizardPage):
    """Connect to the national LAPOR! service now, or keep a practice desk for now."""

    def __init__(self, language: Language, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts = Texts(language, self)
        self.connect_now = QRadioButton()
        self.training = QRadioButton()
        group = QButtonGroup(self)
        group.addButton(self.connect_now)
        group.addButton(self.training)
        self.connect_now.setChecked(True)
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText("https://")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.public_key = KeyBox()
        self.public_key.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.errors = {name: FieldError() for name in NATIONAL_FIELDS}
        training_note = set_role(QLabel(), "hint")
        training_note.setWordWrap(True)
        texts.bind(self.setTitle, N_("3. The national LAPOR! service"))
        texts.bind(
            self.setSubTitle,
            N_(
                "The address, the device token and the public key come from the LAPOR! "
                "administrators (the office's developer account)."
            ),
        )
        texts.bind(self.connect_now.setText, N_("&Connect to the national service now"))
        texts.bind(self.training.setText, N_("&Training only for now"))
        texts.bind(
            training_note.setText,
            N_(
                "Training: every screen and receipt says PELATIHAN and nothing goes to the real "
                "LAPOR!. For the real desk, set up a new data folder once the token arrives."
            ),
        )
        fields = QFormLayout()
        errors = self.errors
        fields.addRow(
            buddy(texts, N_("Server &address"), self.server_url),
            cell(self.server_url, errors["server_url"]),
        )
        fields.addRow(
            buddy(texts, N_("&Device token"), self.token), cell(self.token, errors["device_token"])
        )
        fields.addRow(
            buddy(texts, N_("Public &key"), self.public_key),
            cell(self.public_key, errors["public_key"], errors["pinned_ca_file"]),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.connect_now)
        layout.addLayout(fields)
        layout.addWidget(self.training)
        layout.addWidget(training_note)
        layout.addStretch(1)
        self.setTabOrder(self.connect_now, self.server_url)
        self.setTabOrder(self.server_url, self.token)
        self.setTabOrder(self.token, self.public_key)
        self.setTabOrder(self.public_key, self.training)
        self.training.toggled.connect(self._mode_changed)
        self.server_url.textEdited.connect(lambda _t: self._clear("server_url"))
        self.token.textEdited.connect(lambda _t: self._clear("device_token"))
        self.public_key.textChanged.connect(lambda: self._clear("public_key"))

    def first_field(self) -> QWidget:
        """The choice first: connecting now or training, then its fields by Tab."""
        return self.training if self.training_only else self.connect_now

    @property
    def training_only(self) -> bool:
        return self.training.isChecked()

    def national(self) -> NationalServiceSettings:
        if self.training_only:
            return NationalServiceSettings()
        keys = public_keys_in(self.public_key.toPlainText())
        return NationalServiceSettings(self.server_url.text().strip(), keys)

    def device_token(self) -> str | None:
        return None if self.training_only else self.token.text().strip()

    def validatePage(self) -> bool:
        if self.training_only:
            return True
        problems = national_problems(self.national(), self.device_token(), training=False)
        for name, label in self.errors.items():
            self.texts.show(name, label.setText, problems.get(name))
        fields = {"server_url": self.server_url, "device_token": self.token}
        for name in NATIONAL_FIELDS:
            if name in problems:
                fields.get(name, self.public_key).setFocus(Qt.FocusReason.OtherFocusReason)
                return False
        return True

    def _mode_changed(self, training: bool) -> None:
        for field in (self.server_url, self.token, self.public_key):
            field.setEnabled(not training)
        if training:
            for name, label in self.errors.items():
                self.texts.show(name, label.setText, None)

    def _clear(self, name: str) -> None:
        self.texts.show(name, self.errors[name].setText, None)
