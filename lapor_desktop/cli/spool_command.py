"""``workstation spool``: what this PC saved while the office database was away, merged now.

The window merges by itself every few seconds; this is for IT staff who
want to see it, or to merge with no window open (the replay needs no
sign-in: rows move as they are, identities still sealed). With the office
database still away it lists what waits and exits 5, merging nothing.
"""

from __future__ import annotations

import argparse

from lapor_desktop.desk import open_existing_desk
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.spool import SPOOL_FILE, Spool, SpooledComplaint, database_away
from lapor_desktop.services.spool_replay import ReplayReport, replay

from .exit_codes import DatabaseProblem, ExitCode, UsageError
from .opening import data_paths
from .output import Output

NOT_SHARED = N_(
    "This desk keeps its database on this PC (SQLite): it has no spool. The spool is for "
    "a PC of a shared office desk (PostgreSQL, $LAPOR_DATABASE_URL)."
)
STILL_AWAY = N_(
    "The office database still cannot be reached: nothing was merged. {count} complaints "
    "wait on this PC; they are merged when it answers (the window does so by itself)."
)


def spool(args: argparse.Namespace, out: Output) -> int:
    paths = data_paths(args).ensure()
    if paths.database_url().startswith("sqlite"):
        raise UsageError(Message(NOT_SHARED))
    try:
        desk = open_existing_desk(paths)
    except Exception as error:
        if not database_away(error):
            raise
        return _away(paths, out)
    try:
        assert desk.spool is not None  # a shared desk always has one
        report = replay(desk.spool, desk.context)
        if report.away:
            return _away(paths, out)
        _report(out, report, desk.spool.waiting())
    finally:
        desk.close()
    return ExitCode.OK


def _away(paths: DataPaths, out: Output) -> int:
    waiting = Spool(paths.root / SPOOL_FILE, None, "").waiting()
    _list(out, waiting)
    raise DatabaseProblem(Message(STILL_AWAY, {"count": len(waiting)}))


def _report(out: Output, report: ReplayReport, waiting: list[SpooledComplaint]) -> None:
    for merged in report.moved:
        out.line(
            out.t(
                N_("Merged into the office database: {number}"),
                number=merged.registration_number or merged.uuid,
            )
        )
    out.line(out.t(N_("Merged now: {count}"), count=len(report.moved)))
    _list(out, waiting)


def _list(out: Output, waiting: list[SpooledComplaint]) -> None:
    out.line(out.t(N_("Waiting on this PC: {count}"), count=len(waiting)))
    for item in waiting:
        state = (
            N_("the office database has another version that was already sent: check it")
            if item.conflict
            else N_("waiting for the office database")
        )
        out.line(f"  {item.registration_number or item.uuid}  {item.title}  ({out.t(state)})")
