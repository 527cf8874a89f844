"""A real TCP proxy that injects the faults of district links between a client and a server.

Used by the sync tests (between the sync client and the reference server) and
by the reference server's realistic mode; ``python -m sync.faultproxy`` runs it
by hand. Loopback only: it refuses to listen on, or relay to, any other host.

Byte-level faults work for any TCP, TLS included: latency and jitter,
bandwidth caps, refusing (offline), reset on accept, cutting either direction
of a connection after N bytes, cutting the link after every N client bytes
over all connections, stalls and outage schedules. HTTP-aware faults (dropping a
response after its request reached the server, the request and response
counters) need plain HTTP/1.1, which only flows on loopback; on TLS or other
protocols they simply never trigger. ``framing.py`` states the parsing limits.
"""

from sync.faultproxy.plan import Direction, Fault, FaultPlan, OutageSchedule, Stats
from sync.faultproxy.proxy import FaultProxy

__all__ = ["Direction", "Fault", "FaultPlan", "FaultProxy", "OutageSchedule", "Stats"]
