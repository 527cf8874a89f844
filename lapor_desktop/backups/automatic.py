"""The automatic backups taken when the desk opens: before every migration, and once a day.

A migration never runs without a fresh backup: if that backup fails, the
database is not opened. A failed daily backup only goes to the log, so a
full backup disk does not stop the desk from taking complaints.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database

from .copies import Backup, BackupFailed, Reason, back_up, backup_due

log = logging.getLogger(__name__)


def back_up_on_open(
    database: Database, source: Path, folder: Path, *, now: dt.datetime, keep: int
) -> Backup | None:
    """Call before ``migrate.upgrade``: a pre-migration backup, else the daily one if due."""
    if migrate.current_revision(database) is None:
        return None  # a new, empty database: nothing to keep yet
    migrate.check_not_too_new(database)
    if migrate.has_pending(database):
        return back_up(source, folder, now=now, reason=Reason.BEFORE_MIGRATION, keep=keep)
    if not backup_due(folder, now):
        return None
    try:
        return back_up(source, folder, now=now, reason=Reason.DAILY, keep=keep)
    except (BackupFailed, OSError, sqlite3.Error) as error:
        log.warning("daily backup failed: %s", error)
        return None
