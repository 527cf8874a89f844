"""Signed receipts: Ed25519 over a canonical encoding of what the server received.

The signed bytes are a compact JSON array ``["lapor-receipt/1", client_uuid,
content_hash, tracking_id, server_time]``: unambiguous whatever the fields
hold, and easy to reproduce in any language. The client checks receipts with
public keys from its configuration, so a captive portal or an impostor
cannot make the desk believe a complaint was delivered.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.protocol.messages import Receipt
from sync.protocol.wire import format_time

RECEIPT_CONTEXT = "lapor-receipt/1"
BUNDLE_KEY_CONTEXT = b"lapor-bundle-key/1"
"""What the receipt key signs with the service's bundle sealing key (``GET /v1/bundle-key``)."""


def receipt_payload(
    client_uuid: str, content_hash: str, tracking_id: str, server_time: dt.datetime
) -> bytes:
    fields = [RECEIPT_CONTEXT, client_uuid, content_hash, tracking_id, format_time(server_time)]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A short name for a public key, so a client trusting several can pick the right one."""
    return hashlib.sha256(_raw(key)).hexdigest()[:16]


def public_key_text(key: Ed25519PublicKey) -> str:
    """The configuration form of a public key: base64 of its 32 raw bytes."""
    return base64.b64encode(_raw(key)).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """Read a public key as configured: base64 of the raw bytes, or PEM; ValueError otherwise."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(stripped.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(stripped, validate=True)
    except binascii.Error as error:
        raise ValueError("not base64") from error
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


class ReceiptSigner:
    """The server side: one private key, kept by the server."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(
        self, client_uuid: str, content_hash: str, tracking_id: str, server_time: dt.datetime
    ) -> Receipt:
        signature = self._key.sign(
            receipt_payload(client_uuid, content_hash, tracking_id, server_time)
        )
        return Receipt(
            client_uuid=client_uuid,
            content_hash=content_hash,
            tracking_id=tracking_id,
            server_time=server_time,
            key_id=self.key_id,
            signature=base64.b64encode(signature).decode("ascii"),
        )

    def sign_bytes(self, payload: bytes) -> str:
        """Base64 of the signature over other signed messages (audit anchors)."""
        return base64.b64encode(self._key.sign(payload)).decode("ascii")


class ReceiptVerifier:
    """The client side: the public keys the desk trusts (more than one during a key change)."""

    def __init__(self, trusted: Iterable[Ed25519PublicKey]) -> None:
        self._keys = {key_id(k): k for k in trusted}

    def verify(self, receipt: Receipt) -> bool:
        key = self._keys.get(receipt.key_id)
        if key is None:
            return False
        try:
            signature = base64.b64decode(receipt.signature, validate=True)
            key.verify(
                signature,
                receipt_payload(
                    receipt.client_uuid,
                    receipt.content_hash,
                    receipt.tracking_id,
                    receipt.server_time,
                ),
            )
        except (binascii.Error, InvalidSignature):
            return False
        return True
