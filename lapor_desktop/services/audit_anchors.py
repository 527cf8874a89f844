"""Anchors of the audit chain: heads the national service countersigned, kept to check against.

Anyone who can write the database can delete the log's last entries, or delete one
and recompute every hash after it: the chain alone still verifies. So each sync pass
sends the chain head (entry id and hash) to the national service, which signs it with
its receipt key; the desk keeps each countersigned head (``audit_anchors``, and so in
every backup). ``audit verify`` then finds an anchored entry missing (a cut tail) or
with another hash (a recomputed chain), and says up to which anchored entry the log
still holds. The signed bytes: the compact JSON array
``["lapor-audit-anchor/1", entry_id, entry_hash, server_time]`` (docs/protocol.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.storage.audit_models import AuditAnchor
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry

ANCHOR_CONTEXT = "lapor-audit-anchor/1"

ANCHOR_MISSING = Message(
    N_("A countersigned entry is missing: the log's entries from there on were deleted.")
)
ANCHOR_DIFFERS = Message(
    N_("A countersigned entry has another hash now: the chain was recomputed from before it.")
)
ANCHOR_FORGED = Message(
    N_("A stored anchor is not signed by a trusted key of the national service.")
)


def anchor_payload(entry_id: int, entry_hash: str, server_time: str) -> bytes:
    """What the service signs: unambiguous whatever the fields hold, easy in any language."""
    fields = [ANCHOR_CONTEXT, entry_id, entry_hash, server_time]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii")


@dataclass(frozen=True)
class ChainHead:
    entry_id: int
    entry_hash: str


@dataclass(frozen=True)
class Countersigned:
    """A chain head as the service signed it (``server_time`` exactly as it was signed)."""

    entry_id: int
    entry_hash: str
    server_time: str
    key_id: str
    signature: str

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        try:
            signature = base64.b64decode(self.signature, validate=True)
            key.verify(signature, anchor_payload(self.entry_id, self.entry_hash, self.server_time))
        except (binascii.Error, InvalidSignature):
            return False
        return True


@dataclass(frozen=True)
class AnchorCheck:
    """How the log stands against its anchors: the last that holds, and the first that fails."""

    anchors: int = 0
    trusted_through: int | None = None
    """The entry id of the last anchor such that it and every one before it hold."""
    first_failed: int | None = None
    reason: Message | None = None


class AuditAnchors:
    """The desk's side: the head to send, and the countersigned heads to keep."""

    def __init__(self, database: Database, clock: Callable[[], dt.datetime]) -> None:
        self._db = database
        self._clock = clock

    def head(self) -> ChainHead | None:
        """The newest entry, or None for an empty log."""
        with self._db.read() as session:
            row = session.execute(
                select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
            ).first()
        return None if row is None else ChainHead(row.id, row.entry_hash)

    def latest(self) -> int | None:
        """The newest anchored entry id (a pass need not anchor the same head twice)."""
        with self._db.read() as session:
            return session.scalars(
                select(AuditAnchor.entry_id).order_by(AuditAnchor.entry_id.desc()).limit(1)
            ).first()

    def keep(self, signed: Countersigned) -> None:
        """Store a countersigned head the caller has checked against its trusted keys."""
        with self._db.write() as session:
            session.add(
                AuditAnchor(
                    entry_id=signed.entry_id,
                    entry_hash=signed.entry_hash,
                    signature=signed.signature,
                    key_id=signed.key_id,
                    signed_at=signed.server_time,
                    stored_at=self._clock(),
                )
            )


def check_anchors(
    session: Session, trusted_keys: Iterable[Ed25519PublicKey] | None = None
) -> AnchorCheck:
    """Each anchor against the log, oldest first; ``trusted_keys`` also checks signatures."""
    keys = None if trusted_keys is None else tuple(trusted_keys)
    anchors = session.scalars(select(AuditAnchor).order_by(AuditAnchor.entry_id)).all()
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).where(
            AuditEntry.id.in_({a.entry_id for a in anchors})
        )
    )
    hashes = {row.id: row.entry_hash for row in rows}
    trusted: int | None = None
    for anchor in anchors:
        reason = _failure(anchor, hashes.get(anchor.entry_id), keys)
        if reason is not None:
            return AnchorCheck(len(anchors), trusted, anchor.entry_id, reason)
        trusted = anchor.entry_id
    return AnchorCheck(len(anchors), trusted)


def _failure(
    anchor: AuditAnchor, now: str | None, keys: tuple[Ed25519PublicKey, ...] | None
) -> Message | None:
    signed = Countersigned(
        anchor.entry_id, anchor.entry_hash, anchor.signed_at, anchor.key_id, anchor.signature
    )
    if keys is not None and not any(signed.signed_by(key) for key in keys):
        return ANCHOR_FORGED
    if now is None:
        return ANCHOR_MISSING
    return ANCHOR_DIFFERS if now != anchor.entry_hash else None
