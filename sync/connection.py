"""Connecting a desk to its national service: settings, device token, transport and engine.

One place turns what the office configured (server URL, receipt keys,
pinned CA) and what this workstation holds (its device token) into a
``NationalService`` and a ``SyncEngine``. The GUI, the command line and the
watch loop all go through here, so a training desk is refused a non-loopback
server in exactly one spot.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.context import DeskContext
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.settings import NationalServiceSettings
from sync.adapters import LaporV1Adapter
from sync.device_token import DeviceToken, DeviceTokenError, load_token
from sync.engine import EngineConfig, SyncEngine
from sync.protocol.receipts import public_key_from_text
from sync.transport import (
    TransportRefused,
    TransportSettings,
    check_base_url,
    is_loopback_host,
    make_session,
)


@dataclass(frozen=True)
class NotConfigured:
    """Why this desk cannot sync yet; ``message`` tells IT staff what to set."""

    message: Message


NO_SERVER = Message(
    N_(
        "No national service is configured yet: set the server address and its public key "
        "in Settings (or 'lapor-desktop init --server-url ... --public-key ...')."
    )
)
NO_TOKEN = Message(
    N_(
        "This workstation has no device token yet: enter the token issued by LAPOR! "
        "in Settings (or 'lapor-desktop init --device-token-file FILE')."
    )
)
TRAINING_NOT_LOOPBACK = Message(
    N_(
        "This is a training desk: it only talks to a training server on this computer, "
        "never to {url}."
    )
)
BAD_PUBLIC_KEY = Message(
    N_("The server's public key {number} is not a valid Ed25519 key in base64: {reason}")
)


def check_national(
    settings: NationalServiceSettings, *, training: bool
) -> tuple[TransportSettings, list[Ed25519PublicKey]] | NotConfigured:
    """Validate the office's national-service settings for this workstation."""
    if not settings.configured:
        return NotConfigured(NO_SERVER)
    problem = check_base_url(settings.server_url)
    if problem is not None:
        return NotConfigured(problem)
    host = urlsplit(settings.server_url.strip()).hostname or ""
    if training and not is_loopback_host(host):
        return NotConfigured(Message(TRAINING_NOT_LOOPBACK.template, {"url": settings.server_url}))
    keys: list[Ed25519PublicKey] = []
    for number, text in enumerate(settings.public_keys, start=1):
        try:
            keys.append(public_key_from_text(text))
        except ValueError as exc:
            return NotConfigured(
                Message(BAD_PUBLIC_KEY.template, {"number": number, "reason": str(exc)})
            )
    ca_file = Path(settings.pinned_ca_file) if settings.pinned_ca_file else None
    return TransportSettings(base_url=settings.server_url.strip(), pinned_ca_file=ca_file), keys


def sync_store_for(context: DeskContext) -> SyncStore:
    """The engine's view of the database, leased under this workstation's id."""
    return SyncStore(
        context.database, context.require_vault(), context.clock, owner=context.station.station_id
    )


@contextlib.contextmanager
def connected_engine(
    context: DeskContext,
    data_dir: Path,
    *,
    config: EngineConfig | None = None,
    token: DeviceToken | None = None,
) -> Iterator[SyncEngine | NotConfigured]:
    """A ready engine over a fresh HTTP session (closed on exit), or why there is none.

    ``token`` overrides the stored one (tests and the demo pass the server's).
    """
    checked = check_national(context.office.national, training=context.station.training)
    if isinstance(checked, NotConfigured):
        yield checked
        return
    transport, keys = checked
    if token is None:
        try:
            token = load_token(data_dir)
        except DeviceTokenError as exc:
            yield NotConfigured(exc.message)
            return
    if token is None:
        yield NotConfigured(NO_TOKEN)
        return
    try:
        session = make_session(transport, token)
    except TransportRefused as exc:
        yield NotConfigured(exc.message)
        return
    with session:
        adapter = LaporV1Adapter(
            session,
            transport.base_url,
            trusted_keys=keys,
            clock=context.clock,
            language=context.station.language,
        )
        yield SyncEngine(adapter, sync_store_for(context), clock=context.clock, config=config)
