"""``db check``: is the database whole, and is every queued complaint really on its way?

(:func:`db_command` also dispatches ``db backup`` and ``db restore``,
:mod:`lapor_desktop.cli.backup_command`.)

Runs without migrating and changes nothing but the record of the sign-in
(the FTS5 check is an INSERT that changes nothing), so it can be pointed at
a suspicious copy safely. Any signed-in role may run it: it shows no
identity data.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.office import OfficeNotInitialised, load_office
from lapor_desktop.services.orphan_files import find_orphans
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.storage import migrate, search
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Complaint, OutboxEntry

from .backup_command import db_backup, db_restore
from .exit_codes import DatabaseProblem, ExitCode
from .opening import data_paths, require_database
from .output import Output
from .session import sign_in_to_database

_SHOWN = 10


@dataclass(frozen=True)
class Check:
    name: str
    """An English msgid."""
    problems: tuple[str, ...]
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def db_command(args: argparse.Namespace, out: Output) -> int:
    actions = {"check": db_check, "backup": db_backup, "restore": db_restore}
    return actions[args.db_command](args, out)


def db_check(args: argparse.Namespace, out: Output) -> int:
    paths = data_paths(args)
    require_database(paths)
    database = Database(paths.database_url())
    try:
        if migrate.current_revision(database) is None:
            raise OfficeNotInitialised()
        migrate.check_not_too_new(database)
        sign_in_to_database(database, paths, args, out)
        checks = run_checks(database)
        checks.append(leftover_files(database, paths.attachments))
        office = load_office(database) if all(c.ok for c in checks) else None
    finally:
        database.dispose()
    for check in checks:
        state = out.t(N_("ok")) if check.ok else out.t(N_("PROBLEM"))
        note = f" ({check.note})" if check.note else ""
        out.line(f"{state:8} {out.t(check.name)}{note}")
        for problem in check.problems[:_SHOWN]:
            out.line(f"         {problem}")
        if len(check.problems) > _SHOWN:
            out.line(f"         … (+{len(check.problems) - _SHOWN})")
    if not all(c.ok for c in checks):
        raise DatabaseProblem(
            Message(N_("The database check found problems; restore the latest backup."))
        )
    if office is None:
        raise OfficeNotInitialised()
    return ExitCode.OK


def run_checks(database: Database) -> list[Check]:
    """Every check, each on its own so one failure does not hide the others."""
    revision = migrate.current_revision(database)  # also proves the database opens
    if revision is None:
        raise OfficeNotInitialised()
    migrate.check_not_too_new(database)
    checks = [_revision(revision)]
    steps: list[tuple[str, Callable[[Session], list[str]]]] = []
    if database.is_sqlite:
        steps += [
            (N_("SQLite integrity check"), _integrity),
            (N_("Foreign keys"), _foreign_keys),
        ]
    steps.append((N_("Every queued complaint has an outbox entry"), _queued_without_outbox))
    steps.append((N_("Every complaint is in the search word index"), _not_in_word_index))
    for name, step in steps:
        try:
            with database.read() as session:
                checks.append(Check(name, tuple(step(session))))
        except sa_exc.DBAPIError as error:
            checks.append(Check(name, (_detail(error),)))
    if database.is_sqlite:
        checks.append(_fulltext(database))
    return checks


def leftover_files(database: Database, attachments: Path) -> Check:
    """Counted, not a problem: the next start of the desk removes them (``orphan_files``)."""
    try:
        found = find_orphans(database, attachments, now=dt.datetime.now(dt.UTC))
    except sa_exc.DBAPIError as error:
        return Check(LEFTOVERS, (_detail(error),))
    return Check(LEFTOVERS, (), f"{len(found.partial)} / {len(found.unreferenced)}")


LEFTOVERS = N_("Leftover files, partial / without a complaint (removed at the next start)")


def _revision(revision: str) -> Check:
    """Older than this version is fine (the next start upgrades it); newer was refused above."""
    head = migrate.head_revision()
    return Check(
        N_("Schema revision"), (), revision if revision == head else f"{revision} < {head}"
    )


def _integrity(session: Session) -> list[str]:
    rows = session.execute(text("PRAGMA integrity_check")).scalars()
    lines = [line for row in rows for line in str(row).splitlines()]
    return [] if lines == ["ok"] else lines


def _foreign_keys(session: Session) -> list[str]:
    return [
        f"{table} rowid={rowid} -> {parent}"
        for table, rowid, parent, _ in session.execute(text("PRAGMA foreign_key_check"))
    ]


def _queued_without_outbox(session: Session) -> list[str]:
    waiting = exists().where(
        OutboxEntry.complaint_id == Complaint.id,
        OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
        OutboxEntry.state != OutboxState.DONE.value,
    )
    missing = session.execute(
        select(Complaint.registration_number, Complaint.uuid).where(
            Complaint.status == Status.QUEUED.value, ~waiting
        )
    )
    return [number or uuid for number, uuid in missing]


def _not_in_word_index(session: Session) -> list[str]:
    missing = search.unindexed_count(session)
    return [f"{missing} complaints are not in it"] if missing else []


def _fulltext(database: Database) -> Check:
    name = N_("Search index (FTS5)")
    try:
        with database.write() as session:
            session.execute(
                text("INSERT INTO complaints_fts(complaints_fts) VALUES('integrity-check')")
            )
    except sa_exc.DBAPIError as error:
        return Check(name, (_detail(error),))
    return Check(name, ())


def _detail(error: sa_exc.DBAPIError) -> str:
    return " ".join(str(error.orig).split())[:300]
