"""The data key and its wraps: one random key, sealed under each password and each machine key.

Everything secret is encrypted under one random data key, so a password
change only re-wraps that key (32 bytes) instead of re-encrypting the data.
Password-derived keys use Argon2id, whose parameters are stored beside each
wrap so that they can be raised later without breaking old wraps.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import unicodedata
from dataclasses import dataclass
from typing import ClassVar

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lapor_desktop.i18n import N_, Message

DATA_KEY_BYTES = 32
KEK_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
WRAP_VERSION = "v1"
KDF_NAME = "argon2id"
_WRAP_AAD_PREFIX = b"lapor key wrap v1\x00"
_WRAPPED_BYTES = NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES

# Bounds for parameters read back from the database: a tampered row must not
# be able to make a sign-in allocate gigabytes or spin for minutes.
MIN_SALT_BYTES = 8
MAX_SALT_BYTES = 64
MAX_TIME_COST = 64
MAX_MEMORY_COST = 4 * 1024 * 1024  # KiB, i.e. 4 GiB
MAX_PARALLELISM = 64


class DecryptionError(Exception):
    """Base of every failure to open a sealed value; ``message`` is for the user."""

    message: ClassVar[Message] = Message(N_("The encrypted data could not be opened."))


class WrongKey(DecryptionError):
    """The key, the context or the token does not match (AES-GCM cannot tell which)."""

    message: ClassVar[Message] = Message(
        N_("The key does not open this data: wrong password, or the data was altered.")
    )


class Tampered(DecryptionError):
    """A ciphertext was altered, truncated, reordered, moved, or sealed under another key."""

    message: ClassVar[Message] = Message(
        N_("Encrypted data is damaged or was altered, and was not opened.")
    )


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def subkey(data_key: bytes, info: bytes, *, salt: bytes | None = None) -> bytes:
    """A 32-byte key for one purpose (HKDF-SHA256), so no two purposes share a key."""
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError(f"a data key must be {DATA_KEY_BYTES} bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(data_key)


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard base64: ``ValueError`` on any stray character or bad padding."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError("not valid base64") from exc


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters stored beside each password wrap (memory_cost in KiB)."""

    salt: bytes
    time_cost: int = 3
    memory_cost: int = 65536
    parallelism: int = 2

    def __post_init__(self) -> None:
        if not MIN_SALT_BYTES <= len(self.salt) <= MAX_SALT_BYTES:
            raise ValueError(f"salt must be {MIN_SALT_BYTES}..{MAX_SALT_BYTES} bytes")
        for name, value, upper in (
            ("time_cost", self.time_cost, MAX_TIME_COST),
            ("memory_cost", self.memory_cost, MAX_MEMORY_COST),
            ("parallelism", self.parallelism, MAX_PARALLELISM),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
                raise ValueError(f"{name} must be an integer in 1..{upper}")
        if self.memory_cost < 8 * self.parallelism:
            raise ValueError("memory_cost must be at least 8 KiB per lane (Argon2)")

    @staticmethod
    def new() -> KdfParams:
        return KdfParams(salt=os.urandom(16))

    def to_json(self) -> dict[str, object]:
        return {
            "kdf": KDF_NAME,
            "salt": b64encode(self.salt),
            "time_cost": self.time_cost,
            "memory_cost": self.memory_cost,
            "parallelism": self.parallelism,
        }

    @staticmethod
    def from_json(raw: dict[str, object]) -> KdfParams:
        """The inverse of ``to_json``; ``ValueError`` on any missing, extra or bad field."""
        if not isinstance(raw, dict):
            raise ValueError("KDF parameters must be an object")
        expected = {"kdf", "salt", "time_cost", "memory_cost", "parallelism"}
        if set(raw) != expected:
            raise ValueError(f"KDF parameters must have exactly the keys {sorted(expected)}")
        if raw["kdf"] != KDF_NAME:
            raise ValueError(f"unsupported KDF {raw['kdf']!r}")
        salt = raw["salt"]
        if not isinstance(salt, str):
            raise ValueError("salt must be a base64 string")
        costs: dict[str, int] = {}
        for name in ("time_cost", "memory_cost", "parallelism"):
            value = raw[name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer")
            costs[name] = value
        return KdfParams(salt=b64decode(salt), **costs)


def derive_password_key(password: str, params: KdfParams) -> bytes:
    """A key-encryption key from a password (NFC-normalised, so any keyboard gives the same)."""
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    return hash_secret_raw(
        secret=secret,
        salt=params.salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=KEK_BYTES,
        type=Type.ID,
    )


def _wrap_aad(context: str) -> bytes:
    return _WRAP_AAD_PREFIX + context.encode("utf-8")


def _check_kek(kek: bytes) -> None:
    if len(kek) != KEK_BYTES:
        raise ValueError(f"a key-encryption key must be {KEK_BYTES} bytes")


def wrap_key(kek: bytes, data_key: bytes, *, context: str) -> str:
    """Seal the data key under ``kek``; ``context`` (e.g. "user:<id>") must match to unwrap."""
    _check_kek(kek)
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError(f"a data key must be {DATA_KEY_BYTES} bytes")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(kek).encrypt(nonce, data_key, _wrap_aad(context))
    return f"{WRAP_VERSION}.{b64encode(nonce + sealed)}"


def unwrap_key(kek: bytes, token: str, *, context: str) -> bytes:
    """The data key; ``WrongKey`` for a wrong key or context and for a damaged token."""
    _check_kek(kek)
    version, dot, body = token.partition(".")
    if version != WRAP_VERSION or not dot:
        raise WrongKey("not a v1 key wrap")
    try:
        raw = b64decode(body)
    except ValueError as exc:
        raise WrongKey("key wrap is not valid base64") from exc
    if len(raw) != _WRAPPED_BYTES:
        raise WrongKey("key wrap has the wrong length")
    try:
        return AESGCM(kek).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _wrap_aad(context))
    except InvalidTag as exc:
        raise WrongKey("key, context or token does not match") from exc
