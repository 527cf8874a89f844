"""One sealed bundle: a signed header anyone may read, and a payload only its recipient opens.

The header holds no personal data (counts, key IDs, digests); it is signed by the sender's
Ed25519 key and names the SHA-256 of the sealed payload, so a relay can check a bundle is
whole and genuine without being able to read it. The payload is HPKE (RFC 9180) sealed to
the recipient's X25519 key with the ``cryptography`` library's single-shot suite.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import struct
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from lapor_desktop.i18n import N_, Message
from sync.bundles.problems import BundleProblem
from sync.protocol.receipts import key_id

MAGIC = b"LAPOR-BUNDLE/1\n"
CONTEXT = b"lapor-bundle/1"
FORMAT = 1
KINDS = ("outbound", "return", "handover")
MAX_HEADER_BYTES = 64 * 1024
SIGNATURE_BYTES = 64
_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
_LENGTH = struct.Struct(">I")

NOT_A_BUNDLE = N_("This file is not a LAPOR! bundle.")
DAMAGED = N_(
    "The bundle is damaged (its contents do not match its checksum): copy it again from "
    "the desk that made it."
)
BAD_SIGNATURE = N_(
    "The bundle's signature does not hold: it was changed after it was made. Do not use it."
)
NOT_FOR_US = N_("This bundle is sealed for another recipient ({recipient}), not for this one.")
CANNOT_OPEN = N_("The bundle cannot be opened with this recipient's key.")


def raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def x25519_key_id(key: X25519PublicKey) -> str:
    """A short name for a sealing key (the same formula as a receipt key's)."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def x25519_from_text(text: str) -> X25519PublicKey:
    """A sealing key as configured (base64 of its 32 raw bytes); ValueError otherwise."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise ValueError("not base64") from error
    if len(raw) != 32:
        raise ValueError("an X25519 public key has 32 bytes")
    return X25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class BundleHeader:
    """What a bundle says about itself, readable and checkable without opening it."""

    bundle_id: str
    kind: str
    sequence: int
    origin_office: str
    created_at: dt.datetime
    sender_key_id: str
    sender_signing_key: str
    sender_sealing_key: str
    recipient_key_id: str
    recipient_kind: str
    recipient_office: str | None
    in_reply_to: str | None
    counts: dict[str, int] = field(hash=False)
    payload_bytes: int
    sealed_bytes: int
    sealed_sha256: str

    def as_json(self) -> bytes:
        body: dict[str, Any] = asdict(self)
        body["created_at"] = self.created_at.isoformat()
        body["format"] = FORMAT
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def from_json(raw: bytes) -> BundleHeader:
        try:
            body = json.loads(raw.decode("utf-8"))
            if body.pop("format") != FORMAT or body["kind"] not in KINDS:
                raise ValueError("unknown format or kind")
            body["created_at"] = dt.datetime.fromisoformat(body["created_at"])
            header = BundleHeader(**body)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise BundleProblem("not_a_bundle", Message(NOT_A_BUNDLE)) from error
        texts = (header.bundle_id, header.sender_signing_key, header.sealed_sha256)
        numbers = (header.sequence, header.sealed_bytes, header.payload_bytes)
        if not all(isinstance(t, str) for t in texts) or not all(
            isinstance(n, int) and n >= 0 for n in numbers
        ):
            raise BundleProblem("not_a_bundle", Message(NOT_A_BUNDLE))
        return header


@dataclass(frozen=True)
class Envelope:
    """A bundle whose checksum and signature held (``parse_envelope``); not opened yet."""

    header: BundleHeader
    data: bytes
    sha256: str

    @property
    def signing_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.header.sender_signing_key))

    @property
    def sealing_key(self) -> X25519PublicKey:
        return x25519_from_text(self.header.sender_sealing_key)


def _info(bundle_id: str, recipient_key_id: str) -> bytes:
    return CONTEXT + b"\0" + bundle_id.encode("ascii") + b"\0" + recipient_key_id.encode("ascii")


def seal_envelope(
    payload: Mapping[str, object],
    *,
    bundle_id: str,
    kind: str,
    sequence: int,
    origin_office: str,
    created_at: dt.datetime,
    signer: Ed25519PrivateKey,
    sealing_public: X25519PublicKey,
    recipient: X25519PublicKey,
    recipient_kind: str,
    recipient_office: str | None = None,
    in_reply_to: str | None = None,
    counts: Mapping[str, int] | None = None,
) -> bytes:
    """The envelope's bytes: magic, signed header, HPKE-sealed compressed msgpack payload.

    ``sealing_public`` is the sender's own sealing key, named so the answer can be sealed to it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown bundle kind {kind!r}")
    packed = msgspec.msgpack.encode(payload)
    recipient_id = x25519_key_id(recipient)
    sealed = _SUITE.encrypt(zlib.compress(packed, 6), recipient, _info(bundle_id, recipient_id))
    header = BundleHeader(
        bundle_id=bundle_id,
        kind=kind,
        sequence=sequence,
        origin_office=origin_office,
        created_at=created_at,
        sender_key_id=key_id(signer.public_key()),
        sender_signing_key=b64(raw_public(signer.public_key())),
        sender_sealing_key=b64(raw_public(sealing_public)),
        recipient_key_id=recipient_id,
        recipient_kind=recipient_kind,
        recipient_office=recipient_office,
        in_reply_to=in_reply_to,
        counts=dict(counts or {}),
        payload_bytes=len(packed),
        sealed_bytes=len(sealed),
        sealed_sha256=hashlib.sha256(sealed).hexdigest(),
    )
    header_json = header.as_json()
    signature = signer.sign(CONTEXT + header_json)
    return b"".join((MAGIC, _LENGTH.pack(len(header_json)), header_json, signature, sealed))


def parse_envelope(data: bytes) -> Envelope:
    """The envelope, once its header reads, its payload matches and its signature holds.

    The signature is checked against the key the header names; whether that key belongs
    to a desk the reader trusts is the reader's question (``Envelope.header.sender_key_id``).
    """
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _LENGTH.size:
        raise BundleProblem("not_a_bundle", Message(NOT_A_BUNDLE))
    start = len(MAGIC) + _LENGTH.size
    (header_length,) = _LENGTH.unpack_from(data, len(MAGIC))
    if header_length > MAX_HEADER_BYTES or len(data) < start + header_length + SIGNATURE_BYTES:
        raise BundleProblem("damaged", Message(DAMAGED))
    header_json = data[start : start + header_length]
    header = BundleHeader.from_json(header_json)
    signature = data[start + header_length : start + header_length + SIGNATURE_BYTES]
    sealed = data[start + header_length + SIGNATURE_BYTES :]
    if len(sealed) != header.sealed_bytes or (
        hashlib.sha256(sealed).hexdigest() != header.sealed_sha256
    ):
        raise BundleProblem("damaged", Message(DAMAGED))
    envelope = Envelope(header, data, hashlib.sha256(data).hexdigest())
    try:
        signing_key = envelope.signing_key
        if key_id(signing_key) != header.sender_key_id:
            raise InvalidSignature
        signing_key.verify(signature, CONTEXT + header_json)
    except (InvalidSignature, ValueError, binascii.Error) as error:
        raise BundleProblem("bad_signature", Message(BAD_SIGNATURE)) from error
    return envelope


def open_envelope(envelope: Envelope, recipient_private: X25519PrivateKey) -> dict[str, Any]:
    """The payload, for the one reader it was sealed to."""
    header = envelope.header
    ours = x25519_key_id(recipient_private.public_key())
    if header.recipient_key_id != ours:
        who = header.recipient_office or header.recipient_kind
        raise BundleProblem("not_for_us", Message(NOT_FOR_US, {"recipient": who}))
    sealed = envelope.data[-header.sealed_bytes :] if header.sealed_bytes else b""
    try:
        packed = zlib.decompress(
            _SUITE.decrypt(sealed, recipient_private, _info(header.bundle_id, ours))
        )
        payload = msgspec.msgpack.decode(packed)
    except (InvalidTag, ValueError, zlib.error, msgspec.DecodeError) as error:
        raise BundleProblem("cannot_open", Message(CANNOT_OPEN)) from error
    if not isinstance(payload, dict):
        raise BundleProblem("cannot_open", Message(CANNOT_OPEN))
    return payload
