"""The desks' public keys, per office: who may sign a bundle, and where its answer is sealed.

A desk registers its Ed25519 signing key and X25519 sealing key with its device token
(``PUT /v1/device-keys``), or an operator of the service trusts them by hand
(``trust-desk``). A key belongs to one office for good: the same key offered for another
office is refused, so a stolen token of one office cannot adopt another office's desk.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import threading
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import Column, Engine, MetaData, String, Table, select, update
from sqlalchemy.dialects.sqlite import insert

from sync.protocol.receipts import key_id
from sync.reference_server.schema import UtcDateTime, offices

_metadata = MetaData()

desk_keys = Table(
    "desk_keys",
    _metadata,
    Column("key_id", String(16), primary_key=True),
    Column("office_code", String(32), nullable=False),
    Column("signing_key", String(64), nullable=False),
    Column("sealing_key", String(64), nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
)


class Registration(enum.StrEnum):
    REGISTERED = "registered"
    UNCHANGED = "unchanged"
    TAKEN = "taken"
    """The signing key belongs to another office."""


@dataclass(frozen=True)
class DeskKey:
    key_id: str
    office_code: str
    signing_key: str
    """Base64 of the 32 raw Ed25519 bytes."""
    sealing_key: str
    """Base64 of the 32 raw X25519 bytes."""
    office_active: bool
    """False for a suspended office, and for an office the service has no token for."""


def _raw_key(text: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64") from error
    if len(raw) != 32:
        raise ValueError("a key has 32 raw bytes")
    return raw


def signing_key_id(signing_key_b64: str) -> str:
    """The key id of a base64 Ed25519 public key; ValueError when it is not one."""
    return key_id(Ed25519PublicKey.from_public_bytes(_raw_key(signing_key_b64)))


def sealing_public_key(sealing_key_b64: str) -> X25519PublicKey:
    """A base64 X25519 public key; ValueError when it is not one."""
    return X25519PublicKey.from_public_bytes(_raw_key(sealing_key_b64))


def _canonical(text: str) -> str:
    return base64.b64encode(_raw_key(text)).decode("ascii")


class DeskKeys:
    def __init__(self, engine: Engine, lock: threading.Lock) -> None:
        self._engine = engine
        self._lock = lock
        _metadata.create_all(engine)

    def register(
        self, office_code: str, signing_key_b64: str, sealing_key_b64: str, *, now: dt.datetime
    ) -> tuple[Registration, str]:
        """Trust these keys for the office; ValueError when they are not keys. Idempotent.

        The same signing key again with a new sealing key replaces the sealing key (the
        desk renewed it); answers go to the newest.
        """
        signing, sealing = _canonical(signing_key_b64), _canonical(sealing_key_b64)
        sealing_public_key(sealing)
        kid = signing_key_id(signing)
        with self._lock, self._engine.begin() as conn:
            held = conn.execute(select(desk_keys).where(desk_keys.c.key_id == kid)).first()
            if held is None:
                conn.execute(
                    insert(desk_keys).values(
                        key_id=kid,
                        office_code=office_code,
                        signing_key=signing,
                        sealing_key=sealing,
                        registered_at=now,
                    )
                )
                return Registration.REGISTERED, kid
            if held.office_code != office_code or held.signing_key != signing:
                return Registration.TAKEN, kid
            if held.sealing_key == sealing:
                return Registration.UNCHANGED, kid
            conn.execute(
                update(desk_keys)
                .where(desk_keys.c.key_id == kid)
                .values(sealing_key=sealing, registered_at=now)
            )
            return Registration.REGISTERED, kid

    def find(self, kid: str) -> DeskKey | None:
        query = (
            select(desk_keys, offices.c.active)
            .select_from(desk_keys.outerjoin(offices, offices.c.code == desk_keys.c.office_code))
            .where(desk_keys.c.key_id == kid)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return DeskKey(
            row.key_id, row.office_code, row.signing_key, row.sealing_key, bool(row.active)
        )
