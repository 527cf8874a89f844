"""The complainant's identity at rest: encrypted fields and blind indexes, in one place.

Every identity field is sealed with AES-GCM bound to its complaint and
field name (a ciphertext moved to another row does not open), and the NIK
and phone number get keyed HMAC indexes so that a returning citizen can be
found without decrypting the table.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from lapor_desktop.domain.complaint import IDENTITY_FIELDS, Identity
from lapor_desktop.security.blind_index import BlindIndex
from lapor_desktop.security.fields import FieldCipher
from lapor_desktop.storage.models import ComplainantIdentity


@dataclass(frozen=True)
class SealedIdentity:
    """Column values ready for ``complainant_identities``."""

    full_name: str
    nik: str
    phone: str
    email: str
    address: str
    content_salt: str
    nik_index: str | None
    phone_index: str | None


class IdentityVault:
    def __init__(self, data_key: bytes) -> None:
        self._cipher = FieldCipher(data_key)
        self._index = BlindIndex(data_key)
        self._key = data_key

    @property
    def file_key(self) -> bytes:
        """For the attachment store, which derives its own per-file keys from it."""
        return self._key

    def seal(
        self, complaint_uuid: str, identity: Identity, *, salt: str, indexable: bool = True
    ) -> SealedIdentity:
        """Encrypt; index the NIK and phone only when they are validated (``indexable``)."""
        sealed = {
            name: self._cipher.encrypt(getattr(identity, name), aad=_aad(complaint_uuid, name))
            for name in IDENTITY_FIELDS
        }
        return SealedIdentity(
            **sealed,
            content_salt=self._cipher.encrypt(salt, aad=_aad(complaint_uuid, "content_salt")),
            nik_index=self._index.nik(identity.nik) if indexable else None,
            phone_index=self._index.phone(identity.phone) if indexable else None,
        )

    def store(
        self,
        row: ComplainantIdentity,
        complaint_uuid: str,
        identity: Identity,
        *,
        indexable: bool = True,
    ) -> None:
        salt = self.content_salt(complaint_uuid, row) or secrets.token_hex(16)
        sealed = self.seal(complaint_uuid, identity, salt=salt, indexable=indexable)
        for name in (*IDENTITY_FIELDS, "content_salt", "nik_index", "phone_index"):
            setattr(row, name, getattr(sealed, name))

    def content_salt(self, complaint_uuid: str, row: ComplainantIdentity) -> str:
        """The salt of this complaint's content hash ("" before the first store)."""
        token = row.content_salt or ""
        return self._cipher.decrypt(token, aad=_aad(complaint_uuid, "content_salt"))

    def open(self, complaint_uuid: str, row: ComplainantIdentity | None) -> Identity:
        if row is None:
            return Identity()
        values = {
            name: self._cipher.decrypt(getattr(row, name), aad=_aad(complaint_uuid, name))
            for name in IDENTITY_FIELDS
        }
        return Identity(**values)

    def nik_index(self, nik: str) -> str | None:
        return self._index.nik(nik)

    def phone_index(self, phone: str) -> str | None:
        return self._index.phone(phone)


def _aad(complaint_uuid: str, field: str) -> str:
    return f"{complaint_uuid}:{field}"
