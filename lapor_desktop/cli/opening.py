"""Finding the data folder from the command's options, and opening the desk it holds.

A mistyped ``--data-dir`` must say "not initialised", not leave a fresh
empty database behind; only ``init`` creates one.
"""

from __future__ import annotations

from lapor_desktop.desk import open_existing_desk, require_database

from .data_folder import data_paths, uses_sqlite_file

__all__ = ["data_paths", "open_existing_desk", "require_database", "uses_sqlite_file"]
