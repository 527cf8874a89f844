"""The start-up check: is the database whole, and if not, which backup would bring it back?

``startup_check`` runs ``PRAGMA quick_check`` before the application opens
the database. That reads every page: about a second per GB even when
cached, so on a large database the full check runs once a day (when the
daily backup, which reads every page anyway, is due) and the other starts
check only that the file and its schema can be read. A damaged database gives
a :class:`Damaged` result that the window and the command line show
plainly, with the newest backup that passes its own integrity check.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths

from .copies import Backup, backup_due, list_backups
from .restore import Restored, RestoreRefused, restore
from .sqlite_files import check_file, check_lines, is_corruption

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Healthy:
    """The database passed the quick check (or is not a SQLite file of this folder)."""


@dataclass(frozen=True)
class Damaged:
    database: Path
    problems: tuple[str, ...]
    newest_good: Backup | None
    """The newest backup that passed its integrity check; None when there is none."""

    @property
    def message(self) -> Message:
        if self.newest_good is None:
            return Message(
                N_(
                    "The database is damaged ({problem}) and there is no good backup. Do not "
                    "delete anything; ask IT staff for help. The damaged file: {path}"
                ),
                {"problem": self.problems[0], "path": str(self.database)},
            )
        return Message(
            N_(
                "The database is damaged ({problem}). The newest good backup is {backup}, "
                "taken {taken}. Restoring it keeps the damaged database aside, never deletes "
                "it; complaints saved after the backup stay in the damaged file."
            ),
            {
                "problem": self.problems[0],
                "backup": self.newest_good.path.name,
                "taken": self.newest_good.taken_at.strftime("%Y-%m-%d %H:%M UTC"),
            },
        )


Health = Healthy | Damaged


class DatabaseDamaged(RuntimeError):
    """Raised by ``lapor_desktop.desk.open_database`` so that nothing opens a damaged database."""

    def __init__(self, damaged: Damaged) -> None:
        self.damaged = damaged
        self.message = damaged.message
        super().__init__(self.message.render("en"))


def startup_check(paths: DataPaths) -> Health:
    """Quick-check this folder's SQLite database; PostgreSQL desks are the DBA's to check.

    A missing database is healthy (not set up yet). Errors that are not
    damage (locked, read-only, disk full) are raised for
    :func:`lapor_desktop.storage.problems.storage_problem` to explain.
    """
    if os.environ.get(DATABASE_URL_ENV) or not paths.database.is_file():
        return Healthy()
    return check_database(paths.database, paths.backups)


FULL_CHECK_ALWAYS_BELOW = 256 * 1024 * 1024
"""Below this size the full quick check costs a fraction of a second: every start runs it."""


def full_check_due(database: Path, backups: Path, now: dt.datetime) -> bool:
    """Whether this start reads every page, or only the file's header and schema."""
    small = database.stat().st_size < FULL_CHECK_ALWAYS_BELOW
    return small or backup_due(backups, now)


def check_database(database: Path, backups: Path, *, full: bool = True) -> Health:
    try:
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=rw", uri=True)) as c:
            if full:
                problems = check_lines(c, "quick_check")
            else:
                c.execute("SELECT count(*) FROM sqlite_master").fetchone()
                problems = ()
    except sqlite3.DatabaseError as error:
        if not is_corruption(error):
            raise
        problems = (str(error),)
    if not problems:
        return Healthy()
    log.error("database failed its quick check: %s", problems[0])
    return Damaged(database, problems, newest_good_backup(backups))


def newest_good_backup(folder: Path) -> Backup | None:
    for backup in list_backups(folder):
        if check_file(backup.path).intact:
            return backup
        log.warning("backup %s failed its integrity check; trying an older one", backup.path.name)
    return None


def restore_newest_good(paths: DataPaths, *, now: dt.datetime) -> Restored:
    """What the window offers on :class:`Damaged`: the damaged file is set aside, not deleted."""
    backup = newest_good_backup(paths.backups)
    if backup is None:
        raise RestoreRefused(
            Message(
                N_("There is no good backup in {folder}; nothing was changed."),
                {"folder": str(paths.backups)},
            )
        )
    return restore(paths, backup.path, now=now, aside_label="damaged")
