"""The command-line grammar: global options, commands and their arguments.

Global options are accepted before or after the command (``lapor-desktop
list --data-dir X`` works as well as ``lapor-desktop --data-dir X list``),
and argparse's own errors come back as :class:`UsageError` so that they are
printed bilingually like every other failure. Building it imports only the
domain's enums (for the choices), never a service: ``--version`` and
``--help`` answer without loading the database layer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import NoReturn

from lapor_desktop.domain.complaint import Classification
from lapor_desktop.domain.roles import Role
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import LANGUAGES, N_, Message

TIMEZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
"""WIB (Java, Sumatra, West and Central Kalimantan), WITA, WIT."""
MAX_LIMIT = 100_000


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        from .exit_codes import UsageError  # exit_codes loads most of the core: only on failure

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
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help="who signs in (default: $LAPOR_USER, else asked); the password comes from "
        "$LAPOR_PASSWORD or is asked",
    )


def _filters(parser: argparse.ArgumentParser, *, listing: bool = True) -> None:
    if listing:
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
    if listing:
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
    init.add_argument(
        "--supervisor",
        metavar="USERNAME",
        help="the first account, a supervisor (required on a new desk); password from "
        "$LAPOR_PASSWORD or asked twice",
    )
    init.add_argument("--supervisor-name", metavar="NAME", help="the supervisor's full name")
    _national_options(init)

    imp = commands.add_parser(
        "import", parents=[common], help="import a register file (CSV, JSON or XLSX)"
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows only")
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.add_argument("--json", action="store_true", help="machine-readable report")

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
    backup = db_commands.add_parser(
        "backup",
        parents=[common],
        help="a checked backup (SQLite copy or pg_dump archive) into <data>/backups (IT)",
    )
    backup.add_argument("--to", metavar="FILE", help="write the backup to FILE instead")
    restore = db_commands.add_parser(
        "restore",
        parents=[common],
        help="put a backup back; the current database is kept aside, never deleted (IT); "
        "PostgreSQL: into an empty database only",
    )
    restore.add_argument("file", metavar="FILE")
    commands.add_parser(
        "demo",
        add_help=False,
        help="training mode: a throwaway desk with sample complaints and an in-process "
        "reference server, in the window marked as training",
    )
    commands.add_parser(
        "reference-server",
        add_help=False,
        help="run the reference national LAPOR! server (tests, training); must come first, "
        "its options follow it: lapor-desktop reference-server --help",
    )
    for name, text in (
        ("sync", "send the queue to LAPOR! until done or a person must act; --watch keeps going"),
        ("sync-status", "pending, quarantined, last sync, clock offset, server reachable"),
        ("quarantine", "list or resend records LAPOR! refused (supervisor)"),
    ):
        # Parsed by their own command line (cli.sync_commands): see 'lapor-desktop NAME -h'.
        commands.add_parser(name, add_help=False, help=text)

    audit = commands.add_parser("audit", parents=[common], help="the tamper-evident audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    audit_commands.add_parser(
        "verify", parents=[common], help="check the hash chain; name the first broken entry"
    )
    _account_commands(commands, common)
    _privacy_commands(commands, common)
    _website_commands(commands, common)
    _recap_command(commands, common)
    _bundle_command(commands, common)
    _workstation_command(commands, common)
    return parser


def _workstation_command(commands: argparse._SubParsersAction[Parser], common: Parser) -> None:
    station = commands.add_parser(
        "workstation", parents=[common], help="this PC in a shared office desk (PostgreSQL)"
    )
    actions = station.add_subparsers(
        dest="workstation_command", metavar="SUBCOMMAND", required=True
    )
    join = actions.add_parser(
        "join",
        parents=[common],
        help="add this PC to the office's shared database ($LAPOR_DATABASE_URL): it checks "
        "first, then a supervisor or IT signs in",
    )
    join.add_argument("--office-code", required=True, help="the office this PC belongs to")
    actions.add_parser(
        "spool",
        parents=[common],
        help="what this PC saved while the office database was away; merge it now if it answers",
    )


def _bundle_command(commands: argparse._SubParsersAction[Parser], common: Parser) -> None:
    from .bundle_grammar import add_bundle_parser

    add_bundle_parser(commands, common)


def _recap_command(commands: argparse._SubParsersAction[Parser], common: Parser) -> None:
    from .recap_command import add_recap_parser

    add_recap_parser(commands, common)


def _website_commands(commands: argparse._SubParsersAction[Parser], common: Parser) -> None:
    """``website ...`` (issue 13): the LAPOR! website lane, its grammar in its own package."""
    from .website_commands.grammar import add_website_commands

    add_website_commands(commands, common)


def _national_options(init: argparse.ArgumentParser) -> None:
    """Where ``init`` connects the desk; the token never on the command line (``ps`` shows it)."""
    init.add_argument(
        "--server-url", metavar="URL", help="the national LAPOR! service, https://..."
    )
    init.add_argument(
        "--public-key",
        action="append",
        default=[],
        metavar="KEY",
        help="the service's receipt key, base64 (repeat during a key rotation)",
    )
    init.add_argument(
        "--public-key-file",
        action="append",
        default=[],
        metavar="FILE",
        help="the service's receipt key from a file, base64 or PEM",
    )
    init.add_argument(
        "--pinned-ca-file",
        metavar="FILE",
        help="trust this CA bundle instead of the system's, for the national service only",
    )
    init.add_argument(
        "--device-token-file",
        metavar="FILE",
        help="this workstation's device token, read from FILE ('-': standard input)",
    )
    init.add_argument(
        "--training-only",
        action="store_true",
        help="a practice desk for now: marked PELATIHAN everywhere, never talks to the real "
        "service (a --server-url must be on this computer)",
    )


def _account_commands(commands: argparse._SubParsersAction[Parser], common: Parser) -> None:
    user = commands.add_parser("user", parents=[common], help="user accounts")
    actions = user.add_subparsers(dest="user_command", metavar="SUBCOMMAND", required=True)
    add = actions.add_parser(
        "add", parents=[common], help="new account (supervisor); initial password asked twice"
    )
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", metavar="NAME", help="the person's full name")
    actions.add_parser(
        "passwd", parents=[common], help="change your own password (also the initial one)"
    )
    listing = actions.add_parser("list", parents=[common], help="every account (supervisor)")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    disable = actions.add_parser("disable", parents=[common], help="stop an account signing in")
    disable.add_argument("username", metavar="USERNAME")
    reset = actions.add_parser(
        "reset", parents=[common], help="new initial password for an account (supervisor)"
    )
    reset.add_argument("username", metavar="USERNAME")


def _privacy_commands(commands: argparse._SubParsersAction[Parser], common: Parser) -> None:
    export = commands.add_parser(
        "export", parents=[common], help="write complaints to a CSV or JSON file"
    )
    export.add_argument("file", metavar="FILE")
    export.add_argument(
        "--with-identity",
        action="store_true",
        help="include complainants' identities (supervisor; audited; never for anonim)",
    )
    export.add_argument(
        "--format", choices=("csv", "json"), help="default: from the file name, else csv"
    )
    export.add_argument(
        "--separator",
        choices=(",", ";"),
        default=",",
        help="between CSV cells: ';' for a spreadsheet set to Indonesian (default ',')",
    )
    export.add_argument("--force", action="store_true", help="replace an existing file")
    _filters(export, listing=False)

    person = commands.add_parser(
        "person", parents=[common], help="data-subject requests (supervisor)"
    )
    actions = person.add_subparsers(dest="person_command", metavar="SUBCOMMAND", required=True)
    show = actions.add_parser(
        "show", parents=[common], help="everything held about a person, by NIK or phone"
    )
    erase = actions.add_parser(
        "erase", parents=[common], help="erase a person's identity from closed complaints"
    )
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    for action in (show, erase):
        key = action.add_mutually_exclusive_group(required=True)
        key.add_argument("--nik", metavar="NIK")
        key.add_argument("--phone", metavar="PHONE")
