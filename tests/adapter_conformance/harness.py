"""What the conformance checks need from a simulated national service, and how checks are run.

An office's developer implements ``SimulatedService`` for a stand-in of their
service (a local server, a container, a recorded simulation) and hands the
suite a function that opens one; see ``docs/adapters.md``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from sync.adapters.capabilities import Capabilities, capabilities_of
from sync.adapters.registry import AdapterContext, build_adapter
from sync.adapters.service import NationalService
from sync.device_token import DeviceToken
from sync.transport import TransportSettings, make_session


class Fault(enum.Enum):
    """What a simulated service must be able to do to the next requests (until ``clear``)."""

    UNAUTHORIZED = "401: the token is refused"
    FORBIDDEN = "403: the office may not do this"
    TOO_LARGE = "413: the checks then send an item of about 64 KB of incompressible text"
    RATE_LIMITED = "429 with Retry-After"
    UNAVAILABLE = "503 with Retry-After"
    SERVER_ERROR = "500 before anything is stored"
    STORED_THEN_ERROR = "the submission is stored, then answered with a 500"
    STORED_THEN_DROPPED = "the submission is stored, then the answer never arrives"
    CAPTIVE_PORTAL = "a hotspot answers 200 with an HTML login page"


class SimulatedService(Protocol):
    """A running stand-in for a national service, and the adapter that speaks to it."""

    @property
    def adapter_name(self) -> str:
        """The entry-point name the adapter is installed under."""
        ...

    @property
    def token(self) -> str:
        """The device token the adapter is given: it must never appear in a log or a failure."""
        ...

    def adapter(self) -> NationalService:
        """A fresh adapter, built through the registry (``connect`` below does it)."""
        ...

    def inject(self, fault: Fault) -> bool:
        """Make the next requests fail so, until ``clear``; False: this simulation cannot."""
        ...

    def clear(self) -> None: ...

    def held(self) -> list[str]:
        """The tracking IDs of every complaint the service holds, copies included, oldest first."""
        ...

    def let_national_desk_act(self) -> bool:
        """Let the national side change the status of what it holds; False: it cannot."""
        ...


OpenService = Callable[
    [Path, Callable[[], dt.datetime]], contextlib.AbstractContextManager[SimulatedService]
]
"""What a developer hands the suite: (a fresh folder, the clock) -> a running service."""


def connect(
    name: str,
    base_url: str,
    token: str,
    *,
    clock: Callable[[], dt.datetime],
    trusted_keys: tuple[Ed25519PublicKey, ...] = (),
) -> NationalService:
    """The adapter as the desk builds it: by name, over the desk's own transport."""
    device_token = DeviceToken(token)
    session = make_session(TransportSettings(base_url=base_url), device_token)
    context = AdapterContext(session, base_url, device_token, trusted_keys, clock=clock)
    return build_adapter(name, context)


class NotApplicable(Exception):
    """The adapter declares it lacks what a check needs: reported, never counted as a pass."""


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[CheckContext], None]
    needs: tuple[str, ...] = ()
    """``Capabilities`` fields that must be true (``max_batch_items``: must be set)."""
    lacks: tuple[str, ...] = ()
    """Runs only when the adapter lacks one of these: how it refuses what it cannot do."""
    uses_desk: bool = False


@dataclass
class CheckContext:
    service: SimulatedService
    adapter: NationalService
    capabilities: Capabilities
    clock: Callable[[], dt.datetime]
    advance: Callable[[dt.timedelta], None]
    """Moves the shared clock (desk and service) on."""
    desk: Desk | None = None
    """A real desk on SQLite, for the checks that run the real sync engine (``uses_desk``)."""
    clerk: Actor | None = None


def applicability(check: Check, capabilities: Capabilities) -> str | None:
    """Why the check does not apply to an adapter with these capabilities, or None."""
    missing = [name for name in check.needs if not getattr(capabilities, name)]
    if missing:
        return f"declares no {', '.join(missing)}: {check.name}"
    if check.lacks and all(getattr(capabilities, name) for name in check.lacks):
        return f"offers {', '.join(check.lacks)}: {check.name}"
    return None


def run_check(
    check: Check,
    service: SimulatedService,
    clock: Callable[[], dt.datetime],
    advance: Callable[[dt.timedelta], None],
    desk: Callable[[], tuple[Desk, Actor]],
) -> None:
    """Raise ``NotApplicable`` or ``AssertionError``; return when the adapter conforms.

    ``desk`` opens a desk and its clerk, only for the checks that run the engine.
    """
    adapter = service.adapter()
    capabilities = capabilities_of(adapter)
    reason = applicability(check, capabilities)
    if reason is not None:
        raise NotApplicable(f"{service.adapter_name} {reason}")
    try:
        context = CheckContext(service, adapter, capabilities, clock, advance)
        if check.uses_desk:
            context.desk, context.clerk = desk()
        check.run(context)
    finally:
        service.clear()


@contextlib.contextmanager
def faulted(service: SimulatedService, fault: Fault) -> Iterator[None]:
    """A fault for the block; a simulation that cannot inject it makes the check not apply."""
    if not service.inject(fault):
        raise NotApplicable(f"the simulated service cannot inject {fault.name}")
    try:
        yield
    finally:
        service.clear()
