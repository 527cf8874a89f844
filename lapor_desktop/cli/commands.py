"""The everyday commands: ``init``, ``list``, ``search``, ``--version`` and the bare call."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from lapor_desktop import __version__, app
from lapor_desktop.domain.complaint import ComplaintSummary
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.services.office import check_office_code, load_office
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.search import tokens

from .exit_codes import ExitCode, UsageError
from .opening import data_paths, open_existing_desk, uses_sqlite_file
from .output import Output, local_time, shorten

OFFICE_NAME_MAX = 200
DEFAULT_TIMEZONE = "Asia/Jakarta"
_TITLE_WIDTH = 48


def no_command(out: Output) -> int:
    """Started without a command, as a desktop shortcut would: not an error, so exit 0."""
    out.line(
        Message(
            N_(
                "The LAPOR! Desktop window is not available yet; it comes in a later version. "
                "Use the commands for now: lapor-desktop --help"
            )
        ).bilingual()
    )
    return ExitCode.OK


def version(args: argparse.Namespace, out: Output) -> int:
    """Version and schema revision without opening the database: works on a broken one too."""
    paths = data_paths(args)
    if uses_sqlite_file(paths):
        database = str(paths.database)
    else:
        database = make_url(paths.database_url()).render_as_string(hide_password=True)
    out.line(f"LAPOR! Desktop {__version__}")
    out.line(out.t(N_("Schema revision: {revision}"), revision=migrate.head_revision()))
    out.line(out.t(N_("Data folder: {path}"), path=paths.root))
    out.line(out.t(N_("Database: {database}"), database=database))
    return ExitCode.OK


def init(args: argparse.Namespace, out: Output) -> int:
    """Set the desk up; again with the same code only updates the name and time zone."""
    code = args.office_code.strip().upper()
    problem = check_office_code(code)
    if problem is not None:
        raise UsageError(problem)
    name = " ".join(args.office_name.split())
    if not name or len(name) > OFFICE_NAME_MAX:
        raise UsageError(
            Message(
                N_("The office name must be 1 to {maximum} characters."),
                {"maximum": OFFICE_NAME_MAX},
            )
        )
    paths = data_paths(args)
    database = app.open_database(paths)
    try:
        existing = load_office(database)
    finally:
        database.dispose()
    if existing is not None and existing.office_code != code and not args.force:
        raise UsageError(
            Message(
                N_(
                    "This desk is already set up for office {current}. To change it to {new}, "
                    "run init again with --force (recorded complaints keep their numbers)."
                ),
                {"current": existing.office_code, "new": code},
            )
        )
    if existing is None:
        settings = OfficeSettings(code, name, timezone=args.timezone or DEFAULT_TIMEZONE)
    else:
        settings = dataclasses.replace(
            existing,
            office_code=code,
            office_name=name,
            timezone=args.timezone or existing.timezone,
        )
    app.initialise(paths, settings).close()
    out.line(
        out.t(
            N_("This desk is set up for office {code} ({name}), time zone {timezone}."),
            code=settings.office_code,
            name=settings.office_name,
            timezone=settings.timezone,
        )
    )
    if existing is not None:
        out.line(out.t(N_("It was already set up; its settings were updated.")))
    out.line(out.t(N_("Data folder: {path}"), path=paths.root))
    return ExitCode.OK


def list_complaints(args: argparse.Namespace, out: Output) -> int:
    return _find(args, out, "")


def search(args: argparse.Namespace, out: Output) -> int:
    if not tokens(args.text):
        raise UsageError(Message(N_("Give at least one word to search for.")))
    return _find(args, out, args.text)


def _find(args: argparse.Namespace, out: Output, text: str) -> int:
    desk = open_existing_desk(data_paths(args))
    try:
        timezone = desk.context.office.timezone
        query = _query(args, text, timezone)
        found = desk.lookup.find(query)
        total = desk.lookup.count(query)
    finally:
        desk.close()
    if args.json:
        out.json({"total": total, "complaints": [summary_json(s) for s in found]})
        return ExitCode.OK
    if not found:
        out.line(out.t(N_("No complaints found.")))
        return ExitCode.OK
    headers = [
        out.t(N_("Registration number")),
        out.t(N_("Recorded")),
        out.t(N_("Status")),
        out.t(N_("Sync")),
        out.t(N_("Title")),
    ]
    rows = [
        [
            s.registration_number or f"({out.t(N_('draft'))}) {s.uuid[:8]}",
            local_time(s.created_at, timezone),
            status_label(s.status, out),
            sync_label(s.sync_state, out),
            shorten(s.title, _TITLE_WIDTH),
        ]
        for s in found
    ]
    out.table(headers, rows)
    out.line(out.t(N_("{shown} of {total} complaints."), shown=len(found), total=total))
    return ExitCode.OK


def _query(args: argparse.Namespace, text: str, timezone: str) -> ComplaintQuery:
    """Dates are the office's calendar days, both ends included."""
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError(Message(N_("--from must not be after --to.")))
    zone = ZoneInfo(timezone)

    def start_of(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)

    return ComplaintQuery(
        text=text,
        status=args.status,
        sync_state=args.sync_state,
        classification=args.classification,
        agency_code=args.agency,
        category_code=args.category,
        created_from=start_of(args.date_from) if args.date_from else None,
        created_to=start_of(args.date_to + dt.timedelta(days=1)) if args.date_to else None,
        limit=args.limit,
    )


def summary_json(summary: ComplaintSummary) -> dict[str, object]:
    """A list row for scripts: no identity data exists in a summary, by design."""
    return dataclasses.asdict(summary)


def status_label(status: str, out: Output) -> str:
    try:
        return out.t(Status(status).label)
    except ValueError:
        return status


def sync_label(state: str, out: Output) -> str:
    try:
        return out.t(SyncState(state).label)
    except ValueError:
        return state
