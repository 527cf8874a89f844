"""The one bridge from the desk's event hub to the widgets (after Electrum's Qt adapter).

Anything may publish on the hub from any thread (a save on the database
worker, a sync pass on its thread); widgets only ever see ``changes``
emitted on the GUI thread, so no handler runs on a worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from lapor_desktop.services.changes import DeskChanges
from lapor_desktop.services.events import EventHub


class DeskBridge(QObject):
    """Subscribes to ``hub`` and re-emits each publication as ``changes`` on this object's thread.

    ``close`` (the window calls it as it closes) stops hearing the hub, so a
    closed window is never called by a later sync pass.
    """

    changes = Signal(object)
    _heard = Signal(object)

    def __init__(self, hub: EventHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hub = hub
        self._heard.connect(self._relay, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = hub.subscribe(self._heard.emit)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def publish(self, changes: DeskChanges) -> None:
        """Announce a change made outside a service's write (thread-safe)."""
        self._hub.publish(changes)

    @Slot(object)
    def _relay(self, changes: DeskChanges) -> None:
        self.changes.emit(changes)
