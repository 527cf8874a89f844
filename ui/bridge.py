"""The one bridge from the rest of the program to the widgets (after Electrum's Qt adapter).

Anything may post an event from any thread (a save on the database worker
today, the sync engine tomorrow); widgets only ever see Qt signals emitted
on the GUI thread, so no handler runs on a worker.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QObject, Qt, Signal, Slot


class DeskEvent(enum.StrEnum):
    COMPLAINTS_CHANGED = "complaints_changed"
    """Payload: the UUIDs of the complaints that changed (empty: refresh everything)."""


class DeskBridge(QObject):
    """Re-emits posted events as signals on the thread this object lives in (the GUI's)."""

    complaints_changed = Signal(object)
    _posted = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)

    def post(self, event: DeskEvent, payload: object = ()) -> None:
        """Thread-safe: the signal goes out later, on the GUI thread."""
        self._posted.emit(event.value, payload)

    def complaints_saved(self, *uuids: str) -> None:
        self.post(DeskEvent.COMPLAINTS_CHANGED, tuple(uuids))

    @Slot(str, object)
    def _dispatch(self, event: str, payload: object) -> None:
        if DeskEvent(event) is DeskEvent.COMPLAINTS_CHANGED:
            self.complaints_changed.emit(payload)
