"""The everyday commands: ``list`` and ``search``."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from lapor_desktop.domain.complaint import ComplaintSummary
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.lookup import PAGE_SIZE, ComplaintQuery
from lapor_desktop.storage.search import tokens

from .exit_codes import ExitCode, UsageError
from .output import Output, local_time, shorten
from .session import signed_in_desk

_TITLE_WIDTH = 48


def list_complaints(args: argparse.Namespace, out: Output) -> int:
    return _find(args, out, "")


def search(args: argparse.Namespace, out: Output) -> int:
    if not tokens(args.text):
        raise UsageError(Message(N_("Give at least one word to search for.")))
    return _find(args, out, args.text)


def _find(args: argparse.Namespace, out: Output, text: str) -> int:
    with signed_in_desk(args, out) as (desk, me):
        timezone = desk.context.office.timezone
        query = complaint_query(args, text, timezone)
        found = desk.lookup.find(query, actor=me.actor)
        total = desk.lookup.count(query, actor=me.actor)
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
    draft = out.t(N_("draft"))
    rows = [
        [
            s.registration_number or f"({draft}) {s.uuid[:8]}",
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


def complaint_query(args: argparse.Namespace, text: str, timezone: str) -> ComplaintQuery:
    """The filters given on the command line; dates are the office's days, both ends included."""
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
        limit=getattr(args, "limit", None) or PAGE_SIZE,
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
