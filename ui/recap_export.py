"""Making the monthly recap from the window: ask where, then write it on the database worker.

The file and its figures are the core's (``services/reports/recap.py``);
this only asks for a file name (``choose``, a QFileDialog unless a test
passes its own) and reports the outcome as a signal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from lapor_desktop import durable_files
from lapor_desktop.i18n import N_
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.recap import RecapFormat, RecapMade, make_recap, period_key
from ui.i18n import Language
from ui.tasks import TaskRunner

Chooser = Callable[[QWidget | None, str, str], Path | None]
"""(parent, suggested file name, file-type filter) → the chosen path, or None: cancelled."""

FILTERS = {RecapFormat.XLSX: N_("Workbook (*.xlsx)"), RecapFormat.PDF: N_("PDF (*.pdf)")}


def choose_with_dialog(parent: QWidget | None, suggested: str, file_filter: str) -> Path | None:
    name, _chosen = QFileDialog.getSaveFileName(parent, "", suggested, file_filter)
    return Path(name) if name else None


class RecapExport(QObject):
    """``made`` with the :class:`RecapMade`; ``failed`` with the error."""

    made = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        context: DeskContext,
        actor: Actor,
        runner: TaskRunner,
        language: Language,
        choose: Chooser = choose_with_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context, self._actor, self._runner = context, actor, runner
        self._language, self._choose = language, choose

    def make(self, period: Period, file_format: RecapFormat, parent: QWidget | None) -> None:
        suggested = f"rekap-{period_key(period)}.{file_format.value}"
        target = self._choose(parent, suggested, self._language.text(FILTERS[file_format]))
        if target is None:
            return
        context, actor, language = self._context, self._actor, self._language.code

        def write() -> RecapMade:
            with durable_files.replacing(target) as handle:
                return make_recap(
                    context, period, file_format, handle, actor=actor, language=language
                )

        self._runner.run(write, self.made.emit, self.failed.emit)
