"""The answers that open no desk: ``--version``, and the bare call that opens the window.

``--version`` must answer at once, even for a broken database, so it reads
the SQLite file directly (read-only) and the migration scripts' revision
lines, and loads neither SQLAlchemy nor Alembic nor the services.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable
from contextlib import closing

from lapor_desktop import __version__
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.storage.revisions import head_revision

from .data_folder import data_paths, uses_sqlite_file
from .output import Output

WindowOpener = Callable[[list[str]], int]
"""Opens the desk window with its own arguments and returns its exit code."""


def no_command(args: argparse.Namespace, out: Output, open_window: WindowOpener | None) -> int:
    """Started without a command, as the desktop shortcut does: open the window."""
    if open_window is None:
        from .exit_codes import UsageError  # exit_codes loads most of the core: only on failure

        raise UsageError(Message(N_("Name a command; see 'lapor-desktop --help'.")))
    argv = ["--data-dir", str(args.data_dir)] if args.data_dir else []
    return open_window(argv)


def version(args: argparse.Namespace, out: Output) -> int:
    """Version, schema revisions and data folder, reading the database only: a broken one too.

    Exits 0 (``ExitCode.OK``).
    """
    paths = data_paths(args)
    out.line(f"LAPOR! Desktop {__version__}")
    out.line(out.t(N_("Schema revision: {revision}"), revision=head_revision()))
    out.line(out.t(N_("Data folder: {path}"), path=paths.root))
    out.line(out.t(N_("Database: {database}"), database=database_name(paths)))
    if uses_sqlite_file(paths):
        out.line(database_revision(paths).render(out.language))
    return 0


def database_name(paths: DataPaths) -> str:
    """The SQLite file, or the server's URL without its password."""
    if uses_sqlite_file(paths):
        return str(paths.database)
    from sqlalchemy.engine import make_url  # only with LAPOR_DATABASE_URL: loads SQLAlchemy

    return make_url(paths.database_url()).render_as_string(hide_password=True)


def database_revision(paths: DataPaths) -> Message:
    """The schema revision of the data folder's SQLite file, read-only: never created or changed.

    A PostgreSQL server is not contacted here: ``--version`` must answer at once.
    """
    if not paths.database.is_file():
        return Message(N_("Database schema: no database yet"))
    try:
        uri = paths.database.resolve().as_uri() + "?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        return Message(N_("Database schema: cannot be read ({reason})"), {"reason": str(error)})
    head = head_revision()
    if row is None:
        return Message(N_("Database schema: none (this version expects {head})"), {"head": head})
    if row[0] == head:
        return Message(N_("Database schema: {revision} (up to date)"), {"revision": row[0]})
    return Message(
        N_("Database schema: {revision} (this version expects {head})"),
        {"revision": row[0], "head": head},
    )
