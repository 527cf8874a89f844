"""The reference server's own SQLite store (SQLAlchemy Core).

Deduplication rests on the UNIQUE constraint on ``complaints.client_uuid``
and an ``INSERT ... ON CONFLICT DO NOTHING``, never on a check followed by
an insert (the race that gave KoboToolbox duplicates). ``duplicate_copies``
exists only for the non-deduplicating fault mode, which imitates a server
without that protection.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
)

metadata = MetaData()


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC in, aware UTC out: SQLite itself keeps no time zone."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: object
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


offices = Table(
    "offices",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("active", Boolean, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("office_code", String(32), ForeignKey("offices.code"), nullable=False),
    Column("label", String(200), nullable=False),
    Column("revoked", Boolean, nullable=False),
)

complaints = Table(
    "complaints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_uuid", String(36), nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False),
    Column("tracking_no", Integer, nullable=False, unique=True),
    Column("office_code", String(32), nullable=False),
    Column("content_json", Text, nullable=False),
    Column("agency_code", String(64)),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", String(200), nullable=False),
    Column("status", String(32), nullable=False),
    Column("fate", String(32), nullable=False),
    Column("step", Integer, nullable=False),
    Column("next_step_at", UtcDateTime()),
    Index("ix_complaints_next_step", "next_step_at"),
)

duplicate_copies = Table(
    "duplicate_copies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_uuid", String(36), nullable=False, index=True),
    Column("content_hash", String(64), nullable=False),
    Column("tracking_no", Integer, nullable=False, unique=True),
    Column("office_code", String(32), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

follow_ups = Table(
    "follow_ups",
    metadata,
    Column("message_uuid", String(36), primary_key=True),
    Column("complaint_id", Integer, ForeignKey("complaints.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("written_at", UtcDateTime()),
    Column("received_at", UtcDateTime(), nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("complaint_id", Integer, ForeignKey("complaints.id"), nullable=False),
    Column("office_code", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("agency_code", String(64)),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Index("ix_changes_office_seq", "office_code", "seq"),
    sqlite_autoincrement=True,
)

uploads = Table(
    "uploads",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("length", Integer, nullable=False),
    Column("office_code", String(32), nullable=False),
    Column("complaint_uuid", String(36)),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(127), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("completed_at", UtcDateTime()),
    # The last bytes received: an unfinished upload expires a lifetime after it (tus).
    Column("touched_at", UtcDateTime()),
)


def open_engine(path: Path) -> Engine:
    """A file engine in WAL mode, created with its tables; callers serialise writes.

    ``synchronous=FULL``: a receipt is a promise, so its row must survive a power cut.
    """
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: object) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """A store made by an older server lacks newer nullable columns; add them in place."""
    with engine.begin() as conn:
        held = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(uploads)")}
        if "touched_at" not in held:
            conn.exec_driver_sql("ALTER TABLE uploads ADD COLUMN touched_at DATETIME")
