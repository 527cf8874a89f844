"""Progress of a running pass, readable from any thread, and the way to cancel it.

The engine writes, the GUI's status bar or the command line reads a frozen
snapshot whenever it likes; nothing waits on a lock for longer than a copy.
Cancelling is cooperative: the engine checks between requests, so a pass
stops at a clean point with nothing half-recorded.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass


class Phase(enum.StrEnum):
    IDLE = "idle"
    CHECKING = "checking"
    """Looking records up after an ambiguous failure."""
    SENDING = "sending"
    UPLOADING = "uploading"
    """Attachments and follow-up messages."""
    PULLING = "pulling"
    """Reading national status changes."""
    REFERENCE = "reference"


@dataclass(frozen=True)
class ProgressSnapshot:
    phase: Phase = Phase.IDLE
    records_done: int = 0
    records_total: int = 0
    """What was due when the pass started (more may be saved meanwhile)."""
    bytes_sent: int = 0
    batch_size: int = 0
    status_updates: int = 0
    cancelled: bool = False


class Progress:
    """Thread-safe: ``update`` from the engine, ``snapshot`` and ``cancel`` from anywhere."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # ``abort`` may run in a signal handler of its thread
        self._state = ProgressSnapshot()
        self._cancel = threading.Event()
        self._aborted = False
        self._on_abort: list[Callable[[], None]] = []

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            return dataclasses.replace(self._state, cancelled=self._cancel.is_set())

    def update(self, **changes: object) -> None:
        with self._lock:
            self._state = dataclasses.replace(self._state, **changes)  # type: ignore[arg-type]

    def add(self, *, records: int = 0, sent_bytes: int = 0, updates: int = 0) -> None:
        with self._lock:
            self._state = dataclasses.replace(
                self._state,
                records_done=self._state.records_done + records,
                bytes_sent=self._state.bytes_sent + sent_bytes,
                status_updates=self._state.status_updates + updates,
            )

    def cancel(self) -> None:
        self._cancel.set()

    def abort(self) -> None:
        """Cancel, and cut the request in flight too: the desk is stopping, not pausing.

        What the cut request carried may have arrived, so its records are looked up first
        by the next pass (``aborted`` tells the lanes so).
        """
        with self._lock:
            self._aborted = True
            hooks = list(self._on_abort)
        self._cancel.set()
        for hook in hooks:
            hook()

    def on_abort(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run ``hook`` (from the aborting thread) on ``abort``; returns its removal."""
        with self._lock:
            self._on_abort.append(hook)
            aborted = self._aborted

        def remove() -> None:
            with self._lock:
                if hook in self._on_abort:
                    self._on_abort.remove(hook)

        if aborted:
            hook()
        return remove

    @property
    def aborted(self) -> bool:
        with self._lock:
            return self._aborted

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def reset(self) -> None:
        """Ready for the next pass: counts cleared, cancellation withdrawn."""
        with self._lock:
            self._state = ProgressSnapshot()
            self._aborted = False
            self._cancel.clear()
