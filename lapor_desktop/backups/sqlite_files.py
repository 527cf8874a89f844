"""Looking inside a SQLite file without changing it: integrity and schema revision.

Backups and files offered for restore are opened read-only and immutable,
so checking a file never writes to it or leaves ``-wal``/``-shm`` files
beside it.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


@dataclass(frozen=True)
class FileCheck:
    """What a check found: no problems means the file is a whole SQLite database."""

    path: Path
    problems: tuple[str, ...]
    revision: str | None

    @property
    def intact(self) -> bool:
        return not self.problems


def connect_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def check_file(path: Path, *, quick: bool = False) -> FileCheck:
    """``PRAGMA integrity_check`` (or ``quick_check``) and the Alembic revision of a file."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        with closing(connect_readonly(path)) as connection:
            problems = check_lines(connection, pragma)
            revision = schema_revision(connection) if not problems else None
    except sqlite3.DatabaseError as error:
        return FileCheck(path, (str(error),), None)
    return FileCheck(path, problems, revision)


def check_lines(connection: sqlite3.Connection, pragma: str) -> tuple[str, ...]:
    rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    lines = tuple(line for (row,) in rows for line in str(row).splitlines())
    return () if lines == ("ok",) else lines


def schema_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: not a LAPOR! database
        return None
    return str(row[0]) if row else None


def is_corruption(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in CORRUPT_CODES


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename durable; Windows cannot open a folder, and needs no such step."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
