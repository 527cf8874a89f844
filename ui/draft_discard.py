"""Discarding a draft from its detail: asked once (No is the default), then done by the core.

The button shows only for a draft never queued and a role that records complaints; the
core checks both again (``services.drafts``), so the button is never the only guard.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from lapor_desktop.i18n import N_
from lapor_desktop.services.drafts import DiscardOutcome
from ui.i18n import Texts
from ui.tasks import TaskRunner

QUESTION = N_(
    "Discard this draft? What was typed in it is removed from this desk and cannot be "
    "brought back. It was never queued, so no registration number is lost."
)
DISCARDED = N_("The draft was discarded.")


class DraftDiscard(QPushButton):
    """``asked`` with the question box (for tests and tours); ``done`` with what the core said."""

    asked = Signal(object)
    done = Signal(object)

    def __init__(self, texts: Texts, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts, self._runner = texts, runner
        self._discard: Callable[[], DiscardOutcome] | None = None
        self.question: QMessageBox | None = None
        texts.bind(self.setText, N_("Discard this dra&ft"))
        self.setAutoDefault(False)
        self.clicked.connect(self.ask)

    def offer(self, discard: Callable[[], DiscardOutcome] | None) -> None:
        """Show the button with the page's action, or hide it (None)."""
        self._discard = discard
        self.setVisible(discard is not None)
        self.setEnabled(True)

    def ask(self) -> None:
        if self._discard is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "LAPOR! Desktop",
            self._texts.text(QUESTION),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(self._texts.text(N_("&Discard")))
        box.button(QMessageBox.StandardButton.No).setText(self._texts.text(N_("&Keep it")))
        box.finished.connect(lambda result: self._answered(box, result))
        self.question = box
        box.open()
        self.asked.emit(box)

    def _answered(self, box: QMessageBox, _result: int) -> None:
        self.question = None
        discard = self._discard
        if box.clickedButton() is not box.button(QMessageBox.StandardButton.Yes) or not discard:
            return
        self.setEnabled(False)
        self._runner.run(discard, self._finished, self._failed)

    def _finished(self, outcome: DiscardOutcome) -> None:
        self.setEnabled(True)
        if outcome.refused is not None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "LAPOR! Desktop",
                self._texts.render(outcome.refused),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        self.done.emit(outcome)

    def _failed(self, error: BaseException) -> None:
        self.setEnabled(True)
        self._runner.failed.emit(error)
