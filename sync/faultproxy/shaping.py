"""Link shaping: a token bucket for bandwidth and a delay line for latency with jitter.

Both run on the proxy's event loop only, so they need no locks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

BURST_SECONDS = 0.05  # the bucket holds 50 ms of traffic: smooth, yet few wake-ups


def burst_bytes(rate: int) -> int:
    """The most bytes written at once under a cap of ``rate`` bytes per second."""
    return max(1, int(rate * BURST_SECONDS))


class TokenBucket:
    """Caps one direction of the whole link (all connections share it, as on a real link).

    A writer takes tokens for a piece and, if that leaves the bucket in debt,
    sleeps until the debt is repaid; concurrent writers queue up behind the debt.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._tokens = 0.0
        self._last: float | None = None

    async def take(self, size: int, rate: int) -> None:
        now = self._clock()
        burst = burst_bytes(rate)
        if self._last is None:
            self._tokens = float(burst)
        else:
            self._tokens = min(float(burst), self._tokens + (now - self._last) * rate)
        self._last = now
        self._tokens -= size
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / rate)


class DelayLine:
    """When each chunk of one direction may be delivered: its arrival plus latency and jitter.

    Chunks never overtake each other (TCP keeps order), so jitter only ever
    adds delay. Latency applies per chunk, not per round: data in flight
    overlaps, as on a long link.
    """

    def __init__(self, rng_uniform: Callable[[float, float], float]) -> None:
        self._uniform = rng_uniform
        self._last = 0.0

    def deliver_at(self, now: float, latency_s: float, jitter_s: float) -> float:
        extra = self._uniform(0.0, jitter_s) if jitter_s > 0 else 0.0
        self._last = max(self._last, now + latency_s + extra)
        return self._last
