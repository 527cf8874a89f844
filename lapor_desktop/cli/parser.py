"""The command-line grammar: global options, commands and their arguments.

Global options are accepted before or after the command (``lapor-desktop
list --data-dir X`` works as well as ``lapor-desktop --data-dir X list``),
and argparse's own errors come back as :class:`UsageError` so that they are
printed bilingually like every other failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import NoReturn

from lapor_desktop.domain.complaint import Classification
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import LANGUAGES, N_, Message

from .exit_codes import UsageError

TIMEZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
"""WIB (Java, Sumatra, West and Central Kalimantan), WITA, WIT."""
MAX_LIMIT = 100_000


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(Message(N_("{detail} (see 'lapor-desktop --help')."), {"detail": message}))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_LIMIT}")
    return value


def _global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="data folder (default: $LAPOR_DATA_DIR, else the platform's user data folder)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=default,
        help="language of the output (errors are always in both); default id",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="print the traceback of an unexpected error",
    )


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--status", choices=[s.value for s in Status])
    parser.add_argument("--sync-state", choices=[s.value for s in SyncState])
    parser.add_argument("--classification", choices=[c.value for c in Classification])
    parser.add_argument("--agency", metavar="CODE", help="agency code, e.g. 2104-DPUPR")
    parser.add_argument("--category", metavar="CODE", help="category code, e.g. PU-JALAN")
    parser.add_argument(
        "--from", dest="date_from", type=_date, metavar="YYYY-MM-DD", help="recorded on or after"
    )
    parser.add_argument(
        "--to", dest="date_to", type=_date, metavar="YYYY-MM-DD", help="recorded on or before"
    )
    parser.add_argument("--limit", type=_limit, default=50, help="at most N rows (default 50)")


def build_parser() -> Parser:
    parser = Parser(
        prog="lapor-desktop",
        description="LAPOR! Desktop: the offline complaint desk. Commands for IT staff and "
        "scripts; exit codes are listed in docs/cli.md.",
    )
    _global_options(parser, default=None)
    parser.add_argument(
        "--version", action="store_true", help="version, schema revision and data folder"
    )
    common = Parser(add_help=False)
    _global_options(common, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    init = commands.add_parser("init", parents=[common], help="set up this desk for an office")
    init.add_argument("--office-code", required=True, help="the office code, e.g. 2104")
    init.add_argument("--office-name", required=True, help='e.g. "Pemerintah Kabupaten Lingga"')
    init.add_argument(
        "--timezone", choices=TIMEZONES, help="the office's time zone (default Asia/Jakarta)"
    )
    init.add_argument(
        "--force", action="store_true", help="change the office code of a desk already set up"
    )

    imp = commands.add_parser(
        "import", parents=[common], help="import a register file (CSV, JSON or XLSX)"
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows only")
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.add_argument("--json", action="store_true", help="machine-readable report")
    imp.add_argument("--actor", default="import", help="name recorded in the audit log")

    listing = commands.add_parser("list", parents=[common], help="list complaints, newest first")
    _filters(listing)

    search = commands.add_parser("search", parents=[common], help="full-text search")
    search.add_argument("text", metavar="TEXT")
    _filters(search)

    show = commands.add_parser("show", parents=[common], help="one complaint with its timeline")
    show.add_argument("key", metavar="ID", help="UUID, registration number or tracking ID")
    show.add_argument("--json", action="store_true", help="machine-readable output")

    db = commands.add_parser("db", parents=[common], help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    db_commands.add_parser(
        "check", parents=[common], help="integrity, foreign keys, search index, outbox"
    )
    audit = commands.add_parser("audit", parents=[common], help="the tamper-evident audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    audit_commands.add_parser(
        "verify", parents=[common], help="check the hash chain; name the first broken entry"
    )
    return parser
