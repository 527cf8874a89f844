"""Signing in, and the forced change of an initial password right after.

Argon2 is slow on purpose, so checking a password runs on the database
worker and the dialog stays responsive. Every refusal shows the account
service's own message (wrong password, locked for N minutes, disabled).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.accounts import ChangeOutcome, PasswordChanged, Principal, SignedIn
from lapor_desktop.services.passwords import MIN_PASSWORD_LENGTH, AuthFailure
from ui.errors import explain
from ui.fields import FieldError, set_role
from ui.i18n import Language, Texts
from ui.receipt import TRAINING_MARK
from ui.tasks import TaskRunner
from ui.window_chrome import training_banner

PASSWORDS_DIFFER = Message(N_("The two new passwords are not the same; type them again."))
LOCKED = N_(
    "This desk is locked. Only {user} can open it again, with their password; "
    "anyone else signs {user} out first (what was typed is kept as a draft)."
)


class SignInDialog(QDialog):
    """Accepted with ``principal`` set once the person is in, initial password changed.

    ``refused`` carries the message shown; ``password_change`` the dialog
    opened for an initial password.
    """

    refused = Signal(str)
    password_change = Signal(object)
    sign_out = Signal()
    """The lock screen's Sign out button."""

    def __init__(
        self,
        language: Language,
        desk: Desk,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        training: bool = False,
    ) -> None:
        """``training``: the start's ``--training``; a practice workstation is one anyway."""
        super().__init__(parent)
        self._texts = texts = Texts(language, self)
        self.training = training or desk.context.station.training
        self._desk = desk
        self._runner = runner
        self.principal: Principal | None = None
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = FieldError()
        self.sign_in_button = QPushButton()
        self.sign_out_button = QPushButton()
        self.locked_note = set_role(QLabel(), "hint")
        office = QLabel(desk.context.office.office_name)
        set_role(office, "heading")
        self._title = N_("LAPOR! Desktop: sign in")
        self._bind_title()
        texts.bind(self.sign_in_button.setText, N_("&Sign in"))
        rows = QFormLayout()
        rows.addRow(_buddy(texts, N_("&User name"), self.username), self.username)
        rows.addRow(_buddy(texts, N_("&Password"), self.password), self.password)
        layout = QVBoxLayout(self)
        self.training_mark: QLabel | None = None
        if self.training:
            self.training_mark = training_banner(texts)
            self.training_mark.setWordWrap(True)
            layout.addWidget(self.training_mark)
        layout.addWidget(office)
        layout.addWidget(self.locked_note)
        layout.addLayout(rows)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.sign_in_button)
        self.locked_note.setWordWrap(True)
        self.locked_note.hide()
        self.sign_out_button.hide()
        self.sign_out_button.setAutoDefault(False)
        texts.bind(self.sign_out_button.setText, N_("Sign &out"))
        self.sign_out_button.clicked.connect(self.sign_out)
        layout.addLayout(buttons)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.setMinimumWidth(420)

    def show_locked(self, username: str) -> None:
        """The lock screen: says it is locked, for whom; the user name is not a field to edit."""
        self._title = N_("LAPOR! Desktop: locked")
        self._bind_title()
        self._texts.bind(self.locked_note.setText, LOCKED, user=username)
        self.locked_note.show()
        self.username.setText(username)
        self.username.setReadOnly(True)
        self.username.setEnabled(False)
        self.sign_out_button.show()
        self.password.setFocus()

    def _bind_title(self) -> None:
        """The title in the language, and PELATIHAN after it on a practice desk."""

        def show(text: str) -> None:
            self.setWindowTitle(f"{text} · {TRAINING_MARK}" if self.training else text)

        self._texts.bind(show, self._title)

    def sign_in(self) -> None:
        username, password = self.username.text(), self.password.text()
        self.sign_in_button.setEnabled(False)
        desk = self._desk
        self._runner.run(lambda: desk.sign_in(username, password), self._outcome, self._failed)

    def _outcome(self, outcome: SignedIn | AuthFailure) -> None:
        self.sign_in_button.setEnabled(True)
        if not isinstance(outcome, SignedIn):
            self._refuse(outcome.message)
            return
        principal = outcome.principal
        if not principal.must_change_password:
            self._accept(principal)
            return
        language = self._texts.language
        dialog = ChangePasswordDialog(language, self._desk, self._runner, principal, self)
        dialog.changed.connect(self._accept)
        dialog.open()
        self.password_change.emit(dialog)

    def _accept(self, principal: Principal) -> None:
        self.principal = principal
        self.password.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self._refuse(explain(error)[0])

    def _refuse(self, message: Message) -> None:
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
        self._texts.show("message", self.message.setText, message)
        self.refused.emit(self.message.text())


class ChangePasswordDialog(QDialog):
    """The first sign-in with an initial password: a new one, typed twice, before any work."""

    changed = Signal(object)

    def __init__(
        self,
        language: Language,
        desk: Desk,
        runner: TaskRunner,
        principal: Principal,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts = Texts(language, self)
        self._desk = desk
        self._runner = runner
        self._principal = principal
        self.current = QLineEdit()
        self.new = QLineEdit()
        self.repeat = QLineEdit()
        for field in (self.current, self.new, self.repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = FieldError()
        self.change_button = QPushButton()
        explanation = set_role(QLabel(), "hint")
        explanation.setWordWrap(True)
        texts.bind(self.setWindowTitle, N_("Choose your own password"))
        texts.bind(
            explanation.setText,
            N_(
                "You signed in with an initial password from a supervisor. Choose your own "
                "now: at least {minimum} characters, not your user name."
            ),
            minimum=MIN_PASSWORD_LENGTH,
        )
        texts.bind(self.change_button.setText, N_("&Change password"))
        rows = QFormLayout()
        rows.addRow(_buddy(texts, N_("C&urrent password"), self.current), self.current)
        rows.addRow(_buddy(texts, N_("&New password"), self.new), self.new)
        rows.addRow(_buddy(texts, N_("&Repeat the new password"), self.repeat), self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(rows)
        layout.addWidget(self.message)
        layout.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignRight)
        self.change_button.setDefault(True)
        self.change_button.clicked.connect(self.change)
        self.setMinimumWidth(460)

    def change(self) -> None:
        if self.new.text() != self.repeat.text():
            self._texts.show("message", self.message.setText, PASSWORDS_DIFFER)
            return
        old, new, who = self.current.text(), self.new.text(), self._principal
        accounts = self._desk.accounts
        self.change_button.setEnabled(False)
        self._runner.run(lambda: accounts.change_password(who, old, new), self._outcome)

    def _outcome(self, outcome: ChangeOutcome) -> None:
        self.change_button.setEnabled(True)
        if isinstance(outcome, PasswordChanged):
            self.accept()
            self.changed.emit(outcome.principal)
            return
        self._texts.show("message", self.message.setText, outcome.message)


def _buddy(texts: Texts, msgid: str, field: QWidget) -> QLabel:
    label = QLabel()
    texts.bind(label.setText, msgid)
    label.setBuddy(field)
    return label
