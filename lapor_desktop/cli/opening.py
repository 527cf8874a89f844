"""Finding the data folder and opening the desk, without creating anything by accident.

A mistyped ``--data-dir`` must say "not initialised", not leave a fresh
empty database behind; only ``init`` creates one.
"""

from __future__ import annotations

import argparse
import os

from lapor_desktop import app
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths, resolve_data_dir
from lapor_desktop.services.office import OfficeNotInitialised


def data_paths(args: argparse.Namespace) -> DataPaths:
    return resolve_data_dir(getattr(args, "data_dir", None))


def uses_sqlite_file(paths: DataPaths) -> bool:
    return not os.environ.get(DATABASE_URL_ENV)


def require_database(paths: DataPaths) -> None:
    """Raise :class:`OfficeNotInitialised` when the SQLite file does not exist yet."""
    if uses_sqlite_file(paths) and not paths.database.is_file():
        raise OfficeNotInitialised()


def open_existing_desk(paths: DataPaths) -> app.Desk:
    require_database(paths)
    return app.open_desk(paths)
