"""Backups of a PostgreSQL desk: ``pg_dump -Fc`` archives, checked, named by time, rotated.

``pg_dump`` reads the whole database in one repeatable-read transaction, so
the archive is a consistent snapshot while every workstation keeps saving.
It holds the rows as they are stored: sealed identities stay sealed (the
data key is not in the database in the clear). Like the SQLite copies, the
archive is written under a temporary owner-only name, checked (``pg_restore
--list`` reads its whole table of contents), synced, and only then renamed;
rotation keeps the newest ``keep`` archives of this folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.file_modes import create_private_file

from .copies import PG_DUMP_SUFFIX, Backup, BackupFailed, Reason, take_backup
from .pg_tools import connection, last_error, run_tool
from .sqlite_files import fsync_file, fsync_folder

ARCHIVE_MAGIC = b"PGDMP"
"""The first bytes of a ``pg_dump`` custom-format archive."""
_SCHEMA_TABLE = "alembic_version"


def back_up_postgres(
    url: str, folder: Path, *, now: dt.datetime, reason: Reason, keep: int
) -> Backup:
    """A new checked dump in ``folder``, then rotation down to ``keep`` dumps."""
    return take_backup(
        folder,
        now=now,
        reason=reason,
        keep=keep,
        suffix=PG_DUMP_SUFFIX,
        write=lambda target: dump_database(url, target),
    )


def dump_database(url: str, target: Path) -> None:
    """``pg_dump -Fc`` the database of ``url`` into the new file ``target`` (mode 0600).

    Raises :class:`BackupFailed` when the dump or its check fails (nothing
    is then left under ``target``'s name) and
    :class:`lapor_desktop.backups.pg_tools.ToolMissing` without ``pg_dump``.
    """
    if target.exists():
        raise BackupFailed(
            Message(
                N_("There is already a file at {path}; nothing was written."), {"path": str(target)}
            )
        )
    conninfo, env = connection(url)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        create_private_file(partial)  # pg_dump truncates it and keeps its owner-only mode
        done = run_tool(
            "pg_dump", ["--format=custom", "--no-password", f"--file={partial}", conninfo], env=env
        )
        if done.returncode != 0:
            raise BackupFailed(
                Message(
                    N_("pg_dump could not dump the database ({problem}); nothing was written."),
                    {"problem": last_error(done)},
                )
            )
        problem = archive_problem(partial)
        if problem is not None:
            raise BackupFailed(
                Message(
                    N_("The dump failed its check ({problem}); nothing was written."),
                    {"problem": problem},
                )
            )
        fsync_file(partial)
        os.replace(partial, target)
        fsync_folder(target.parent)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def archive_problem(path: Path) -> str | None:
    """Why ``path`` is not a whole LAPOR! dump (None: ``pg_restore`` reads all of its contents)."""
    with path.open("rb") as handle:
        if handle.read(len(ARCHIVE_MAGIC)) != ARCHIVE_MAGIC:
            return "not a pg_dump custom-format archive"
    listed = run_tool("pg_restore", ["--list", path])
    if listed.returncode != 0:
        return last_error(listed)
    if f"TABLE DATA public {_SCHEMA_TABLE} ".encode() not in listed.stdout:
        return "no LAPOR! Desktop schema in it"
    return None


def archive_revision(path: Path) -> str | None:
    """The schema revision a dump holds, read from the archive without restoring it."""
    shown = run_tool("pg_restore", ["--data-only", f"--table={_SCHEMA_TABLE}", "--file=-", path])
    if shown.returncode != 0:
        return None
    lines = shown.stdout.decode("utf-8", "replace").splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and _SCHEMA_TABLE in line and n + 1 < len(lines):
            value = lines[n + 1].strip()
            return None if value == "\\." else value
    return None
