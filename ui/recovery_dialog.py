"""A damaged database at start-up: say so plainly, offer the newest good backup, delete nothing.

Shown by ``ui.app`` when opening the desk raised
:class:`~lapor_desktop.backups.startup.DatabaseDamaged`. "Restore" runs
:func:`~lapor_desktop.backups.startup.restore_newest_good` on the task
runner (the damaged file is set aside, never deleted) and says where the
damaged file now lies; "Quit" changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lapor_desktop.backups.restore import Restored, RestoreRefused
from lapor_desktop.backups.startup import Damaged, restore_newest_good
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from ui.errors import explain
from ui.fields import set_role
from ui.i18n import Language, Texts
from ui.tasks import TaskRunner

RESTORING = N_("Restoring the backup…")
RESTORED = N_(
    "The backup {backup} was restored. The damaged database was kept at {aside}; give it to "
    "IT staff, as it may still hold complaints saved after the backup."
)
DAMAGED_FILE = N_("The damaged file: {path}")

Now = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RecoveryDialog(QDialog):
    """Accepted once a backup was restored (the desk can open); rejected on Quit.

    ``finished_restoring`` carries :class:`Restored`, or the error that stopped it.
    """

    finished_restoring = Signal(object)

    def __init__(
        self,
        language: Language,
        damaged: Damaged,
        paths: DataPaths,
        runner: TaskRunner,
        *,
        now: Now = _utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts = Texts(language, self)
        self._damaged, self._paths, self._runner, self._now = damaged, paths, runner, now
        self.restored: Restored | None = None
        texts.bind(self.setWindowTitle, N_("LAPOR! Desktop: the database is damaged"))
        heading = set_role(QLabel(), "heading")
        texts.bind(heading.setText, N_("The database is damaged"))
        self.explanation = _paragraph()
        texts.show("explanation", self.explanation.setText, damaged.message)
        self.damaged_file = set_role(_paragraph(), "hint")
        texts.show(
            "damaged",
            self.damaged_file.setText,
            Message(DAMAGED_FILE, {"path": str(damaged.database)}),
        )
        self.status = _paragraph()
        self.restore_button = QPushButton()
        self.quit_button = QPushButton()
        self.continue_button = QPushButton()
        texts.bind(self.restore_button.setText, N_("&Restore the backup"))
        texts.bind(self.quit_button.setText, N_("&Quit"))
        texts.bind(self.continue_button.setText, N_("&Open LAPOR! Desktop"))
        self.restore_button.setEnabled(damaged.newest_good is not None)
        self.continue_button.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.quit_button, self.restore_button, self.continue_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        (self.restore_button if damaged.newest_good else self.quit_button).setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.explanation)
        layout.addWidget(self.damaged_file)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.restore_button.clicked.connect(self.restore)
        self.quit_button.clicked.connect(self.reject)
        self.continue_button.clicked.connect(self.accept)
        self.setMinimumWidth(560)

    def restore(self) -> None:
        """Put the newest good backup in place, off the GUI thread."""
        self.restore_button.setEnabled(False)
        self.quit_button.setEnabled(False)
        self._texts.show("status", self.status.setText, Message(RESTORING))
        paths, now = self._paths, self._now
        self._runner.run(lambda: restore_newest_good(paths, now=now()), self._done, self._failed)

    def _done(self, restored: Restored) -> None:
        self.restored = restored
        aside = str(restored.set_aside) if restored.set_aside else "-"
        params = {"backup": restored.backup.name, "aside": aside}
        set_role(self.status, "status-ok")
        self._texts.show("status", self.status.setText, Message(RESTORED, params))
        self.restore_button.hide()
        self.quit_button.hide()
        self.continue_button.show()
        self.continue_button.setDefault(True)
        self.continue_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.finished_restoring.emit(restored)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, RestoreRefused):
            message = error.message
        else:
            message = explain(error, self._paths.root)[0]
        set_role(self.status, "status-warn")
        self._texts.show("status", self.status.setText, message)
        self.quit_button.setEnabled(True)
        self.quit_button.setDefault(True)
        self.finished_restoring.emit(error)


def _paragraph() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
