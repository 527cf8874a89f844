"""The one bridge between the sync runner's thread and the widgets (after Electrum's Qt adapter).

The runner calls its listeners on its own thread; this object re-emits
what they say as Qt signals on the GUI thread, reads the counts on the
database worker, and polls the thread-safe progress snapshot while a pass
runs. Widgets only ever receive a whole ``SyncView``.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from lapor_desktop.desk import Desk
from lapor_desktop.services.spool import database_away
from lapor_desktop.services.sync_status import SyncStatus, read_status
from sync.engine import SyncOutcome
from sync.runner import DeskLink, RunnerConfig, RunnerState, RunnerStatus, SyncRunner
from sync.sync_log import SyncLog
from ui.sync_state import LONG_OFFLINE, SyncView, brought_changes
from ui.tasks import TaskRunner

PROGRESS_POLL_MS = 200


class SyncController(QObject):
    """``changed`` with each new view; ``pass_finished`` with each pass's summary.

    ``reconciled_after_absence`` carries the first pass's summary when it
    brought changes after a long time without a successful sync: the
    window shows it first, as the operator's first news of the day.
    """

    changed = Signal(object)
    pass_finished = Signal(object)
    reconciled_after_absence = Signal(object)
    _posted = Signal(object)

    def __init__(
        self,
        desk: Desk,
        tasks: TaskRunner,
        *,
        config: RunnerConfig | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk, self._tasks = desk, tasks
        self._log = SyncLog(desk.paths.logs)
        self.runner = SyncRunner(
            DeskLink(desk.context, desk.paths.root),
            clock=desk.context.clock,
            config=config,
            sync_log=self._log,
        )
        self.view = SyncView()
        self._passes = 0
        self._absent_since: SyncStatus | None = None
        self._first_pass_seen = False
        self._stopped = False
        self._poll = QTimer(self)
        self._poll.setInterval(PROGRESS_POLL_MS)
        self._poll.timeout.connect(self._poll_progress)
        self._posted.connect(self._on_status, Qt.ConnectionType.QueuedConnection)
        self._listener = self._posted.emit  # one object, so that it can be removed again
        self.runner.add_listener(self._listener)

    @property
    def passes(self) -> int:
        """Passes finished since the window opened."""
        return self._passes

    # -- actions (GUI thread) -------------------------------------------------------------

    def start(self) -> None:
        """Read the counts, then start the runner (its first pass runs at once)."""
        self._tasks.run(self._read_status, self._first_counts)

    def sync_now(self) -> None:
        if not self._stopped:
            self.runner.sync_now()

    def nudge(self) -> None:
        """Something was saved: the runner syncs soon, if it is online."""
        if not self._stopped:
            self.runner.nudge()
        self.refresh_counts()

    def cancel(self) -> None:
        self.runner.cancel()

    def refresh_counts(self) -> None:
        if not self._stopped:
            self._tasks.run(self._read_status, self._show_counts, self._counts_failed)

    def stop(self) -> None:
        """Cancel a pass under way (the request in flight is cut), end the thread, close the log."""
        if self._stopped:
            return
        self._stopped = True
        self._poll.stop()
        self.runner.remove_listener(self._listener)
        self.runner.stop()
        self._log.close()

    # -- reactions (GUI thread) -----------------------------------------------------------

    def _read_status(self) -> SyncStatus:
        context = self._desk.context
        return read_status(context.database, now=context.now())

    def _counts_failed(self, error: BaseException) -> None:
        """The office database away is the spool badge's to say, not a box after every save."""
        if not database_away(error):
            self._tasks.failed.emit(error)

    def _first_counts(self, status: SyncStatus) -> None:
        self._absent_since = status
        self._show_counts(status)
        if not self._stopped:
            self.runner.start()

    def _show_counts(self, status: SyncStatus) -> None:
        self._publish(dataclasses.replace(self.view, status=status))

    @Slot(object)
    def _on_status(self, status: RunnerStatus) -> None:
        if self._stopped or status.state is RunnerState.STOPPED:
            return
        running = status.state is RunnerState.SYNCING
        view = dataclasses.replace(
            self.view,
            running=running,
            outcome=self._standing(status.outcome),
            summary=status.last_summary,
            progress=self.runner.progress() if running else None,
        )
        if running:
            self._poll.start()
        else:
            self._poll.stop()
        self._publish(view)
        if status.passes != self._passes and status.last_summary is not None:
            self._passes = status.passes
            self._finished(status)
        elif not running:
            self.refresh_counts()

    def _finished(self, status: RunnerStatus) -> None:
        summary = status.last_summary
        assert summary is not None
        self.refresh_counts()
        self.pass_finished.emit(summary)
        first, self._first_pass_seen = not self._first_pass_seen, True
        if first and brought_changes(summary) and self._was_long_offline():
            self.reconciled_after_absence.emit(summary)

    def _was_long_offline(self) -> bool:
        before = self._absent_since
        if before is None or before.last_success_at is None:
            return False  # a desk that never synced has no absence to report
        return self._desk.context.now() - before.last_success_at > LONG_OFFLINE

    def _standing(self, outcome: SyncOutcome | None) -> SyncOutcome | None:
        """The outcome to show: the new one, unless it revealed nothing (a cancelled pass)."""
        if outcome is None or outcome.connection is None:
            return self.view.outcome
        return outcome

    def _poll_progress(self) -> None:
        if self.view.running:
            self._publish(dataclasses.replace(self.view, progress=self.runner.progress()))

    def _publish(self, view: SyncView) -> None:
        self.view = view
        self.changed.emit(view)
