"""Putting a PostgreSQL dump back: only into an empty database, then checking what came back.

A restore never overwrites an office's data: the target database must hold
no table, sequence or view (IT staff create a new, empty one). The dump is
checked before anything is written (a whole archive, a LAPOR! schema this
version knows), restored by ``pg_restore`` in one transaction (a failure
leaves the database empty), and afterwards the schema revision and the
audit chain are checked and the rows counted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, Complaint, User

from .pg_dump import archive_problem, archive_revision
from .pg_tools import connection, last_error, run_tool
from .restore import RestoreRefused

log = logging.getLogger(__name__)

_OBJECTS = text(
    "SELECT c.relkind, n.nspname, c.relname FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
)
"""Tables, views and sequences of the database's own schemas (not the system's, not extensions')."""
_TYPES = text(
    "SELECT n.nspname, t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
    " WHERE t.typtype IN ('e', 'd')"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')"
)
_FUNCTIONS = text(
    "SELECT p.oid::regprocedure::text FROM pg_proc p"
    " JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
)


@dataclass(frozen=True)
class Counts:
    """What the restored database holds, printed for IT staff to compare with the office's."""

    complaints: int
    accounts: int
    audit_entries: int


@dataclass(frozen=True)
class PgRestored:
    backup: Path
    revision: str
    """The revision the dump held; the database is at the app's head after the restore."""
    counts: Counts


def check_dump(path: Path) -> str:
    """The schema revision of the dump at ``path``; raises :class:`RestoreRefused` if unusable."""
    if not path.is_file():
        raise RestoreRefused(Message(N_("There is no file at {path}."), {"path": str(path)}))
    problem = archive_problem(path)
    revision = archive_revision(path) if problem is None else None
    if problem is not None or revision is None:
        raise RestoreRefused(
            Message(
                N_(
                    "{path} is not a LAPOR! Desktop PostgreSQL dump ({problem}); nothing was "
                    "changed."
                ),
                {"path": str(path), "problem": problem or "no schema revision in it"},
            )
        )
    if revision not in migrate.known_revisions():
        raise RestoreRefused(
            Message(
                N_(
                    "{path} was written by a newer version of LAPOR! Desktop (schema "
                    "{revision}), or is not a LAPOR! Desktop database. Install the newer "
                    "version first; nothing was changed."
                ),
                {"path": str(path), "revision": revision},
            )
        )
    return revision


def require_empty(database: Database) -> None:
    """Refuse a target database that holds anything: a restore never overwrites an office."""
    with database.engine.connect() as connection_:
        found = connection_.execute(_OBJECTS).all()
    if found:
        raise RestoreRefused(
            Message(
                N_(
                    "The database {database} is not empty (it holds {count} tables, sequences or "
                    "views, e.g. {example}). A dump is restored only into an EMPTY database: "
                    "create a new one (createdb) and point LAPOR_DATABASE_URL at it; nothing "
                    "was changed."
                ),
                {
                    "database": database.engine.url.database or "?",
                    "count": len(found),
                    "example": f"{found[0][1]}.{found[0][2]}",
                },
            )
        )


def restore_dump(database: Database, path: Path, revision: str) -> PgRestored:
    """``pg_restore`` into the (checked empty) database, upgrade it to head, and check it.

    The chain is verified before anything new is appended; a broken chain,
    or any failure after ``pg_restore``, empties the database again.
    """
    conninfo, env = connection(database.url)
    done = run_tool(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={conninfo}",
            path,
        ],
        env=env,
    )
    if done.returncode != 0:
        raise RestoreRefused(
            Message(
                N_("pg_restore could not restore {path} ({problem}); the database was left empty."),
                {"path": str(path), "problem": last_error(done)},
            )
        )
    try:
        if revision != migrate.head_revision():
            migrate.upgrade(database)
        counts = _check(database, path)
    except BaseException:
        empty_again(database)
        raise
    log.warning("PostgreSQL dump %s restored (schema %s)", path.name, revision)
    return PgRestored(path, revision, counts)


def _check(database: Database, path: Path) -> Counts:
    current = migrate.current_revision(database)
    if current != migrate.head_revision():
        raise RestoreRefused(
            Message(
                N_(
                    "After the restore the schema is {revision}, not {head}; the database was "
                    "emptied again."
                ),
                {"revision": current or "?", "head": migrate.head_revision()},
            )
        )
    report = audit.verify(database)
    if not report.intact:
        raise RestoreRefused(
            Message(
                N_(
                    "The audit log in {path} is broken at entry {entry}: {reason} The database "
                    "was emptied again; keep the dump and ask IT staff to examine it."
                ),
                {"path": str(path), "entry": report.first_broken_id, "reason": report.reason or ""},
            )
        )
    with database.read() as session:
        return Counts(
            complaints=session.scalar(select(func.count()).select_from(Complaint)) or 0,
            accounts=session.scalar(select(func.count()).select_from(User)) or 0,
            audit_entries=session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def empty_again(database: Database) -> None:
    """Drop what a restore created, back to the empty database it found (nothing else was there)."""
    with database.engine.begin() as connection_:
        kinds = {"v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE", "f": "FOREIGN TABLE"}
        for kind, schema, name in connection_.execute(_OBJECTS).all():
            what = kinds.get(kind, "TABLE")
            connection_.execute(text(f'DROP {what} IF EXISTS "{schema}"."{name}" CASCADE'))
        for (signature,) in connection_.execute(_FUNCTIONS).all():
            connection_.execute(text(f"DROP FUNCTION IF EXISTS {signature} CASCADE"))
        for schema, name in connection_.execute(_TYPES).all():
            connection_.execute(text(f'DROP TYPE IF EXISTS "{schema}"."{name}" CASCADE'))
    log.warning("restored database emptied again")
