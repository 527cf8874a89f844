"""Finding the data folder from the command's options, and opening the desk it holds.

A mistyped ``--data-dir`` must say "not initialised", not leave a fresh
empty database behind; only ``init`` creates one.
"""

from __future__ import annotations

import argparse
import os

from lapor_desktop.desk import open_existing_desk, require_database
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths, resolve_data_dir

__all__ = ["data_paths", "open_existing_desk", "require_database", "uses_sqlite_file"]


def data_paths(args: argparse.Namespace) -> DataPaths:
    return resolve_data_dir(getattr(args, "data_dir", None))


def uses_sqlite_file(paths: DataPaths) -> bool:
    return not os.environ.get(DATABASE_URL_ENV)
