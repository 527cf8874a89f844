"""``db backup [--to FILE]`` and ``db restore FILE``: IT staff's backups of the desk's database.

Both need a role that may make or restore backups, and both are audited. On
a SQLite desk a restore checks the file first (a whole SQLite database, a
LAPOR! schema this version knows), keeps the current database aside and
never deletes it; when the current database is damaged, the person signs in
against the backup instead, so a broken file does not lock everyone out of
the recovery. On a PostgreSQL desk a backup is a ``pg_dump -Fc`` archive and
a restore goes only into an empty database, then signs in against what it
restored (an empty database has no accounts); a refused sign-in empties it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from lapor_desktop.backups.audited import audit_backup, audit_pg_restore
from lapor_desktop.backups.copies import Reason, back_up, copy_database
from lapor_desktop.backups.pg_dump import back_up_postgres, dump_database
from lapor_desktop.backups.pg_restore import check_dump, empty_again, require_empty, restore_dump
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

from .exit_codes import ExitCode, UsageError
from .opening import data_paths, require_database, uses_sqlite_file
from .output import Output
from .session import sign_in_to_database


def db_backup(args: argparse.Namespace, out: Output) -> int:
    paths = data_paths(args)
    sqlite = uses_sqlite_file(paths)
    if sqlite:
        require_database(paths)
    url = paths.database_url()
    by = _authorise(Database(url), paths, args, out)
    now = system_clock()
    target = _chosen_target(args) if args.to else None
    keep = workstation(paths).backups_kept
    if sqlite and target is not None:
        copy_database(paths.database, target)
    elif sqlite:
        target = back_up(
            paths.database, paths.backups, now=now, reason=Reason.MANUAL, keep=keep
        ).path
    elif target is not None:
        dump_database(url, target)
    else:
        target = back_up_postgres(url, paths.backups, now=now, reason=Reason.MANUAL, keep=keep).path
    database = Database(url)
    try:
        audit_backup(database, target, by=by, station_id=_station(paths), now=now, reason="manual")
    finally:
        database.dispose()
    out.line(
        out.t(
            N_("Backup written and checked: {path} ({size} bytes)."),
            path=target,
            size=target.stat().st_size,
        )
    )
    return ExitCode.OK


def _chosen_target(args: argparse.Namespace) -> Path:
    target = Path(args.to).expanduser().resolve()
    if target.exists():
        raise UsageError(
            Message(
                N_("There is already a file at {path}; nothing was written."),
                {"path": str(target)},
            )
        )
    return target


def db_restore(args: argparse.Namespace, out: Output) -> int:
    paths = data_paths(args)
    backup = Path(args.file).expanduser().resolve()
    if not uses_sqlite_file(paths):
        return _pg_restore(paths, backup, args, out)
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


def _pg_restore(paths: DataPaths, backup: Path, args: argparse.Namespace, out: Output) -> int:
    """Into an empty PostgreSQL database only; checked, then signed in to, then audited."""
    revision = check_dump(backup)  # before any password is asked: a bad file is said at once
    url = paths.database_url()
    database = Database(url)
    try:
        require_empty(database)
        restored = restore_dump(database, backup, revision)
        try:
            by = _authorise(Database(url), paths, args, out)
        except BaseException:
            empty_again(database)
            raise
        now: dt.datetime = system_clock()
        audit_pg_restore(
            database,
            backup,
            by=by,
            station_id=_station(paths),
            now=now,
            details={"revision": revision, "complaints": restored.counts.complaints},
        )
    finally:
        database.dispose()
    counts = restored.counts
    out.line(
        out.t(
            N_("Restored from {backup} (schema revision {revision}) into the empty database."),
            backup=backup,
            revision=revision,
        )
    )
    out.line(
        out.t(
            N_(
                "Checked: schema {head}, audit log intact ({entries} entries); {complaints} "
                "complaints, {accounts} accounts."
            ),
            head=migrate.head_revision(),
            entries=counts.audit_entries,
            complaints=counts.complaints,
            accounts=counts.accounts,
        )
    )
    return ExitCode.OK


def _station(paths: DataPaths) -> str:
    return workstation(paths).station_id


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
