"""Schema migrations (Alembic), run at start-up.

A database written by a newer version of the application is refused
before anything touches it: its revision is unknown to our scripts.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from lapor_desktop.i18n import N_, Message
from lapor_desktop.storage.database import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


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
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> frozenset[str]:
    """Every schema revision this version can read (and upgrade from)."""
    return frozenset(s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions())


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
    """Bring the schema to this version's head, refusing a newer database."""
    check_not_too_new(database)
    with database.engine.begin() as connection:
        command.upgrade(_config(connection), "head")
