"""This desk's two bundle keys, and what it knows of the national bundle key (docs/bundles.md).

The Ed25519 key signs the bundles this desk makes; return and hand-over bundles are sealed
to the X25519 key. Both are made on first use and kept in the desk database (``sync_values``)
sealed with the data key, never in clear, so every workstation of a shared office signs as
the one office desk and a copy of the database without the data key holds no usable key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.fields import FieldCipher
from lapor_desktop.security.keys import Tampered, b64decode, b64encode, subkey
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.storage.models import SyncValue

SIGNING_KEY = "bundle_signing_key"
SEALING_KEY = "bundle_sealing_key"
SIGNING_PUBLIC = "bundle_signing_public"
SEALING_PUBLIC = "bundle_sealing_public"
"""The public halves in clear (base64 raw), so a desk knows its own bundles while locked."""
NATIONAL_BUNDLE_KEY = "bundle_national_key"
"""The national service's X25519 bundle key, base64 of its 32 raw bytes (public, in clear)."""
REGISTERED_KEY_ID = "bundle_registered_key_id"
"""The signing key id the national service confirmed it knows (``PUT /v1/device-keys``)."""
_CIPHER_INFO = b"lapor device bundle keys v1"
_RAW_BYTES = 32


def key_id(raw_public: bytes) -> str:
    """A public key's short name: as ``sync.protocol.receipts.key_id`` (16 hex of SHA-256)."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


def cipher_for(data_key: bytes) -> FieldCipher:
    """The cipher that seals the device keys: a subkey of the data key of their own."""
    return FieldCipher(subkey(data_key, _CIPHER_INFO))


def vault_cipher(vault: IdentityVault) -> FieldCipher:
    """The same cipher from the unlocked vault a service already holds."""
    return cipher_for(vault.file_key)


@dataclass(frozen=True, repr=False)
class DeviceKeys:
    """The desk's private keys; its repr names only their key ids."""

    signing: Ed25519PrivateKey
    sealing: X25519PrivateKey

    @property
    def signing_public(self) -> bytes:
        return self.signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def sealing_public(self) -> bytes:
        return self.sealing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def signing_public_b64(self) -> str:
        return b64encode(self.signing_public)

    @property
    def sealing_public_b64(self) -> str:
        return b64encode(self.sealing_public)

    @property
    def signing_key_id(self) -> str:
        return key_id(self.signing_public)

    @property
    def sealing_key_id(self) -> str:
        return key_id(self.sealing_public)

    def __repr__(self) -> str:
        return f"DeviceKeys(signing={self.signing_key_id}, sealing={self.sealing_key_id})"


def load(session: Session, cipher: FieldCipher) -> DeviceKeys | None:
    """The desk's keys, or None before the first bundle; ``Tampered`` for a damaged value."""
    stored = _values(session, (SIGNING_KEY, SEALING_KEY))
    if SIGNING_KEY not in stored or SEALING_KEY not in stored:
        return None
    signing = _open(cipher, SIGNING_KEY, stored[SIGNING_KEY])
    sealing = _open(cipher, SEALING_KEY, stored[SEALING_KEY])
    return DeviceKeys(
        Ed25519PrivateKey.from_private_bytes(signing), X25519PrivateKey.from_private_bytes(sealing)
    )


def load_or_create(
    session: Session, cipher: FieldCipher, *, now: dt.datetime | None = None
) -> DeviceKeys:
    """The desk's keys, made and stored in the caller's transaction the first time.

    Two workstations making them at once keep the first one stored (insert if absent,
    then read back), so an office never has two signing keys.
    """
    at = now or dt.datetime.now(dt.UTC)
    made = {
        SIGNING_KEY: Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        ),
        SEALING_KEY: X25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        ),
    }
    for name, raw in made.items():
        _insert_if_absent(session, name, cipher.encrypt(b64encode(raw), aad=_aad(name)), at)
    keys = load(session, cipher)
    assert keys is not None  # both were inserted above unless already there
    _insert_if_absent(session, SIGNING_PUBLIC, keys.signing_public_b64, at)
    _insert_if_absent(session, SEALING_PUBLIC, keys.sealing_public_b64, at)
    return keys


@dataclass(frozen=True)
class PublicKeys:
    """The desk's public bundle keys (base64 raw) and their key ids; no secret in them."""

    signing_key: str
    sealing_key: str

    @property
    def signing_key_id(self) -> str:
        return key_id(b64decode(self.signing_key))

    @property
    def sealing_key_id(self) -> str:
        return key_id(b64decode(self.sealing_key))


def public_ids(session: Session) -> PublicKeys | None:
    """The desk's public keys without the data key (None before the first bundle)."""
    found = _values(session, (SIGNING_PUBLIC, SEALING_PUBLIC))
    if SIGNING_PUBLIC not in found or SEALING_PUBLIC not in found:
        return None
    return PublicKeys(found[SIGNING_PUBLIC], found[SEALING_PUBLIC])


def national_bundle_key(session: Session) -> X25519PublicKey | None:
    """The key outbound bundles are sealed to, once the desk learned it."""
    text = _values(session, (NATIONAL_BUNDLE_KEY,)).get(NATIONAL_BUNDLE_KEY)
    return None if text is None else X25519PublicKey.from_public_bytes(b64decode(text))


def national_bundle_key_text(session: Session) -> str | None:
    return _values(session, (NATIONAL_BUNDLE_KEY,)).get(NATIONAL_BUNDLE_KEY)


def set_national_bundle_key(session: Session, text: str, *, now: dt.datetime) -> Message | None:
    """Keep the national bundle key (from ``GET /v1/bundle-key`` or IT); a problem if malformed."""
    value = text.strip()
    try:
        raw = b64decode(value)
    except ValueError:
        raw = b""
    if len(raw) != _RAW_BYTES:
        return Message(
            N_("The national bundle key is not valid: expected base64 of 32 bytes (X25519).")
        )
    _put(session, NATIONAL_BUNDLE_KEY, value, now)
    return None


def registered_key_id(session: Session) -> str | None:
    return _values(session, (REGISTERED_KEY_ID,)).get(REGISTERED_KEY_ID)


def set_registered(session: Session, signing_key_id: str, *, now: dt.datetime) -> None:
    """The national service confirmed it knows this desk's keys (a sync pass stops asking)."""
    _put(session, REGISTERED_KEY_ID, signing_key_id, now)


def is_registered(session: Session, keys: DeviceKeys) -> bool:
    """Whether the service knows the keys the desk holds now (not an older pair)."""
    return registered_key_id(session) == keys.signing_key_id


def _aad(name: str) -> str:
    return f"device-keys:{name}"


def _open(cipher: FieldCipher, name: str, token: str) -> bytes:
    raw = b64decode(cipher.decrypt(token, aad=_aad(name)))
    if len(raw) != _RAW_BYTES:
        raise Tampered(f"{name} is not a 32-byte key")
    return raw


def _values(session: Session, keys: tuple[str, ...]) -> dict[str, str]:
    rows = session.execute(select(SyncValue.key, SyncValue.value).where(SyncValue.key.in_(keys)))
    return {str(key): str(value) for key, value in rows}


def _insert_if_absent(session: Session, key: str, value: str, now: dt.datetime) -> None:
    row = {"key": key, "value": value, "updated_at": now}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(SyncValue).values(row).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(SyncValue).values(row).on_conflict_do_nothing())


def _put(session: Session, key: str, value: str, now: dt.datetime) -> None:
    row = session.get(SyncValue, key)
    if row is None:
        session.add(SyncValue(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
