"""The complainant's identity at rest: encrypted fields and blind indexes, in one place.

Every identity field is sealed with AES-GCM bound to its complaint and
field name (a ciphertext moved to another row does not open), and the NIK
and phone number get keyed HMAC indexes so that a returning citizen can be
found without decrypting the table. A field that does not open under its
own complaint raises :class:`IdentityTampered`, which says which one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from lapor_desktop.domain.complaint import IDENTITY_FIELDS, Identity
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.blind_index import BlindIndex
from lapor_desktop.security.fields import FieldCipher
from lapor_desktop.security.keys import Tampered
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


class IdentityTampered(Tampered):
    """A complaint's identity field does not open under its own complaint: altered or moved.

    ``explanation`` names the complaint and the field, for the window and the
    command line to show instead of a traceback.
    """

    def __init__(self, complaint_uuid: str, field: str) -> None:
        self.complaint_uuid = complaint_uuid
        self.field = field
        self.explanation = Message(
            N_(
                "The identity stored with complaint {uuid} fails its integrity check (field "
                "{field}): it was altered, or moved from another complaint, so it was not "
                "opened. Run 'lapor-desktop audit verify' and ask IT staff; a backup from "
                "before the change has the right identity."
            ),
            {"uuid": complaint_uuid, "field": field},
        )
        super().__init__(self.explanation.render("en"))


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
        salt: str | None = None,
    ) -> None:
        """``salt``: the one the content was hashed with elsewhere (a district's hand-over)."""
        salt = salt or self.content_salt(complaint_uuid, row) or secrets.token_hex(16)
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
        values = {name: self._open_field(complaint_uuid, row, name) for name in IDENTITY_FIELDS}
        return Identity(**values)

    def _open_field(self, complaint_uuid: str, row: ComplainantIdentity, name: str) -> str:
        try:
            return self._cipher.decrypt(getattr(row, name), aad=_aad(complaint_uuid, name))
        except Tampered as error:
            raise IdentityTampered(complaint_uuid, name) from error

    def nik_index(self, nik: str) -> str | None:
        return self._index.nik(nik)

    def phone_index(self, phone: str) -> str | None:
        return self._index.phone(phone)


def _aad(complaint_uuid: str, field: str) -> str:
    return f"{complaint_uuid}:{field}"
