"""The one event hub (after Electrum's callback manager): writes announce what they changed.

Qt-free and thread-safe: a save on the database worker and a sync pass on
its own thread publish here; the GUI's adapter (``ui/bridge.py``) hands each
announcement to the GUI thread, the command line simply has no subscriber.
A subscriber that raises is logged and skipped, never the publisher's problem.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from lapor_desktop.services.changes import DeskChanges

Subscriber = Callable[[DeskChanges], object]
log = logging.getLogger(__name__)


class EventHub:
    """Subscribers are called on the publisher's thread, in the order they subscribed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: tuple[Subscriber, ...] = ()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Start hearing every publication; returns the call that stops it."""
        with self._lock:
            self._subscribers = (*self._subscribers, subscriber)
        return lambda: self.unsubscribe(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            kept = list(self._subscribers)
            if subscriber in kept:
                kept.remove(subscriber)
            self._subscribers = tuple(kept)

    def publish(self, changes: DeskChanges) -> DeskChanges:
        """Announce ``changes`` (an empty one is not announced) and return them."""
        if not changes:
            return changes
        with self._lock:
            subscribers = self._subscribers
        for subscriber in subscribers:
            try:
                subscriber(changes)
            except Exception:
                log.exception("a subscriber to desk changes failed")
        return changes
