"""``db backup [--to FILE]`` and ``db restore FILE``: IT staff's backups of the SQLite database.

Both need a role that may make or restore backups. A restore checks the
file first (a whole SQLite database, a LAPOR! schema this version knows),
keeps the current database aside and never deletes it. When the current
database is damaged, the person signs in against the backup instead, so a
broken file does not lock everyone out of the recovery. PostgreSQL desks
are backed up by the office's database administrator with ``pg_dump``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lapor_desktop.backups.copies import Reason, back_up, copy_database
from lapor_desktop.backups.restore import check_restorable, restore
from lapor_desktop.backups.startup import Damaged, check_database
from lapor_desktop.desk import workstation
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import permissions
from lapor_desktop.services.context import system_clock
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database

from .exit_codes import DatabaseProblem, ExitCode, UsageError
from .opening import data_paths, require_database, uses_sqlite_file
from .output import Output
from .session import sign_in_to_database

POSTGRES_REFUSED = Message(
    N_(
        "This desk keeps its data on a PostgreSQL server: its backups are the database "
        "administrator's job (pg_dump, e.g. pg_dump -Fc -f lapor.dump DATABASE). "
        "LAPOR! Desktop backs up only the SQLite file of a single PC."
    )
)


def db_backup(args: argparse.Namespace, out: Output) -> int:
    paths = _sqlite_paths(args)
    require_database(paths)
    _authorise(Database(paths.database_url()), paths, args, out)
    if args.to:
        target = Path(args.to).expanduser().resolve()
        if target.exists():
            raise UsageError(
                Message(
                    N_("There is already a file at {path}; nothing was written."),
                    {"path": str(target)},
                )
            )
        copy_database(paths.database, target)
    else:
        keep = workstation(paths).backups_kept
        target = back_up(
            paths.database, paths.backups, now=system_clock(), reason=Reason.MANUAL, keep=keep
        ).path
    out.line(
        out.t(
            N_("Backup written and checked: {path} ({size} bytes)."),
            path=target,
            size=target.stat().st_size,
        )
    )
    return ExitCode.OK


def db_restore(args: argparse.Namespace, out: Output) -> int:
    paths = _sqlite_paths(args)
    backup = Path(args.file).expanduser().resolve()
    check = check_restorable(backup)  # before any password is asked: a bad file is said at once
    by = None
    if _current_is_usable(paths):
        by = _authorise(Database(paths.database_url()), paths, args, out)
        authorise = None
    else:
        paths.ensure()

        def authorise(staged: Path) -> str:
            return _authorise(Database(f"sqlite:///{staged}"), paths, args, out)

    restored = restore(paths, backup, now=system_clock(), authorise=authorise, by=by)
    out.line(
        out.t(
            N_("Restored from {backup} (schema revision {revision})."),
            backup=backup,
            revision=check.revision,
        )
    )
    if restored.set_aside is not None:
        out.line(out.t(N_("The previous database was kept at {path}."), path=restored.set_aside))
    if restored.revision != migrate.head_revision():
        out.line(out.t(N_("It will be upgraded when the desk next opens (after a backup).")))
    return ExitCode.OK


def _sqlite_paths(args: argparse.Namespace) -> DataPaths:
    paths = data_paths(args)
    if not uses_sqlite_file(paths):
        raise DatabaseProblem(POSTGRES_REFUSED)
    return paths


def _current_is_usable(paths: DataPaths) -> bool:
    """Whether there is a current database that passes its quick check (sign in there)."""
    if not paths.database.is_file():
        return False
    return not isinstance(check_database(paths.database, paths.backups), Damaged)


def _authorise(database: Database, paths: DataPaths, args: argparse.Namespace, out: Output) -> str:
    """Who signed in, once they may manage backups."""
    try:
        me = sign_in_to_database(database, paths, args, out)
        permissions.require(me.actor, Permission.MANAGE_BACKUPS)
        return me.actor.username
    finally:
        database.dispose()
