"""What the engine learns of the link, kept across passes and restarts: ``LinkState``.

The batch size the link carries, the service's "come back later" (its status, its
Retry-After and until when), how many passes in a row failed (so the backoff of a
failure that concerns no record, the changes feed's, grows), and the last clock offset.
The engine reads one at the start of a pass and hands it back updated; the runner's
link keeps it between passes, and the sync-state table keeps it across restarts, so a
restarted desk neither probes from 50 again nor calls a service that asked every client
to wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from lapor_desktop.services.sync_status import CLOCK_OFFSET_KEY
from sync.adapters.outcomes import RetryLater

BATCH_SIZE_KEY = "link_batch_size"
BUSY_UNTIL_KEY = "link_busy_until"
BUSY_STATUS_KEY = "link_busy_status"
BUSY_RETRY_AFTER_KEY = "link_busy_retry_after"
FAILURES_KEY = "link_failed_passes"
T = TypeVar("T")
KEYS = (
    BATCH_SIZE_KEY,
    BUSY_UNTIL_KEY,
    BUSY_STATUS_KEY,
    BUSY_RETRY_AFTER_KEY,
    FAILURES_KEY,
    CLOCK_OFFSET_KEY,
)


@dataclass(frozen=True)
class LinkState:
    batch_size: int | None = None
    """The size the next batch will have; None: the engine's configured first size."""
    busy: RetryLater | None = None
    """The service's last "come back later" (429, 503), while ``busy_until`` lasts."""
    busy_until: dt.datetime | None = None
    clock_offset: dt.timedelta | None = None
    """Server minus this PC, from the last answer."""
    failures: int = 0
    """Passes in a row that ended on a failure (offline, busy, refused); 0 after a good one."""

    def values(self) -> dict[str, str]:
        """The state as sync-state values ("" for nothing), written with a pass's outcome."""
        values = {
            BATCH_SIZE_KEY: "" if self.batch_size is None else str(self.batch_size),
            BUSY_UNTIL_KEY: "" if self.busy_until is None else self.busy_until.isoformat(),
            BUSY_STATUS_KEY: "" if self.busy is None else str(self.busy.status),
            BUSY_RETRY_AFTER_KEY: "",
            FAILURES_KEY: str(self.failures),
        }
        if self.busy is not None and self.busy.retry_after is not None:
            values[BUSY_RETRY_AFTER_KEY] = repr(self.busy.retry_after)
        if self.clock_offset is not None:
            values[CLOCK_OFFSET_KEY] = f"{self.clock_offset.total_seconds():.3f}"
        return values

    @classmethod
    def from_values(cls, values: Mapping[str, str | None]) -> LinkState:
        """The stored state; anything missing or unreadable is simply not known."""
        return cls(
            batch_size=_parse(values.get(BATCH_SIZE_KEY), int),
            busy=_busy(values),
            busy_until=_parse(values.get(BUSY_UNTIL_KEY), dt.datetime.fromisoformat),
            clock_offset=_parse(values.get(CLOCK_OFFSET_KEY), _seconds),
            failures=max(0, _parse(values.get(FAILURES_KEY), int) or 0),
        )


def _busy(values: Mapping[str, str | None]) -> RetryLater | None:
    status = _parse(values.get(BUSY_STATUS_KEY), int)
    if status is None:
        return None
    return RetryLater(status, _parse(values.get(BUSY_RETRY_AFTER_KEY), float))


def _seconds(text: str) -> dt.timedelta:
    return dt.timedelta(seconds=float(text))


def _parse(text: str | None, parse: Callable[[str], T]) -> T | None:
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        return None
