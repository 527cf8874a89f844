"""Identity fields sealed one by one, each bound to its row and field name.

The associated data (e.g. ``"<complaint uuid>:nik"``) is authenticated but
not stored, so a ciphertext copied to another row or field fails to open
instead of silently showing one citizen's NIK on another's complaint.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lapor_desktop.security.keys import (
    NONCE_BYTES,
    TAG_BYTES,
    Tampered,
    b64decode,
    b64encode,
    subkey,
)

FIELD_INFO = b"lapor identity fields v1"
FIELD_VERSION = "f1"
_AAD_PREFIX = b"lapor field f1\x00"


class FieldCipher:
    """AES-256-GCM for short text values, under a subkey of the data key."""

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(subkey(data_key, FIELD_INFO))

    def encrypt(self, value: str, *, aad: str) -> str:
        """``"f1.<base64>"``; an empty value stays empty (an absent field is not a secret).

        Any ``str`` is accepted, lone surrogates from a pasted clipboard included
        (UTF-8 with ``surrogatepass``), so saving never fails on odd text.
        """
        associated = _associated(aad)
        if value == "":
            return ""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode("utf-8", "surrogatepass"), associated)
        return f"{FIELD_VERSION}.{b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, aad: str) -> str:
        """The value; ``Tampered`` for a wrong key, a wrong ``aad`` or a damaged token."""
        associated = _associated(aad)
        if token == "":
            return ""
        version, dot, body = token.partition(".")
        if version != FIELD_VERSION or not dot:
            raise Tampered("not an f1 field token")
        try:
            raw = b64decode(body)
        except ValueError as exc:
            raise Tampered("field token is not valid base64") from exc
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise Tampered("field token is too short")
        try:
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated)
        except InvalidTag as exc:
            raise Tampered("field token does not open under this key and aad") from exc
        try:
            return plain.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise Tampered("field plaintext is not UTF-8") from exc


def _associated(aad: str) -> bytes:
    if not aad:
        raise ValueError("aad must name the row and field the value belongs to")
    return _AAD_PREFIX + aad.encode("utf-8", "surrogatepass")
