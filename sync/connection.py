"""Connecting a desk to its national service: settings, device token, transport and engine.

One place turns what the office configured (server URL, receipt keys,
pinned CA) and what this workstation holds (its device token) into a
``NationalService`` and a ``SyncEngine``. The GUI, the command line and the
watch loop all go through here, so a training desk is refused a non-loopback
server in exactly one spot.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.audit_anchors import AuditAnchors
from lapor_desktop.services.context import DeskContext
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.settings import NationalServiceSettings
from sync.adapters.capabilities import capabilities_of
from sync.adapters.registry import AdapterContext, AdapterNotFound, find_adapter
from sync.device_token import DeviceToken, DeviceTokenError, load_token
from sync.engine import EngineConfig, Progress, SyncEngine
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


NO_SERVER_URL = Message(N_("Type the address of the national LAPOR! service, e.g. https://..."))
NO_PUBLIC_KEY = Message(
    N_(
        "Paste the national service's public key (base64 or PEM): "
        "it proves that receipts are genuine."
    )
)
NO_CA_FILE = N_("The certificate authority file {path} does not exist or is not a file.")

NATIONAL_FIELDS = ("server_url", "public_key", "device_token", "pinned_ca_file")
"""The keys of :func:`national_problems`, one per thing IT staff type."""


def national_problems(
    settings: NationalServiceSettings, token_text: str | None, *, training: bool
) -> dict[str, Message]:
    """What is wrong with each field (server_url, public_key, pinned_ca_file, device_token).

    Empty when everything is usable. A training desk accepts only a server on
    this computer. ``token_text`` None: the token is not being set now.
    """
    problems: dict[str, Message] = {}
    url = settings.server_url.strip()
    url_problem = check_base_url(url) if url else NO_SERVER_URL
    if url_problem is None and training and not is_loopback_host(urlsplit(url).hostname or ""):
        url_problem = Message(TRAINING_NOT_LOOPBACK.template, {"url": url})
    if url_problem is not None:
        problems["server_url"] = url_problem
    if not settings.public_keys:
        problems["public_key"] = NO_PUBLIC_KEY
    for number, text in enumerate(settings.public_keys, start=1):
        try:
            public_key_from_text(text)
        except ValueError as exc:
            reason = {"number": number, "reason": str(exc)}
            problems.setdefault("public_key", Message(BAD_PUBLIC_KEY.template, reason))
    if settings.pinned_ca_file and not Path(settings.pinned_ca_file).is_file():
        problems["pinned_ca_file"] = Message(NO_CA_FILE, {"path": settings.pinned_ca_file})
    if token_text is not None:
        try:
            DeviceToken(token_text.strip())
        except DeviceTokenError as exc:
            problems["device_token"] = exc.message
    return problems


def check_national(
    settings: NationalServiceSettings, *, training: bool
) -> tuple[TransportSettings, list[Ed25519PublicKey]] | NotConfigured:
    """The transport settings and trusted keys, or the first reason the desk cannot sync."""
    if not settings.configured:
        return NotConfigured(NO_SERVER)
    problems = national_problems(settings, None, training=training)
    if problems:
        return NotConfigured(next(iter(problems.values())))
    keys = [public_key_from_text(text) for text in settings.public_keys]
    ca_file = Path(settings.pinned_ca_file) if settings.pinned_ca_file else None
    return TransportSettings(base_url=settings.server_url.strip(), pinned_ca_file=ca_file), keys


def sync_store_for(context: DeskContext) -> SyncStore:
    """The engine's view of the database, leased under this workstation's id."""
    return SyncStore(
        context.database,
        context.require_vault(),
        context.clock,
        owner=context.station.station_id,
        files=context.attachment_store(),
        references=context.references,
        hub=context.hub,
    )


@contextlib.contextmanager
def connected_engine(
    context: DeskContext,
    data_dir: Path,
    *,
    config: EngineConfig | None = None,
    token: DeviceToken | None = None,
    progress: Progress | None = None,
) -> Iterator[SyncEngine | NotConfigured]:
    """A ready engine over a fresh HTTP session (closed on exit), or why there is none.

    ``token`` overrides the stored one (tests and the demo pass the server's);
    ``progress.abort()`` shuts the session's sockets, so a stop never waits for an answer.
    """
    checked = check_national(context.office.national, training=context.station.training)
    if isinstance(checked, NotConfigured):
        yield checked
        return
    transport, keys = checked
    try:
        factory = find_adapter(context.office.national.adapter)
    except AdapterNotFound as exc:
        yield NotConfigured(exc.message)
        return
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
    abort = abortable(session)
    forget = progress.on_abort(abort) if progress is not None else None
    with session:
        adapter = factory(
            AdapterContext(
                session,
                transport.base_url,
                token,
                trusted_keys=tuple(keys),
                clock=context.clock,
                language=context.station.language,
            )
        )
        config = fitted_config(config or EngineConfig(), adapter)
        try:
            yield SyncEngine(
                adapter,
                sync_store_for(context),
                clock=context.clock,
                config=config,
                data_root=context.attachments_root.parent,  # DataPaths: root/attachments
                anchors=AuditAnchors(context.database, context.clock),
            )
        finally:
            if forget is not None:
                forget()


class _Sockets:
    """The connections a session opened, so another thread can cut them all at once."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # aborted from a signal handler too
        self._open: weakref.WeakSet[HTTPConnection] = weakref.WeakSet()
        self._aborted = False

    def opening(self) -> None:
        if self._aborted:
            raise ConnectionAbortedError("the sync is stopping")

    def opened(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._open.add(connection)
            aborted = self._aborted
        if aborted:
            _shut(connection)

    def abort(self) -> None:
        with self._lock:
            self._aborted = True
            connections = list(self._open)
        for connection in connections:
            _shut(connection)


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # closed already: nothing in flight
            sock.shutdown(socket.SHUT_RDWR)


def abortable(session: requests.Session) -> Callable[[], None]:
    """Track the sockets of ``session`` (before its first request); returns what cuts them.

    Closing a session frees only its idle connections; a thread blocked reading an answer
    stays blocked until its timeout. Shutting the socket ends that read at once, with a
    connection error that the engine reads as an ambiguous failure.
    """
    sockets = _Sockets()

    class Tracked(HTTPConnection):
        def connect(self) -> None:
            sockets.opening()
            super().connect()
            sockets.opened(self)

    class TrackedTls(HTTPSConnection):
        def connect(self) -> None:
            sockets.opening()
            super().connect()
            sockets.opened(self)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Tracked

    class TlsPool(HTTPSConnectionPool):
        ConnectionCls = TrackedTls

    for adapter in session.adapters.values():
        if isinstance(adapter, HTTPAdapter):
            adapter.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": TlsPool}
    return sockets.abort


def fitted_config(config: EngineConfig, adapter: object) -> EngineConfig:
    """Batches no larger than the adapter declares it can send (``addstream``: one)."""
    most = capabilities_of(adapter).max_batch_items
    if most is None or config.max_batch_size <= most:
        return config
    return dataclasses.replace(config, max_batch_size=most, batch_size=min(config.batch_size, most))
