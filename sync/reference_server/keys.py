"""The server's long-lived secrets in its data folder: the receipt signing key, the bundle
key and the tokens.

All survive restarts, so a desk configured once keeps working (keeps verifying old
receipts, and a bundle sealed weeks ago still opens) however often the server is restarted.
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from lapor_desktop import durable_files
from sync.protocol.receipts import BUNDLE_KEY_CONTEXT
from sync.reference_server.config import DeviceToken

SIGNING_KEY_FILE = "signing_key.pem"
BUNDLE_KEY_FILE = "bundle_key.pem"
"""Signed before the raw bundle key, so the receipt key vouches for it and for nothing else."""
TOKENS_FILE = "tokens.json"
DEFAULT_OFFICES = {
    "2104": "Kabupaten Lingga (desk)",
    "2101": "Kabupaten Karimun (another office)",
    "2171": "Kota Batam (suspended office)",
}
SUSPENDED_BY_DEFAULT = frozenset({"2171"})


def _write_private(path: Path, data: bytes) -> None:
    """Write a secret readable by its owner only, whole or not at all."""
    durable_files.write_bytes(path, data, mode=0o600)


def _write_private_key(path: Path, key: Ed25519PrivateKey | X25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(path, pem)


def load_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    path = data_dir / SIGNING_KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    _write_private_key(path, key)
    return key


def load_bundle_key(data_dir: Path) -> X25519PrivateKey:
    """The X25519 key outbound bundles are sealed to; made on first start, then kept."""
    path = data_dir / BUNDLE_KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, X25519PrivateKey):
            raise ValueError(f"{path} does not hold an X25519 key")
        return key
    fresh = X25519PrivateKey.generate()
    _write_private_key(path, fresh)
    return fresh


def sign_bundle_key(signing_key: Ed25519PrivateKey, bundle_key: X25519PublicKey) -> str:
    """Base64 of the receipt key's signature over the bundle key: a desk fetching the key
    online trusts it because the receipt key it already trusts vouches for it."""
    raw = bundle_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(signing_key.sign(BUNDLE_KEY_CONTEXT + raw)).decode("ascii")


def load_default_tokens(data_dir: Path) -> tuple[DeviceToken, ...]:
    """One token per sample office, made on first start and kept in ``tokens.json``."""
    path = data_dir / TOKENS_FILE
    if path.exists():
        raw = json.loads(path.read_text(encoding="utf-8"))
        return tuple(DeviceToken(t["token"], t["office_code"], t["label"]) for t in raw)
    tokens = tuple(
        DeviceToken(secrets.token_urlsafe(32), office, label)
        for office, label in DEFAULT_OFFICES.items()
    )
    body = [{"token": t.token, "office_code": t.office_code, "label": t.label} for t in tokens]
    _write_private(path, json.dumps(body, indent=2).encode())
    return tokens
