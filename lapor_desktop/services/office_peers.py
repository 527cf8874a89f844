"""The other office desks a desk trusts for hand-over bundles: its parent, and its districts.

A district desk seals its hand-over bundle to its parent office's sealing key and trusts
the parent's signing key on the answer; the parent takes a hand-over only from a district
desk whose signing key IT entered here. Public keys only, entered by IT from the other
desk's ``lapor-desktop bundle keys`` (the same as the national service's ``trust-desk``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.storage.models import SyncValue

PARENT = "bundle_parent_office"
TRUSTED_PREFIX = "bundle_trusted_desk:"
BAD_KEY = N_("The {which} key is not valid: expected base64 of 32 bytes.")


@dataclass(frozen=True)
class PeerDesk:
    """Another office's desk: its office code and its two public keys (base64 raw)."""

    office_code: str
    signing_key: str
    sealing_key: str

    @property
    def signing_key_id(self) -> str:
        return _key_id(self.signing_key)

    @property
    def sealing_key_id(self) -> str:
        return _key_id(self.sealing_key)


def _key_id(text: str) -> str:
    return hashlib.sha256(base64.b64decode(text)).hexdigest()[:16]


def checked(office_code: str, signing_key: str, sealing_key: str) -> PeerDesk | Message:
    """The peer as typed, or what is wrong with it."""
    for which, text in (("signing", signing_key), ("sealing", sealing_key)):
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) != 32:
            return Message(BAD_KEY, {"which": which})
    return PeerDesk(office_code.strip(), signing_key.strip(), sealing_key.strip())


def set_parent(session: Session, peer: PeerDesk, *, now: dt.datetime) -> None:
    _put(session, PARENT, json.dumps(peer.__dict__), now)


def parent(session: Session) -> PeerDesk | None:
    row = session.get(SyncValue, PARENT)
    return None if row is None else PeerDesk(**json.loads(row.value))


def trust_district(session: Session, peer: PeerDesk, *, now: dt.datetime) -> None:
    _put(session, TRUSTED_PREFIX + peer.signing_key_id, json.dumps(peer.__dict__), now)


def trusted_district(session: Session, signing_key_id: str) -> PeerDesk | None:
    row = session.get(SyncValue, TRUSTED_PREFIX + signing_key_id)
    return None if row is None else PeerDesk(**json.loads(row.value))


def trusted_districts(session: Session) -> list[PeerDesk]:
    rows = session.scalars(select(SyncValue.value).where(SyncValue.key.like(TRUSTED_PREFIX + "%")))
    return sorted((PeerDesk(**json.loads(v)) for v in rows), key=lambda p: p.office_code)


def _put(session: Session, key: str, value: str, now: dt.datetime) -> None:
    row = session.get(SyncValue, key)
    if row is None:
        session.add(SyncValue(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
