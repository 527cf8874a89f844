"""Which data folder and database a command means, from its options and the environment.

Kept apart from :mod:`lapor_desktop.cli.opening` so that ``--version`` can
name them without loading the desk (the database layer and its services).
"""

from __future__ import annotations

import argparse
import os

from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths, resolve_data_dir


def data_paths(args: argparse.Namespace) -> DataPaths:
    return resolve_data_dir(getattr(args, "data_dir", None))


def uses_sqlite_file(paths: DataPaths) -> bool:
    return not os.environ.get(DATABASE_URL_ENV)
