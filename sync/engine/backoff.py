"""Exponential backoff with full jitter that honours the server's Retry-After.

Full jitter (a uniform draw between zero and the exponential ceiling) keeps
a whole district's desks from coming back in step after an outage; the
clock and the random source are injected so tests need no waiting.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    base_seconds: float = 2.0
    cap_seconds: float = 3600.0
    random: Callable[[], float] = field(default=random.random)
    """Returns a float in [0, 1)."""

    def delay(self, attempts: int, retry_after: float | None = None) -> dt.timedelta:
        """The wait after ``attempts`` failed tries (1 = the first failure)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, min(attempts, 32) - 1))
        seconds = self.random() * ceiling
        if retry_after is not None:
            seconds = max(seconds, min(retry_after, self.cap_seconds))
        return dt.timedelta(seconds=seconds)
