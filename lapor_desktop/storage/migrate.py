"""Schema migrations (Alembic), run at start-up.

A database written by a newer version of the application is refused
before anything touches it: its revision is unknown to our scripts.
Alembic is imported only when a migration runs: reading the revisions
(:mod:`lapor_desktop.storage.revisions`, the ``alembic_version`` row) is
plain SQL and file reading, so an up-to-date desk opens without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from lapor_desktop.i18n import N_, Message
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.revisions import head_revision, known_revisions

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "MIGRATIONS_DIR",
    "DatabaseTooNew",
    "check_not_too_new",
    "current_revision",
    "has_pending",
    "head_revision",
    "known_revisions",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


class DatabaseTooNew(RuntimeError):
    """The database comes from a newer LAPOR! Desktop: upgrade the app, never the data."""

    def __init__(self, revision: str) -> None:
        self.revision = revision
        self.message = Message(
            N_(
                "The database was written by a newer version of LAPOR! Desktop "
                "(schema {revision}). Install the newer version; the database was not changed."
            ),
            {"revision": revision},
        )
        super().__init__(self.message.render("en"))


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # Alembic loads only for a migration (0.1 s)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(database: Database) -> str | None:
    """The database's schema revision, as Alembic records it; None before the first migration."""
    with database.engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:
        raise RuntimeError(f"{VERSION_TABLE} holds {len(rows)} revisions; expected one")
    return str(rows[0][0]) if rows else None


def check_not_too_new(database: Database) -> None:
    revision = current_revision(database)
    if revision is None:
        return
    if revision not in known_revisions():
        raise DatabaseTooNew(revision)


def has_pending(database: Database) -> bool:
    """Whether opening will migrate an existing database (so a backup must come first)."""
    revision = current_revision(database)
    return revision is not None and revision != head_revision()


def upgrade(database: Database) -> None:
    """Bring the schema to this version's head, refusing a newer database.

    An up-to-date database is left alone without starting Alembic.
    """
    check_not_too_new(database)
    if current_revision(database) == head_revision():
        return
    from alembic import command  # see _config

    with database.unhurried().begin() as connection:
        command.upgrade(_config(connection), "head")
