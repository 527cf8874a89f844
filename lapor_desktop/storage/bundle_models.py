"""The offline bundles table (docs/bundles.md), beside ``models`` so that one stays small.

One row per bundle this desk made (``outbound``), keeps for another desk (``relay``) or
imported or wrote as an answer (``return``); the outbox entries a bundle carries point at
it (``OutboxEntry.bundle_id``) and stay pending until a receipt settles them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lapor_desktop.storage.models import Base


class Bundle(Base):
    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_id: Mapped[str] = mapped_column(String(36), unique=True)
    """The envelope's UUID: the bundle's identity on every desk and at the service."""
    direction: Mapped[str] = mapped_column(String(16))
    """``outbound``, ``relay`` or ``return``."""
    sequence: Mapped[int] = mapped_column(Integer)
    """Outbound: this desk's 1, 2, 3...; others: the sender's number."""
    origin_office: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column()
    carried_since: Mapped[dt.datetime | None] = mapped_column()
    envelope_sha256: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    in_reply_to: Mapped[str | None] = mapped_column(String(36))
    """A return bundle: the bundle it answers."""
    file_name: Mapped[str] = mapped_column(Text, default="")
    """Where this desk keeps the envelope, relative to the data folder ("" for none)."""
    last_error: Mapped[str] = mapped_column(Text, default="")
    volumes: Mapped[int] = mapped_column(Integer, default=1)
