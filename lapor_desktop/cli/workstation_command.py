"""``workstation join``: add this PC to an office's shared PostgreSQL desk.

Everything is checked before anything is written (see
:mod:`lapor_desktop.services.workstations`): shared database, reachable,
set up, same schema, same office. Then this PC gets a station id no other PC
has used, a person allowed to change settings (supervisor or IT) signs in,
and the data key is kept for this PC's machine key, so that the window opens
identities here after the operator's usual sign-in. The join is audited.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import ClassVar

from lapor_desktop.desk import open_existing_desk
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_
from lapor_desktop.services import audit, permissions
from lapor_desktop.services.office import check_office_code
from lapor_desktop.services.workstations import (
    JOINED_ACTION,
    Joinable,
    JoinProblem,
    JoinRefused,
    check_join,
)
from lapor_desktop.settings import WorkstationSettings
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.pg_connect import DEFAULT_TIMEOUT_SECONDS, PgTimeouts

from .exit_codes import CliError, DatabaseProblem, ExitCode, UsageError
from .opening import data_paths
from .output import Output
from .session import identify


class NotSetUp(CliError):
    exit_code: ClassVar[ExitCode] = ExitCode.NOT_INITIALISED


_REFUSALS: dict[JoinProblem, type[CliError]] = {
    JoinProblem.NOT_SHARED: UsageError,
    JoinProblem.NOT_SET_UP: NotSetUp,
    JoinProblem.OTHER_OFFICE: UsageError,
    JoinProblem.OLDER_SCHEMA: DatabaseProblem,
    JoinProblem.NEWER_SCHEMA: DatabaseProblem,
}


def workstation(args: argparse.Namespace, out: Output) -> int:
    if args.workstation_command == "spool":
        from .spool_command import spool

        return spool(args, out)
    code = args.office_code.strip().upper()
    problem = check_office_code(code)
    if problem is not None:
        raise UsageError(problem)
    paths = data_paths(args).ensure()
    found = _check(paths.database_url(), paths.workstation_settings, code)
    if isinstance(found, JoinRefused):
        raise _REFUSALS[found.problem](found.message)
    desk = open_existing_desk(paths)
    try:
        me = identify(desk, args, out)
        permissions.require(me.actor, Permission.CHANGE_SETTINGS)
        already = desk.context.vault is not None
        desk.unlock(me)
        station = desk.context.station.station_id
        with desk.database.write() as session:
            audit.record(
                session,
                at=desk.context.now(),
                actor=me.actor.username,
                station_id=station,
                action=JOINED_ACTION,
                entity_type="workstation",
                entity_id=station,
                details={"server": found.server, "revision": found.revision, "again": already},
            )
    finally:
        desk.close()
    _report(out, found, station, already)
    return ExitCode.OK


def _check(url: str, settings_file: Path, code: str) -> Joinable | JoinRefused:
    settings = WorkstationSettings.load(settings_file)
    seconds = settings.database_timeout_seconds if settings else DEFAULT_TIMEOUT_SECONDS
    database = Database(url, timeouts=PgTimeouts(seconds))
    try:
        return check_join(database, code)
    finally:
        database.dispose()


def _report(out: Output, found: Joinable, station: str, already: bool) -> None:
    office = found.office
    out.line(out.t(N_("Office database: {server} (answers)"), server=found.server))
    out.line(
        out.t(
            N_("Office: {code} {name} (matches)"), code=office.office_code, name=office.office_name
        )
    )
    out.line(out.t(N_("Schema: {revision} (same as this program)"), revision=found.revision))
    out.line(out.t(N_("This PC's station id: {station}"), station=station))
    if already:
        out.line(out.t(N_("This PC had already joined; its machine key was kept as it was.")))
    else:
        out.line(out.t(N_("This PC's machine key now opens the office's identities.")))
    out.line(
        out.t(
            N_(
                "Done: this PC is a workstation of the office. Start LAPOR! Desktop here "
                "and sign in as usual."
            )
        )
    )
