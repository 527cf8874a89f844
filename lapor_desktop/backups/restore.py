"""Putting a backup back: check it, stage a copy, keep the current database aside, swap.

The current database is never deleted: it moves, with its ``-wal`` and
``-shm`` files, to ``<data>/set-aside/``. Moving the WAL along matters: a
WAL left beside a restored file would be replayed into it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop import durable_files
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.file_modes import private_folder
from lapor_desktop.storage import migrate

from .copies import copy_database
from .sqlite_files import FileCheck, check_file, fsync_folder

log = logging.getLogger(__name__)

SET_ASIDE_FOLDER = "set-aside"
RESTORE_NOTE = "restored.json"
"""Left beside the restored database; the next opening writes it into the audit log."""
_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Restored:
    backup: Path
    set_aside: Path | None
    """Where the database that was replaced now lies (None: there was none)."""
    revision: str


class RestoreRefused(RuntimeError):
    """Nothing was changed: the file is not a whole LAPOR! database this version can use."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render("en"))


def set_aside_folder(paths: DataPaths) -> Path:
    return paths.root / SET_ASIDE_FOLDER


def check_restorable(backup: Path) -> FileCheck:
    """Integrity and schema revision of ``backup``; raises :class:`RestoreRefused` if unusable."""
    if not backup.is_file():
        raise RestoreRefused(Message(N_("There is no file at {path}."), {"path": str(backup)}))
    check = check_file(backup)
    if not check.intact:
        raise RestoreRefused(
            Message(
                N_("{path} is damaged or not a database ({problem}); nothing was changed."),
                {"path": str(backup), "problem": check.problems[0]},
            )
        )
    if check.revision is None:
        raise RestoreRefused(
            Message(
                N_("{path} is not a LAPOR! Desktop database; nothing was changed."),
                {"path": str(backup)},
            )
        )
    if check.revision not in migrate.known_revisions():
        raise RestoreRefused(
            Message(
                N_(
                    "{path} was written by a newer version of LAPOR! Desktop (schema "
                    "{revision}), or is not a LAPOR! Desktop database. Install the newer "
                    "version first; nothing was changed."
                ),
                {"path": str(backup), "revision": check.revision},
            )
        )
    return check


def restore(
    paths: DataPaths,
    backup: Path,
    *,
    now: dt.datetime,
    authorise: Callable[[Path], str | None] | None = None,
    aside_label: str = "replaced",
    by: str | None = None,
) -> Restored:
    """Replace the database with a checked copy of ``backup``; the old one is set aside.

    ``authorise`` sees the staged copy before anything is swapped (the
    command line signs in there when the current database is damaged) and
    may raise to stop, or return who signed in; the staged copy is then removed and nothing changed.
    No connection to the current database may be open. ``by`` is who restored
    (None: the start-up recovery); the restored database cannot take an audit entry
    before it is migrated, so a note is left for the next opening to audit.
    """
    check = check_restorable(backup)
    staged = paths.database.with_name(f".{paths.database.name}.{os.getpid()}.restoring")
    try:
        copy_database(backup, staged)
        if authorise is not None:
            by = authorise(staged) or by
        aside = set_aside(paths, now, aside_label)
        os.replace(staged, paths.database)
        fsync_folder(paths.root)
    finally:
        for path in (staged, *(staged.with_name(staged.name + c) for c in _COMPANIONS)):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    assert check.revision is not None
    _leave_note(paths, backup, aside, now, by, aside_label)
    log.warning("database restored from %s; previous database set aside as %s", backup.name, aside)
    return Restored(backup, aside, check.revision)


def _leave_note(
    paths: DataPaths,
    backup: Path,
    aside: Path | None,
    now: dt.datetime,
    by: str | None,
    reason: str,
) -> None:
    note = {
        "at": now.astimezone(dt.UTC).isoformat(),
        "by": by,
        "reason": reason,
        "backup": str(backup),
        "set_aside": str(aside) if aside else None,
    }
    durable_files.write_text(paths.root / RESTORE_NOTE, json.dumps(note), mode=0o600)


def set_aside(paths: DataPaths, now: dt.datetime, label: str) -> Path | None:
    """Move the database and its companion files into ``set-aside/``; never delete them."""
    if not paths.database.exists():
        return None
    folder = private_folder(set_aside_folder(paths))
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target, n = folder / f"lapor-{stamp}-{label}.sqlite3", 1
    while target.exists():
        n += 1
        target = folder / f"lapor-{stamp}-{label}-{n}.sqlite3"
    for suffix in _COMPANIONS:
        companion = paths.database.with_name(paths.database.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    os.replace(paths.database, target)
    fsync_folder(folder)
    fsync_folder(paths.root)
    return target
