"""The grammar of ``sync``, ``sync-status`` and ``quarantine``, with the global options anywhere.

These commands live beside the sync engine, so the core's parser only names
them in its help; their options are parsed here, with the core's
:class:`~lapor_desktop.cli.parser.Parser` so that usage errors print
bilingually and exit 2 like every other command's.
"""

from __future__ import annotations

import argparse

from lapor_desktop.cli.parser import Parser
from lapor_desktop.i18n import LANGUAGES

MIN_INTERVAL = 1.0


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not MIN_INTERVAL <= value <= 86_400:
        raise argparse.ArgumentTypeError("must be a number of seconds from 1 to 86400")
    return value


def _global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument("--data-dir", metavar="DIR", default=default, help="data folder")
    parser.add_argument("--lang", choices=LANGUAGES, default=default, help="output language")
    parser.add_argument("--debug", action="store_true", default=default, help="tracebacks")
    parser.add_argument("--user", metavar="NAME", default=default, help="who signs in")


def build_parser() -> Parser:
    parser = Parser(prog="lapor-desktop", add_help=False)
    _global_options(parser, default=None)
    common = Parser(add_help=False)
    _global_options(common, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="send the queue and read national changes until done or a person must act (IT)",
    )
    sync.add_argument(
        "--watch",
        action="store_true",
        help="keep running and sync whenever the network allows; no sign-in (this computer's "
        "machine key); stops cleanly on SIGTERM or Ctrl+C",
    )
    sync.add_argument(
        "--interval",
        type=_interval,
        default=300.0,
        metavar="SECONDS",
        help="with --watch: seconds between passes while all is well (default 300)",
    )

    status = commands.add_parser(
        "sync-status", parents=[common], help="pending, quarantined, last sync, clock offset"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument(
        "--no-probe", action="store_true", help="do not ask the national service if it is reachable"
    )

    quarantine = commands.add_parser(
        "quarantine", parents=[common], help="records LAPOR! refused (supervisor)"
    )
    actions = quarantine.add_subparsers(
        dest="quarantine_command", metavar="SUBCOMMAND", required=True
    )
    listing = actions.add_parser("list", parents=[common], help="open quarantined records")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    resend = actions.add_parser("resend", parents=[common], help="queue a quarantined record again")
    resend.add_argument("key", metavar="ID", help="registration number or outbox ID")
    return parser
