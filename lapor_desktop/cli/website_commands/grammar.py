"""The ``website`` command's arguments; imports no service, so ``--help`` stays fast."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

KEY_HELP = "registration number, UUID or outbox ID"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def add_website_commands(commands: argparse._SubParsersAction[Any], common: Any) -> None:
    """``website queue|start|show|record|cancel|not-sent|status|route|new-complaints``."""
    website = commands.add_parser(
        "website", parents=[common], help="the LAPOR! website lane: type complaints into LAPOR!"
    )
    actions = website.add_subparsers(dest="website_command", metavar="SUBCOMMAND", required=True)
    queue = actions.add_parser(
        "queue", parents=[common], help="complaints waiting to be typed, urgent first"
    )
    queue.add_argument("--json", action="store_true", help="machine-readable output")
    start = actions.add_parser(
        "start", parents=[common], help="take a complaint (the lease) and show what to type"
    )
    start.add_argument("key", metavar="ID", help=KEY_HELP)
    start.add_argument("--json", action="store_true", help="machine-readable output")
    show = actions.add_parser(
        "show", parents=[common], help="who is typing a complaint, since when (changes nothing)"
    )
    show.add_argument("key", metavar="ID", help=KEY_HELP)
    show.add_argument("--json", action="store_true", help="machine-readable output")
    record = actions.add_parser(
        "record", parents=[common], help="record the tracking ID that LAPOR! showed"
    )
    record.add_argument("key", metavar="ID", help=KEY_HELP)
    record.add_argument("tracking_id", metavar="TRACKING-ID", help="as pasted from LAPOR!")
    record.add_argument("--json", action="store_true", help="machine-readable output")
    for name, text in (
        ("cancel", "give the complaint back to the queue untyped"),
        ("not-sent", "after checking LAPOR!: an unfinished submission is not there"),
    ):
        action = actions.add_parser(name, parents=[common], help=text)
        action.add_argument("key", metavar="ID", help=KEY_HELP)
    status = actions.add_parser(
        "status", parents=[common], help="record a status read on LAPOR! into the timeline"
    )
    status.add_argument("key", metavar="ID", help="registration number, UUID or tracking ID")
    status.add_argument("status", metavar="STATUS", help="e.g. verified, forwarded, finished")
    status.add_argument("--date", required=True, type=_date, metavar="YYYY-MM-DD")
    status.add_argument(
        "--text", metavar="FILE", help="the agency's answer as read on LAPOR! ('-': stdin)"
    )
    route = actions.add_parser(
        "route", parents=[common], help="send one waiting complaint by the other route (supervisor)"
    )
    route.add_argument("key", metavar="ID", help="registration number, UUID or tracking ID")
    route.add_argument("route", choices=("protocol", "website"))
    route.add_argument("--reason", required=True, metavar="TEXT", help="kept in the audit log")
    new = actions.add_parser(
        "new-complaints",
        parents=[common],
        help="the route of complaints saved from now on: the API or this lane (supervisor)",
    )
    new.add_argument("route", choices=("protocol", "website"))
