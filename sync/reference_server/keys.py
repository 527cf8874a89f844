"""The server's long-lived secrets in its data folder: the receipt signing key and the tokens.

Both survive restarts, so a desk configured once keeps working (and keeps
verifying old receipts) however often the server is restarted.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lapor_desktop import durable_files
from sync.reference_server.config import DeviceToken

SIGNING_KEY_FILE = "signing_key.pem"
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


def load_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    path = data_dir / SIGNING_KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(path, pem)
    return key


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
