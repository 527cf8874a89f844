"""Exponential backoff with full jitter, and the server's Retry-After in its place when given.

Full jitter (a uniform draw between zero and the exponential ceiling) keeps
a whole district's desks from coming back in step after an outage; the
clock and the random source are injected so tests need no waiting. A
Retry-After is the server's own schedule, so it wins both ways: a short one
after many failures is not stretched, a long one is not cut to the cap.
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
    max_retry_after_seconds: float = 86400.0
    """A longer Retry-After is taken for a wrong clock or a bug, and waited this long."""
    random: Callable[[], float] = field(default=random.random)
    """Returns a float in [0, 1)."""

    def delay(self, attempts: int, retry_after: float | None = None) -> dt.timedelta:
        """The wait after ``attempts`` failed tries (1 = the first failure), or the Retry-After."""
        if retry_after is not None:
            return dt.timedelta(seconds=min(max(retry_after, 0.0), self.max_retry_after_seconds))
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, min(attempts, 32) - 1))
        return dt.timedelta(seconds=self.random() * ceiling)
