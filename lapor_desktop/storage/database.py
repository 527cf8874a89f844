"""Connecting to the store: SQLite (one PC) or PostgreSQL (an office of several PCs).

SQLite runs in WAL mode with ``synchronous=FULL`` (a saved complaint
survives a power cut), foreign keys on, a busy timeout, and ``BEGIN
IMMEDIATE`` for every write so that two writers queue instead of failing
half-way. A new database file is created owner-only (0600) before SQLite
opens it. Writes and reads go through :meth:`Database.write` and
:meth:`Database.read`; a session never crosses threads.

PostgreSQL connections get the timeouts of :mod:`lapor_desktop.storage.pg_connect`,
so a server that stops answering becomes a clear error within seconds;
:meth:`Database.unhurried` is for the statements that may run long (migrations).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from lapor_desktop.security.file_modes import create_private_file
from lapor_desktop.storage.pg_connect import UNHURRIED, PgTimeouts, install

BUSY_TIMEOUT_MS = 10_000


class Database:
    """An engine and its session factory, with the project's transaction rules."""

    def __init__(self, url: str, *, echo: bool = False, timeouts: PgTimeouts | None = None) -> None:
        self.url = url
        self.timeouts = timeouts or PgTimeouts()
        self.engine = create_database_engine(url, echo=echo, timeouts=self.timeouts)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One all-or-nothing write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with self._sessions() as session:
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot; anything written is rolled back."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def unhurried(self) -> Engine:
        """The engine for statements that may run long: no statement timeout or answer deadline.

        Each transaction begun on it lifts both (``SET LOCAL``), and only for
        itself; the keepalives still notice a dead link. SQLite has no such limit.
        """
        return self.engine.execution_options(**{UNHURRIED: True})

    def dispose(self) -> None:
        self.engine.dispose()


def create_database_engine(
    url: str, *, echo: bool = False, timeouts: PgTimeouts | None = None
) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine, _private_file(url))
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, echo=echo, pool_pre_ping=True)
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        install(engine, timeouts or PgTimeouts(), dict(make_url(url).query))
    return engine


def _private_file(url: str) -> Path | None:
    """The SQLite file to create 0600 before SQLite creates it; None for memory or URIs."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _configure_sqlite(engine: Engine, private_file: Path | None) -> None:
    """Apply the pragmas on every new connection and take over BEGIN from pysqlite.

    pysqlite's own transaction handling issues BEGIN late and never
    IMMEDIATE; SQLAlchemy's documented recipe turns it off and emits BEGIN
    itself, which is what lets writers take the lock up front.
    """

    @event.listens_for(engine, "do_connect")
    def _before_connect(*_args: Any) -> None:
        # SQLite would create a missing file with 0644 less the umask; WAL and SHM follow it.
        if private_file is not None and private_file.parent.is_dir():
            create_private_file(private_file)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
