"""Blind indexes: find a returning citizen by NIK or phone without decrypting anything.

A keyed HMAC, not a plain hash: a NIK is 16 digits with a known structure
(region code, birth date, serial), so the unkeyed SHA-256 of every possible
NIK of one district can be computed in minutes and would reveal each NIK
in a stolen database. Without the data key the HMAC values reveal nothing
beyond which rows share a NIK or phone.
"""

from __future__ import annotations

import hashlib
import hmac

from lapor_desktop.security.keys import subkey

INDEX_INFO = b"lapor blind index v1"


class BlindIndex:
    """HMAC-SHA256 (hex) of already-normalised values, one domain per kind of value."""

    def __init__(self, data_key: bytes) -> None:
        self._key = subkey(data_key, INDEX_INFO)

    def nik(self, normalised_nik: str) -> str | None:
        """Index of a 16-digit NIK as the validator normalised it; None when empty."""
        return self._digest("nik", normalised_nik)

    def phone(self, e164: str) -> str | None:
        """Index of a phone number in E.164 (``+62...``); None when empty."""
        return self._digest("phone", e164)

    def _digest(self, domain: str, value: str) -> str | None:
        if not value:
            return None
        message = f"{domain}:{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
