"""The office database away, in the status bar: what the spool holds, and the merge when it is back.

Only on a shared desk (``desk.spool``). The badge says plainly that the
office database cannot be reached and how many complaints wait on this PC;
clicking it lists them (``ui.spool_dialog``). Every few seconds, while the
database is away or the spool holds anything, a replay runs on a worker of
its own, so a probe that waits for a stalled server never holds up a save;
when it merges, the badge says how many joined the office's list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton

from lapor_desktop.i18n import N_
from lapor_desktop.services.context import DeskContext
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.spool import Spool
from lapor_desktop.services.spool_replay import ReplayReport, replay
from ui.formatting import clock_time, local
from ui.style import ERROR_TEXT
from ui.tasks import TaskRunner
from ui.window_chrome import SIGNED_IN_LABEL

if TYPE_CHECKING:
    from lapor_desktop.desk import Desk
    from ui.main_window import MainWindow

AWAY = N_("Office database cannot be reached since {time} · {count} saved on this PC")
AWAY_SHORT = N_("Office database away since {time} · {count} on this PC")
"""The badge's words: the status bar is shared with the sync indicator at 1366 px."""
WAITING = N_("{count} on this PC wait for the office database")
MERGED = N_("{count} from this PC joined the office database")
TOOLTIP = N_("Show what this PC saved while the office database was away")
REPLAY_SECONDS = 10
MERGED_SHOWN_SECONDS = 120
AWAY_STYLE = f"QPushButton {{ color: {ERROR_TEXT}; font-weight: bold; }}"


def sources_for(desk: Desk, spooled: bool) -> tuple[LookupService, DeskContext]:
    """Where a saved complaint is read back from: the spool if it went there."""
    if spooled and desk.spool is not None:
        context = desk.spool.context()
        return LookupService(context), context
    return desk.lookup, desk.context


class SpoolWatch(QObject):
    """Replays the spool on a worker of its own.

    ``changed`` after each look; ``merged`` with the report of a replay that moved something.
    """

    changed = Signal()
    merged = Signal(object)
    failed = Signal(object)
    """A bug in a replay (being away is not one), for the window's crash report."""

    def __init__(
        self, spool: Spool, office: DeskContext, parent: QObject, *, seconds: int = REPLAY_SECONDS
    ) -> None:
        super().__init__(parent)
        self.spool, self._office = spool, office
        self.waiting = 0
        self.last_merged = 0
        self._runner = TaskRunner(self)
        self._runner.failed.connect(self.failed)
        self._busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(seconds * 1000)
        self.timer.timeout.connect(self.replay_now)
        self.timer.start()
        self._runner.run(lambda: len(spool.waiting()), self._counted)

    @property
    def away(self) -> bool:
        return self.spool.link.away_since is not None

    def saved(self) -> None:
        """A save went to the spool: show it at once (the replay comes with the timer)."""
        self._runner.run(lambda: len(self.spool.waiting()), self._counted)

    def replay_now(self) -> None:
        """Merge what waits, if anything does (or the database is away, to learn it is back)."""
        if self._busy or not (self.away or self.waiting):
            return
        self._busy = True
        spool, office = self.spool, self._office
        self._runner.run(lambda: replay(spool, office), self._replayed, self._failed)

    def stop(self) -> None:
        self.timer.stop()
        self._runner.shutdown()

    def _counted(self, count: int) -> None:
        self.waiting = count
        self.changed.emit()

    def _replayed(self, report: ReplayReport) -> None:
        self._busy = False
        self.waiting = report.waiting
        if report.moved:
            self.last_merged = len(report.moved)
            self.merged.emit(report)
        self.changed.emit()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.changed.emit()
        self.failed.emit(error)


class SpoolBadge(QPushButton):
    """The status bar's word on the office database: hidden while all is well."""

    def __init__(self, window: MainWindow, watch: SpoolWatch) -> None:
        super().__init__()
        self.setFlat(True)
        self._window, self._watch = window, watch
        self._merged_at_last = False
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.setInterval(MERGED_SHOWN_SECONDS * 1000)
        self._fade.timeout.connect(self.show_state)
        window.texts.bind(self.setToolTip, TOOLTIP)
        watch.changed.connect(self.show_state)
        watch.merged.connect(lambda _report: self._fade.start())
        window.texts.language.changed.connect(lambda _code: self.show_state())
        self.show_state()

    def show_state(self) -> None:
        watch, texts = self._watch, self._window.texts
        since = watch.spool.link.away_since
        if since is not None:
            timezone = self._window.desk.context.office.timezone
            when = clock_time(local(since, timezone), texts.language.code)
            self.setText(texts.text(AWAY_SHORT, time=when, count=watch.waiting))
        elif watch.waiting:
            self.setText(texts.text(WAITING, count=watch.waiting))
        elif self._fade.isActive():
            self.setText(texts.text(MERGED, count=watch.last_merged))
        self.setStyleSheet(AWAY_STYLE if since is not None else "")
        shown = since is not None or bool(watch.waiting) or self._fade.isActive()
        self.setVisible(shown)
        self.setAccessibleName(self.text())
        user = self._window.statusBar().findChild(QLabel, SIGNED_IN_LABEL)
        if user is not None:  # 1366 px hold the badge or the name beside the sync indicator
            user.setVisible(not shown)


class _StopOnClose(QObject):
    """Stops the watch's worker when the window closes (its own runner, not the window's)."""

    def __init__(self, watch: SpoolWatch) -> None:
        super().__init__(watch)
        self._watch = watch

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self._watch.stop()
        return False


def watch_spool(window: MainWindow) -> SpoolWatch | None:
    """The badge and the replay timer on a shared desk's window; None on a single PC."""
    desk = window.desk
    if desk.spool is None:
        return None
    watch = SpoolWatch(desk.spool, desk.context, window)
    watch.failed.connect(window.runner.failed)
    badge = SpoolBadge(window, watch)
    window.statusBar().insertPermanentWidget(1, badge)  # after the signed-in name
    window.installEventFilter(_StopOnClose(watch))

    def opened() -> None:
        from ui.spool_dialog import SpoolDialog

        SpoolDialog(window, watch).open()

    badge.clicked.connect(opened)
    if window.intake is not None:
        window.intake.submitted.connect(lambda outcome, _print: watch.saved())
        window.intake.draft_saved.connect(
            lambda outcome: watch.saved() if outcome.spooled else None
        )
    return watch
