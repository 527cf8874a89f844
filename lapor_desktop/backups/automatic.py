"""The automatic backups taken when the desk opens: before every migration, and once a day.

A migration never runs without a fresh backup: if that backup fails, the
database is not opened. A failed daily backup only goes to the log, so a
full backup disk (or a workstation without ``pg_dump``) does not stop the
desk from taking complaints. A SQLite desk copies its file; a PostgreSQL
desk (``source`` None) dumps the office database into this workstation's
backups folder.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database

from .copies import PG_DUMP_SUFFIX, SQLITE_SUFFIX, Backup, BackupFailed, Reason, back_up, backup_due
from .pg_dump import back_up_postgres

log = logging.getLogger(__name__)


def back_up_on_open(
    database: Database, source: Path | None, folder: Path, *, now: dt.datetime, keep: int
) -> Backup | None:
    """Call before ``migrate.upgrade``: a pre-migration backup, else the daily one if due."""
    if source is None and database.is_sqlite:
        return None  # an in-memory database: nothing to keep
    if migrate.current_revision(database) is None:
        return None  # a new, empty database: nothing to keep yet
    migrate.check_not_too_new(database)

    def take(reason: Reason) -> Backup:
        if source is None:
            return back_up_postgres(database.url, folder, now=now, reason=reason, keep=keep)
        return back_up(source, folder, now=now, reason=reason, keep=keep)

    if migrate.has_pending(database):
        return take(Reason.BEFORE_MIGRATION)
    if not backup_due(folder, now, SQLITE_SUFFIX if source is not None else PG_DUMP_SUFFIX):
        return None
    try:
        return take(Reason.DAILY)
    except (BackupFailed, OSError, sqlite3.Error) as error:
        log.warning("daily backup failed: %s", error)
        return None
