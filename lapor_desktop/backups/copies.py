"""Taking backups: consistent copies of the live database, checked, named by time, rotated.

(The SQLite copies are made here; a PostgreSQL desk's dumps, named and rotated the
same way, in :mod:`lapor_desktop.backups.pg_dump`.)

SQLite's online backup API copies a consistent snapshot while the desk
keeps working. The copy is written under a temporary name, checked with
``PRAGMA integrity_check``, synced and only then renamed, so a file with a
backup's name is always a whole, checked database, readable by its owner only. Rotation keeps the
newest ``keep`` backups and removes only files named like ours.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.file_modes import create_private_file, private_folder

from .sqlite_files import check_lines, fsync_file, fsync_folder

log = logging.getLogger(__name__)

DEFAULT_KEEP = 14
DAILY = dt.timedelta(days=1)
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^lapor-(\d{8}T\d{6}Z)-([a-z-]+?)(?:-(\d+))?(\.sqlite3|\.pgdump)$")
SQLITE_SUFFIX = ".sqlite3"
PG_DUMP_SUFFIX = ".pgdump"
"""A PostgreSQL desk's backups: ``pg_dump -Fc`` archives, rotated apart from SQLite copies."""


class Reason(enum.StrEnum):
    DAILY = "daily"
    MANUAL = "manual"
    BEFORE_MIGRATION = "before-migration"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: dt.datetime
    reason: Reason

    @property
    def size(self) -> int:
        return self.path.stat().st_size


class BackupFailed(RuntimeError):
    """No backup was written; the database and the existing backups are untouched."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render("en"))


def list_backups(folder: Path, suffix: str = SQLITE_SUFFIX) -> list[Backup]:
    """Our backups of one kind (``suffix``) in ``folder``, newest first; other files are ignored."""
    found = []
    for path in folder.glob(f"lapor-*{suffix}") if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match is None or match.group(2) not in Reason._value2member_map_:
            continue
        taken = dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=dt.UTC)
        # Names tell the second; two backups of one second (a daily one at open, then a
        # manual one) are told apart by when their file was written.
        order = (taken, path.stat().st_mtime_ns, int(match.group(3) or 0))
        found.append((order, Backup(path, taken, Reason(match.group(2)))))
    found.sort(key=lambda item: item[0], reverse=True)
    return [backup for _, backup in found]


def backup_due(folder: Path, now: dt.datetime, suffix: str = SQLITE_SUFFIX) -> bool:
    """A day or more since the newest backup of this kind (or none at all)."""
    backups = list_backups(folder, suffix)
    return not backups or now - backups[0].taken_at >= DAILY


def back_up(
    source: Path, folder: Path, *, now: dt.datetime, reason: Reason, keep: int = DEFAULT_KEEP
) -> Backup:
    """A new checked backup in ``folder``, then rotation down to ``keep`` backups."""
    return take_backup(
        folder,
        now=now,
        reason=reason,
        keep=keep,
        suffix=SQLITE_SUFFIX,
        write=lambda target: copy_database(source, target),
    )


def take_backup(
    folder: Path,
    *,
    now: dt.datetime,
    reason: Reason,
    keep: int,
    suffix: str,
    write: Callable[[Path], None],
) -> Backup:
    """Name a new backup of this kind, ``write`` it (checked), then rotate this kind only."""
    private_folder(folder)
    taken = now.astimezone(dt.UTC).replace(microsecond=0)
    target = free_name(folder, taken, reason, suffix)
    write(target)
    removed = rotate(folder, keep, suffix)
    log.info(
        "backup written: %s (%d bytes); rotated out: %d",
        target.name,
        target.stat().st_size,
        len(removed),
    )
    return Backup(target, taken, reason)


def rotate(folder: Path, keep: int, suffix: str = SQLITE_SUFFIX) -> list[Path]:
    """Delete our oldest backups of this kind beyond ``keep`` (at least one is always kept)."""
    removed = [backup.path for backup in list_backups(folder, suffix)[max(keep, 1) :]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def copy_database(source: Path, target: Path) -> None:
    """Online-backup ``source`` into the new file ``target``: checked, synced, then renamed.

    Raises :class:`BackupFailed` when the copy is not whole (the source
    itself is then damaged), and lets storage errors (disk full, read-only
    folder, locked) through for :mod:`lapor_desktop.storage.problems`.
    """
    if target.exists():
        raise BackupFailed(
            Message(
                N_("There is already a file at {path}; nothing was written."), {"path": str(target)}
            )
        )
    if not source.is_file():
        raise BackupFailed(Message(N_("There is no database at {path}."), {"path": str(source)}))
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        create_private_file(partial)  # the copy, and its journal, owner-only from the start
        source_uri = f"{source.resolve().as_uri()}?mode=rw"
        with (
            closing(sqlite3.connect(source_uri, uri=True)) as src,
            closing(sqlite3.connect(partial)) as copy,
        ):
            src.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = check_lines(copy, "integrity_check")
        if problems:
            raise BackupFailed(
                Message(
                    N_(
                        "The backup copy failed its integrity check, so the database itself "
                        "is damaged: {problem}. The existing backups were kept."
                    ),
                    {"problem": problems[0]},
                )
            )
        fsync_file(partial)
        os.replace(partial, target)
        fsync_folder(target.parent)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def free_name(
    folder: Path, taken: dt.datetime, reason: Reason, suffix: str = SQLITE_SUFFIX
) -> Path:
    """A backup name of ``folder`` not yet taken: ``lapor-<UTC time>-<reason>[-n]<suffix>``."""
    stem = f"lapor-{taken.strftime(_STAMP)}-{reason.value}"
    candidate, n = folder / f"{stem}{suffix}", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate
