"""How many records go in the next batch: as many as the link carries in a few seconds.

A pure policy, fed with each exchange's size and duration. It grows only
after a full batch came back well within the window (a short last batch
says nothing about the link), shrinks to what fits the window when an
exchange took longer, and halves after a timeout. The window, not a fixed
count, is what keeps a batch from outlasting a slow link's short online
spell, while a fast link gets batches up to ``maximum``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class BatchSizer:
    size: int = 50
    minimum: int = 1
    maximum: int = 500
    window_seconds: float = 3.0
    """How long one exchange should take, at most."""
    growth: float = 4.0
    """The largest step up after one exchange, as a factor (a probe, not a leap)."""

    def __post_init__(self) -> None:
        if not 1 <= self.minimum <= self.maximum:
            raise ValueError("need 1 <= minimum <= maximum")
        if self.window_seconds <= 0 or self.growth <= 1:
            raise ValueError("window_seconds must be positive and growth above 1")
        self.size = self._bounded(self.size)

    def observe(self, records: int, seconds: float) -> int:
        """Take one exchange of ``records`` that took ``seconds``; returns the next size."""
        if records <= 0:
            return self.size
        fitting = records * self.window_seconds / max(seconds, 1e-6)
        if seconds > self.window_seconds:
            self.size = self._bounded(int(fitting))
        elif records >= self.size and seconds < self.window_seconds / 2:
            self.size = self._bounded(int(min(fitting, self.size * self.growth)))
        return self.size

    def resume(self, size: int) -> int:
        """Start from a size learned earlier (a previous pass, before a restart)."""
        self.size = self._bounded(size)
        return self.size

    def timed_out(self) -> int:
        """The link gave no answer in time: half as many next time."""
        self.size = self._bounded(self.size // 2)
        return self.size

    def refused(self, records: int) -> int:
        """The server found ``records`` too many or too large: at most half of them next."""
        self.size = self._bounded(min(self.size, records // 2))
        return self.size

    def _bounded(self, size: int) -> int:
        return max(self.minimum, min(self.maximum, size))
