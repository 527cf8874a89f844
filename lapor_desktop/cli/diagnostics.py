"""The command line's log file and crash reports, in the data folder when there is one.

Nothing is created for a data folder that does not exist: a mistyped
``--data-dir`` must not leave folders behind.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lapor_desktop.crash import where_message, write_crash_report
from lapor_desktop.paths import DataPaths
from sync import desk_logging

from .opening import data_paths
from .output import Output


def start_logging(args: argparse.Namespace) -> Path | None:
    """Log to ``<data>/logs``; returns the data folder, or None when it does not exist."""
    paths = data_paths(args)
    if not paths.root.is_dir():
        return None
    desk_logging.start_logging(paths)
    return paths.root


def report_crash(folder: Path | None, error: BaseException, out: Output) -> None:
    """Write a crash report for an unexpected error and say where it is."""
    if folder is None:
        return
    try:
        report = write_crash_report(DataPaths(folder), error)
    except OSError:
        return
    out.error(where_message(report))
