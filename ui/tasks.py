"""Background work off the GUI thread, results back on it (after Anki's ``taskman``).

Database work runs on one worker thread: saves and queries run in the order
they were asked for, so an autosave never overtakes a save, and the window
stays responsive while SQLite waits for a lock or PostgreSQL for the LAN.
Every callback runs on the GUI thread, delivered by a queued Qt signal;
a widget is never called from a worker. The services open their own
session per call, so no SQLAlchemy session crosses threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

T = TypeVar("T")
log = logging.getLogger(__name__)

FailureHandler = Callable[[BaseException], object]


@dataclass(frozen=True)
class _Task:
    future: Future[Any]
    on_done: Callable[[Any], object]
    on_failed: FailureHandler | None


class TaskRunner(QObject):
    """Runs a function on the database worker and calls back on the GUI thread.

    ``failed`` carries the exceptions no caller handled, for the window to
    show; ``idle`` says every task asked for so far has been delivered.
    """

    failed = Signal(object)
    idle = Signal()
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lapor-database")
        self._pending = 0
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], object],
        on_failed: FailureHandler | None = None,
    ) -> None:
        """Start ``work`` on the database worker; ``on_done`` gets its result on this thread.

        After :meth:`shutdown` (the window is closing) nothing starts any more;
        the window saved its last draft before shutting down.
        """
        if self._closed:
            log.debug("task asked for after shutdown: not started")
            return
        self._pending += 1
        future = self._database.submit(work)
        task = _Task(future, on_done, on_failed)
        future.add_done_callback(lambda _future: self._finished.emit(task))

    def shutdown(self) -> None:
        """Finish every task asked for (a last autosave included), then stop; no more callbacks."""
        if self._closed:
            return
        self._closed = True
        self._database.shutdown(wait=True)

    @Slot(object)
    def _deliver(self, task: _Task) -> None:
        self._pending -= 1
        try:
            if self._closed or task.future.cancelled():
                return
            error = task.future.exception()
            if error is None:
                task.on_done(task.future.result())
            elif task.on_failed is not None:
                task.on_failed(error)
            else:
                log.error("background task failed", exc_info=error)
                self.failed.emit(error)
        finally:
            if self._pending == 0:
                self.idle.emit()
