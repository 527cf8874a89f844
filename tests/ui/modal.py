"""Driving a dialog that runs modally (``exec``) inside the code under test.

The dialog's own event loop runs the test's steps; a failed check there would land in
the application's crash reporter, so it is kept, the dialog closed, and the test raises it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

D = TypeVar("D", bound=QDialog)


class ModalSteps:
    """``raise_failure()`` after the code under test returned."""

    def __init__(self) -> None:
        self.failures: list[BaseException] = []

    def raise_failure(self) -> None:
        if self.failures:
            raise self.failures[0]


def when_modal(kind: type[D], act: Callable[[D], None]) -> ModalSteps:
    """Run ``act`` on the modal ``kind`` dialog as soon as its event loop starts."""
    steps = ModalSteps()

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, kind), dialog
            act(dialog)
        except BaseException as failure:
            steps.failures.append(failure)
            if dialog is not None:
                dialog.close()

    QTimer.singleShot(0, run)
    return steps
