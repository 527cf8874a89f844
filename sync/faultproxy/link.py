"""The state shared between the caller's threads and the proxy's loop, behind one lock.

The caller installs plans, arms one-shot faults and reads counters from any
thread; the loop reads the plan, takes the one-shots and counts.
"""

from __future__ import annotations

import collections
import dataclasses
import random
import threading
from collections.abc import Callable

from sync.faultproxy.plan import Direction, Fault, FaultPlan, Stats


class Link:
    """The upstream, the plan, the one-shot triggers, the random source and the counters."""

    def __init__(
        self,
        upstream: tuple[str, int],
        plan: FaultPlan,
        seed: int | None,
        clock: Callable[[], float],
    ) -> None:
        self._lock = threading.Lock()
        self._upstream = upstream
        self._clock = clock
        self._plan = self._anchored(plan)
        self._random = random.Random(seed)  # noqa: S311  fault timing, not secrets
        self._drops_armed = 0
        self._cuts_armed: collections.deque[int] = collections.deque()
        self._since_link_cut = 0  # client bytes since the link last died (cut_link_every_bytes)
        self._counters: collections.Counter[str] = collections.Counter()
        self._faults: collections.Counter[Fault] = collections.Counter()

    @property
    def upstream(self) -> tuple[str, int]:
        with self._lock:
            return self._upstream

    @upstream.setter
    def upstream(self, address: tuple[str, int]) -> None:
        with self._lock:
            self._upstream = address

    @property
    def plan(self) -> FaultPlan:
        with self._lock:
            return self._plan

    def set_plan(self, plan: FaultPlan) -> FaultPlan:
        with self._lock:
            self._install(self._anchored(plan))
            return self._plan

    def update_plan(self, **changes: object) -> FaultPlan:
        with self._lock:
            self._install(self._anchored(dataclasses.replace(self._plan, **changes)))  # type: ignore[arg-type]
            return self._plan

    def _install(self, plan: FaultPlan) -> None:
        """A new period of link cuts starts counting when it is installed."""
        if plan.cut_link_every_bytes != self._plan.cut_link_every_bytes:
            self._since_link_cut = 0
        self._plan = plan

    def _anchored(self, plan: FaultPlan) -> FaultPlan:
        """Give an outage schedule without an origin the present as its origin."""
        if plan.outage is None or plan.outage.origin is not None:
            return plan
        outage = dataclasses.replace(plan.outage, origin=self._clock())
        return dataclasses.replace(plan, outage=outage)

    def arm_drop(self, count: int) -> None:
        with self._lock:
            self._drops_armed += count

    def arm_cut(self, after_bytes: int) -> None:
        with self._lock:
            self._cuts_armed.append(after_bytes)

    def decide_drop(self) -> bool:
        """Whether to drop the response that just started: a one-shot first, then chance."""
        with self._lock:
            if self._drops_armed:
                self._drops_armed -= 1
                return True
            chance = self._plan.drop_response_probability
            return chance > 0 and self._random.random() < chance

    def take_cut(self) -> int | None:
        with self._lock:
            return self._cuts_armed.popleft() if self._cuts_armed else None

    def link_cut_within(self, size: int) -> int | None:
        """``size`` client bytes arrive: how many pass before the link dies, None if it holds."""
        with self._lock:
            every = self._plan.cut_link_every_bytes
            if every is None:
                return None
            if self._since_link_cut + size < every:
                self._since_link_cut += size
                return None
            allowed = every - self._since_link_cut
            self._since_link_cut = 0
            return allowed

    def uniform(self, low: float, high: float) -> float:
        with self._lock:
            return self._random.uniform(low, high)

    def count(self, name: str, increment: int = 1) -> None:
        """Add to one of the integer fields of ``Stats`` (checked when the snapshot is taken)."""
        with self._lock:
            self._counters[name] += increment

    def count_bytes(self, direction: Direction, size: int) -> None:
        self.count("bytes_up" if direction is Direction.UP else "bytes_down", size)

    def fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults[fault] += 1

    def stats(self) -> Stats:
        with self._lock:
            return Stats(**self._counters, faults=dict(self._faults))
