"""Adapters by name, found through the ``lapor_desktop.adapters`` entry-point group.

An office's developer ships an adapter as their own Python package with one
entry point; the desk finds it by the name in its national settings
(``NationalServiceSettings.adapter``) without being forked. Ours are
registered the same way (``lapor-v1``, ``addstream`` in ``pyproject.toml``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.i18n import N_, Message
from sync.adapters.service import NationalService
from sync.device_token import DeviceToken

ENTRY_POINT_GROUP = "lapor_desktop.adapters"
DEFAULT_ADAPTER = "lapor-v1"

UNKNOWN_ADAPTER = N_(
    "No national service adapter named '{name}' is installed (installed: {installed}). "
    "Install its package, or correct the adapter name in the national service settings."
)
BROKEN_ADAPTER = N_(
    "The national service adapter '{name}' is installed but cannot be loaded ({reason}); "
    "reinstall its package or ask its developer."
)
AMBIGUOUS_ADAPTER = N_(
    "More than one installed package offers a national service adapter named '{name}' "
    "({packages}); uninstall all but one."
)


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class AdapterContext:
    """Everything a factory gets: the desk's configured connection, nothing of its database.

    ``session`` already verifies TLS (or the pinned CA), enforces deadlines and
    sends ``Authorization: Bearer`` to ``base_url``'s origin; ``token`` is for a
    wire format that carries it elsewhere (``reveal()`` it only into the request).
    """

    session: requests.Session
    base_url: str
    token: DeviceToken
    trusted_keys: tuple[Ed25519PublicKey, ...] = ()
    clock: Callable[[], dt.datetime] = field(default=_system_clock)
    language: str = "id"
    """The workstation's language, for human texts the service may send back."""


AdapterFactory = Callable[[AdapterContext], NationalService]


class AdapterNotFound(LookupError):
    """No usable adapter under a name; ``message`` tells IT staff what to install or fix."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.bilingual())
        self.message = message


def _entry_points() -> list[EntryPoint]:
    return list(entry_points(group=ENTRY_POINT_GROUP))


def built_in() -> dict[str, AdapterFactory]:
    """Ours, for when no distribution metadata lists them (the frozen desk, a bare checkout).

    The same names and targets as ``pyproject.toml`` (a test keeps them equal); imported
    here, not named as strings, so that PyInstaller bundles them.
    """
    from sync.adapters import addstream, factories

    return {"lapor-v1": factories.lapor_v1, "addstream": addstream.build}


def installed_adapters() -> tuple[str, ...]:
    """The names of every adapter installed in this Python environment, sorted."""
    return tuple(sorted({point.name for point in _entry_points()} | set(built_in())))


def find_adapter(name: str) -> AdapterFactory:
    """The factory installed under ``name``; ``AdapterNotFound`` names what is installed."""
    found = [point for point in _entry_points() if point.name == name]
    if not found and name in built_in():
        return built_in()[name]
    if not found:
        installed = ", ".join(installed_adapters()) or "-"
        raise AdapterNotFound(Message(UNKNOWN_ADAPTER, {"name": name, "installed": installed}))
    if len({point.value for point in found}) > 1:
        packages = ", ".join(sorted(_package_of(point) for point in found))
        raise AdapterNotFound(Message(AMBIGUOUS_ADAPTER, {"name": name, "packages": packages}))
    try:
        factory = found[0].load()
    except Exception as error:  # a third party's import error must not crash the desk
        reason = f"{type(error).__name__}: {error}"
        raise AdapterNotFound(Message(BROKEN_ADAPTER, {"name": name, "reason": reason})) from error
    if not callable(factory):
        reason = f"{found[0].value} is not callable"
        raise AdapterNotFound(Message(BROKEN_ADAPTER, {"name": name, "reason": reason}))
    return factory  # type: ignore[no-any-return]


def build_adapter(name: str, context: AdapterContext) -> NationalService:
    """The adapter named ``name`` over the desk's connection."""
    return find_adapter(name)(context)


def _package_of(point: EntryPoint) -> str:
    dist = point.dist
    return point.value if dist is None else f"{dist.name} ({point.value})"
