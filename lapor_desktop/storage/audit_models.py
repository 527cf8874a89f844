"""Tables of the sign-in gate and the audit chain, beside ``models`` so that one stays small.

``sign_in_checks``: the password checks admitted and not yet settled (at most the
lockout's allowance per account, across every workstation). ``audit_covers``: the
digest of a complaint's row as an audit entry left it. ``audit_anchors``: chain heads
the national service countersigned (docs/security.md).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lapor_desktop.storage.models import Base


class SignInCheck(Base):
    """One admitted, unsettled password check; it lapses at ``expires_at`` (a crashed check)."""

    __tablename__ = "sign_in_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column()


class AuditCover(Base):
    """The complaint row's digest right after the change its audit entry records."""

    __tablename__ = "audit_covers"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("audit_log.id", ondelete="CASCADE"), primary_key=True
    )
    complaint_uuid: Mapped[str] = mapped_column(String(36), index=True)
    row_digest: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """A chain head (entry id and hash) the national service countersigned during a sync."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(Integer, index=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(40))
    """The service's own timestamp as it signed it (part of what was signed)."""
    stored_at: Mapped[dt.datetime] = mapped_column()
