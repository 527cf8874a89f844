"""What the proxy should do to the link: an immutable plan, swapped whole at run time.

The plan is frozen so that the test thread and the proxy's loop never see a
half-updated plan; changing faults means installing a new plan.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping


class Direction(enum.Enum):
    """Which way bytes travel: UP is client to upstream, DOWN is upstream to client."""

    UP = "up"
    DOWN = "down"


class Fault(enum.StrEnum):
    """The faults the proxy counts, so tests can assert that a fault really happened."""

    REFUSED = "refused"  # accepted in the instant an outage began, then reset
    RESET = "reset"  # accepted, then reset at once (reset_new_connections)
    DROP_RESPONSE = "drop_response"  # upstream answered, the client never heard
    CUT_UPLOAD = "cut_upload"
    CUT_DOWNLOAD = "cut_download"
    STALL = "stall"  # a connection direction that had to wait for a stall to end
    OUTAGE_RESET = "outage_reset"  # an established connection reset as an outage began
    LISTENER_CLOSED = "listener_closed"  # the proxy stopped accepting (offline or outage)


@dataclasses.dataclass(frozen=True, slots=True)
class OutageSchedule:
    """A link that comes and goes: online for ``online_s`` out of every ``period_s``.

    Each period starts online. ``origin`` is the clock reading at which the first
    period begins; left as None, the proxy anchors it when the plan is installed.
    During an outage the proxy refuses connections; established ones are reset,
    or frozen until the link returns when ``reset_established`` is False.
    """

    period_s: float
    online_s: float
    origin: float | None = None
    reset_established: bool = True

    def __post_init__(self) -> None:
        if not (self.period_s > 0 and math.isfinite(self.period_s)):
            raise ValueError("period_s must be a positive number of seconds")
        if not 0 <= self.online_s <= self.period_s:
            raise ValueError("online_s must lie between 0 and period_s")

    def online_at(self, now: float) -> bool:
        origin = 0.0 if self.origin is None else self.origin
        return (now - origin) % self.period_s < self.online_s


@dataclasses.dataclass(frozen=True, slots=True)
class FaultPlan:
    """Every fault the proxy injects; the default plan is a clean, fast link.

    Byte-level faults (latency, bandwidth, offline, reset, cuts, stall, outage)
    work for any TCP, TLS included. The response drop needs plain HTTP/1.1.
    """

    latency_up_ms: float = 0.0
    latency_down_ms: float = 0.0
    jitter_ms: float = 0.0
    bandwidth_up: int | None = None  # bytes per second, shared by all connections
    bandwidth_down: int | None = None
    offline: bool = False  # refuse new connections
    reset_new_connections: bool = False  # accept, then reset (SO_LINGER 0)
    stall: bool = False  # accept and read, deliver nothing either way
    drop_response_probability: float = 0.0
    cut_upload_after_bytes: int | None = None  # per connection accepted under this plan
    cut_download_after_bytes: int | None = None
    cut_link_every_bytes: int | None = None
    """The link dies after every N client bytes, counted over all connections: the one carrying
    the Nth byte is cut. A per-connection cut never fires when each request has a connection
    of its own (tus PATCH parts); a radio link that drops every few MB does not care."""
    cut_closes_upstream: bool = False
    """A cut resets the client only; the upstream sees a clean close after the bytes that got
    through, as behind a reverse proxy. Otherwise both are reset, and the upstream's kernel
    throws away what its process had not read yet."""
    outage: OutageSchedule | None = None

    def __post_init__(self) -> None:
        for name in ("latency_up_ms", "latency_down_ms", "jitter_ms"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a non-negative number")
        for name in ("bandwidth_up", "bandwidth_down"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive (None means unlimited)")
        for name in ("cut_upload_after_bytes", "cut_download_after_bytes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        if self.cut_link_every_bytes is not None and self.cut_link_every_bytes <= 0:
            raise ValueError("cut_link_every_bytes must be positive (None means never)")
        if not 0.0 <= self.drop_response_probability <= 1.0:
            raise ValueError("drop_response_probability must lie between 0 and 1")

    def latency_s(self, direction: Direction) -> float:
        ms = self.latency_up_ms if direction is Direction.UP else self.latency_down_ms
        return ms / 1000.0

    def bandwidth(self, direction: Direction) -> int | None:
        return self.bandwidth_up if direction is Direction.UP else self.bandwidth_down

    def cut_after(self, direction: Direction) -> int | None:
        if direction is Direction.UP:
            return self.cut_upload_after_bytes
        return self.cut_download_after_bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Stats:
    """A consistent snapshot of the proxy's counters, for tests to assert on."""

    connections: int = 0  # accepted from clients, whatever happened next
    active: int = 0  # relaying right now
    over_capacity: int = 0  # reset because max_connections were busy
    bytes_up: int = 0  # delivered to the upstream
    bytes_down: int = 0  # delivered to the client
    requests_forwarded: int = 0  # HTTP requests whose last byte reached the upstream
    responses_relayed: int = 0  # HTTP responses whose last byte reached the client
    errors: int = 0  # relays that ended in an unexpected exception: a bug in the proxy
    faults: Mapping[Fault, int] = dataclasses.field(default_factory=dict)

    def count(self, fault: Fault) -> int:
        return self.faults.get(fault, 0)
