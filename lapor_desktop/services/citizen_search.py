"""Finding a returning citizen by the NIK or phone number typed into the search box.

The match goes through the keyed blind indexes, never the plaintext, and only
for a role that may see identities: which complaints match says who complained.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.services.context import Actor
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.storage.models import ComplainantIdentity
from lapor_desktop.validation.nik import check_nik
from lapor_desktop.validation.phone import check_phone

IDENTITY_DIGITS = 9
"""Fewer digits than this (or any letter) is ordinary search text."""


def person_condition(
    text: str, actor: Actor, vault: IdentityVault | None
) -> tuple[str, ColumnElement[bool]] | None:
    """A typed NIK or phone number as ``(kind, condition)``; None for other text or roles."""
    if sum(ch.isdigit() for ch in text) < IDENTITY_DIGITS or any(ch.isalpha() for ch in text):
        return None
    if not allows(actor.role, Permission.VIEW_IDENTITY) or vault is None:
        return None
    nik, problem = check_nik(text)
    if nik is not None and problem is None:
        return "nik", ComplainantIdentity.nik_index == vault.nik_index(nik)
    phone, problem = check_phone(text)
    if phone is not None and problem is None:
        return "phone", ComplainantIdentity.phone_index == vault.phone_index(phone)
    return None
