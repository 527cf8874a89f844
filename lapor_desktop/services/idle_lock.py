"""When an unattended window locks itself: office PCs are shared under one Windows login."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class IdleLockPolicy:
    """Lock after ``timeout_seconds`` without activity; the GUI asks on its own timer."""

    timeout_seconds: int = 300

    def __post_init__(self) -> None:
        if self.timeout_seconds < 1:
            raise ValueError("the idle timeout must be at least one second")

    def seconds_left(self, last_activity: dt.datetime, now: dt.datetime) -> float:
        """Seconds until the lock; 0 when it is due. A clock that went backwards locks now."""
        elapsed = (now - last_activity).total_seconds()
        if elapsed < 0:
            return 0.0
        return max(0.0, self.timeout_seconds - elapsed)

    def should_lock(self, last_activity: dt.datetime, now: dt.datetime) -> bool:
        return self.seconds_left(last_activity, now) == 0.0
