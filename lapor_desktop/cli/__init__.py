"""``lapor-desktop``: the command line for IT staff and scripts.

Commands: ``init``, ``import``, ``list``, ``search``, ``show``, ``export``,
``user``, ``person``, ``db check``, ``audit verify``, ``recap`` (the monthly recap),
``website`` (the LAPOR! website lane,
:mod:`lapor_desktop.cli.website_commands`), ``--version``, the sync commands
(:mod:`lapor_desktop.cli.sync_commands`) and ``reference-server``; without a command it opens
the desk window that the launcher passes in (the command line never imports Qt).
Every command except
``init`` and ``--version`` signs in (:mod:`lapor_desktop.cli.session`).
Exit codes are listed in :mod:`lapor_desktop.cli.exit_codes` and in
``docs/cli.md``; :func:`main` is the only place that turns failures into them.

A command's module is imported only when that command runs (:data:`COMMANDS`
names it as ``"module:function"``), so ``--version`` starts in a few
hundredths of a second and ``list`` loads the database layer but not the
importer, the sync engine or the network.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from lapor_desktop.i18n import DEFAULT_LANGUAGE

from .data_folder import data_paths
from .output import Output
from .parser import build_parser
from .quick_commands import WindowOpener, no_command, version

__all__ = ["COMMANDS", "SYNC_COMMANDS", "Command", "WindowOpener", "main", "resolve"]

Command = Callable[[argparse.Namespace, Output], int]

COMMANDS: dict[str, str | Command] = {
    "init": "lapor_desktop.cli.init_command:init",
    "import": "lapor_desktop.cli.import_command:import_register",
    "list": "lapor_desktop.cli.commands:list_complaints",
    "search": "lapor_desktop.cli.commands:search",
    "show": "lapor_desktop.cli.show:show",
    "export": "lapor_desktop.cli.privacy_commands:export",
    "user": "lapor_desktop.cli.user_commands:user_command",
    "person": "lapor_desktop.cli.privacy_commands:person_command",
    "db": "lapor_desktop.cli.db_check:db_command",
    "audit": "lapor_desktop.cli.audit_command:audit_verify",
    "website": "lapor_desktop.cli.website_commands.dispatch:website_command",
    "recap": "lapor_desktop.cli.recap_command:recap",
    "bundle": "lapor_desktop.cli.bundle_command:bundle",
    "workstation": "lapor_desktop.cli.workstation_command:workstation",
}
"""Each command's function, named ``"module:function"`` and imported when it runs."""


SYNC_COMMANDS = frozenset({"sync", "sync-status", "quarantine"})
_VALUED_OPTIONS = frozenset({"--data-dir", "--lang", "--user"})


def resolve(entry: str | Command) -> Command:
    """The function a :data:`COMMANDS` entry names (a test may put the function itself)."""
    if not isinstance(entry, str):
        return entry
    module, _, name = entry.partition(":")
    command: Command = getattr(importlib.import_module(module), name)
    return command


def _command_word(arguments: list[str]) -> str | None:
    """The first word that is neither an option nor an option's value."""
    words = iter(arguments)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv: list[str] | None = None, *, open_window: WindowOpener | None = None) -> int:
    """Run one command and return its exit code (never raises, except SystemExit for --help).

    ``open_window`` is what a bare ``lapor-desktop`` does; the launcher passes it.
    """
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["reference-server"]:
        # Its own options (--port, --data-dir, faults) go to the server's parser untouched.
        return run_reference_server(arguments[1:])
    if _command_word(arguments) in SYNC_COMMANDS:
        # The sync commands parse their options (global ones included) themselves.
        return run_sync_command(arguments)
    out = Output()
    out.tolerate_unencodable()
    debug = False
    folder: Path | None = None
    try:
        args = build_parser().parse_args(arguments)
        out.language = getattr(args, "lang", None) or DEFAULT_LANGUAGE
        debug = bool(getattr(args, "debug", False))
        if args.version:
            # Writes nothing into the data folder, so it starts no log file there.
            folder = _existing_folder(args)
            return version(args, out)
        from . import diagnostics  # the log's token redactor loads the key store

        folder = diagnostics.start_logging(args)
        if args.command is None:
            return no_command(args, out, open_window)
        return int(resolve(COMMANDS[args.command])(args, out))
    except (Exception, KeyboardInterrupt) as error:
        return fail(error, folder, out, debug=debug)


def fail(error: BaseException, folder: Path | None, out: Output, *, debug: bool) -> int:
    """Turn what a command raised into its exit code and message (and a crash report for a bug).

    Imported here, not above: :mod:`~lapor_desktop.cli.exit_codes` and the crash
    report load most of the core, which a command that succeeds may not need.
    """
    from . import diagnostics
    from .exit_codes import ExitCode, classify

    if isinstance(error, BrokenPipeError):
        # The reader (e.g. ``| head``) has gone; say nothing more to it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.UNEXPECTED
    code, message = classify(error, folder)
    if code is ExitCode.UNEXPECTED:
        diagnostics.report_crash(folder, error, out)
    if debug and code is ExitCode.UNEXPECTED:
        traceback.print_exc(file=out.stderr)
    out.error(message)
    return code


def _existing_folder(args: argparse.Namespace) -> Path | None:
    """The data folder when it exists: where a crash report would go."""
    root = data_paths(args).root
    return root if root.is_dir() else None


def run_sync_command(argv: list[str]) -> int:
    """``sync``, ``sync-status`` and ``quarantine``: signed in, or on the machine key for watch."""
    from .opening import data_paths, open_existing_desk
    from .session import signed_in_desk
    from .sync_commands import main as sync_main
    from .sync_commands.desk_access import DeskAccess

    access = DeskAccess(signed_in_desk, lambda args: open_existing_desk(data_paths(args)))
    return sync_main(argv, access)


def run_reference_server(argv: list[str]) -> int:
    """The reference national server, for tests, demos and training."""
    from sync.reference_server import main as server_main

    return server_main(argv)
