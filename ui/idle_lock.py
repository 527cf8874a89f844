"""Locking an unattended window: office PCs are shared under one Windows login.

After the policy's idle time (``lapor_desktop.services.idle_lock``) the
window keeps what was typed as a draft, hides its content and asks for the
same person's password; nobody else can continue in their name. Closing
the lock instead closes the window (drafts are kept on close as well); its
Sign out button lets the next person sign in. Session > Lock now (Ctrl+L)
locks at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog

from lapor_desktop.services.idle_lock import IdleLockPolicy
from ui.main_window import MainWindow
from ui.sign_in import SignInDialog

ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
Clock = Callable[[], dt.datetime]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class IdleLock(QObject):
    """Watches input anywhere in the application and locks ``window`` when it goes idle."""

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        window: MainWindow,
        policy: IdleLockPolicy | None = None,
        clock: Clock = _now,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._policy = policy
        self._clock = clock
        self._last = clock()
        self.dialog: SignInDialog | None = None
        application = QApplication.instance()
        if application is not None:
            application.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        window.lock_requested.connect(self.lock)
        self._signing_out = False

    @property
    def policy(self) -> IdleLockPolicy:
        """The given policy, or the office's setting as it is now (Settings may change it)."""
        if self._policy is not None:
            return self._policy
        return IdleLockPolicy(60 * self._window.desk.context.office.idle_lock_minutes)

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.dialog is None and event.type() in ACTIVITY:
            self._last = self._clock()
        return False

    def check(self) -> None:
        if self.dialog is None and self.policy.should_lock(self._last, self._clock()):
            self.lock()

    def lock(self) -> None:
        if self.dialog is not None:
            return
        window = self._window
        if window.intake is not None:
            window.intake.autosave()
        central = window.centralWidget()
        if central is not None:
            central.setVisible(False)
        dialog = SignInDialog(window.texts.language, window.desk, window.runner, window)
        dialog.show_locked(window.actor.username)
        dialog.sign_out.connect(self._sign_out)
        dialog.finished.connect(self._finished)
        self.dialog = dialog
        dialog.open()
        self.locked.emit()

    def _sign_out(self) -> None:
        self._signing_out = True
        if self.dialog is not None:
            self.dialog.reject()

    def _finished(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        if self._signing_out:
            self._signing_out = False
            self._window.sign_out_requested.emit()
            return
        principal = dialog.principal if result == QDialog.DialogCode.Accepted else None
        if principal is None or principal.username != self._window.actor.username:
            self._window.close()
            return
        central = self._window.centralWidget()
        if central is not None:
            central.setVisible(True)
        self._last = self._clock()
        self.unlocked.emit()
