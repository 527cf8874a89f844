"""The complainant's identity as ``show`` prints it: enough to recognise, not enough to leak.

Terminal output ends up in scroll-back, logs and tickets, so the command
line masks the identity even for a role allowed to see it in full (the
desk window shows it in full); a full NIK is never printed.
"""

from __future__ import annotations

from lapor_desktop.domain.complaint import Identity
from lapor_desktop.validation.nik import mask_nik

MASK = "*"
_PHONE_VISIBLE_TAIL = 3
_PHONE_VISIBLE_HEAD = 3


def mask_name(name: str) -> str:
    """Each word's first letter: ``Siti Aminah`` becomes ``S*** A*****``."""
    return " ".join(word[0] + MASK * (len(word) - 1) for word in name.split())


def mask_phone(phone: str) -> str:
    """Country code and the last three digits: ``+62*********890``."""
    if len(phone) <= _PHONE_VISIBLE_HEAD + _PHONE_VISIBLE_TAIL:
        return MASK * len(phone)
    hidden = len(phone) - _PHONE_VISIBLE_HEAD - _PHONE_VISIBLE_TAIL
    return phone[:_PHONE_VISIBLE_HEAD] + MASK * hidden + phone[-_PHONE_VISIBLE_TAIL:]


def mask_email(email: str) -> str:
    """The first letter and the domain: ``s**********@example.id``."""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return MASK * len(email)
    return local[0] + MASK * (len(local) - 1) + "@" + domain


def mask_address(address: str) -> str:
    """Hidden entirely: an address plus a name identifies a household."""
    return MASK * 3 if address.strip() else ""


def masked_identity(identity: Identity) -> dict[str, str]:
    """Every identity field masked; an empty field stays empty so its absence shows."""
    return {
        "full_name": mask_name(identity.full_name),
        "nik": mask_nik(identity.nik) if identity.nik else "",
        "phone": mask_phone(identity.phone),
        "email": mask_email(identity.email),
        "address": mask_address(identity.address),
    }
