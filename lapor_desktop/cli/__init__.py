"""``lapor-desktop``: the command line for IT staff and scripts.

Commands: ``init``, ``import``, ``list``, ``search``, ``show``, ``export``,
``user``, ``person``, ``db check``, ``audit verify``, ``--version``, the sync commands
(:mod:`lapor_desktop.cli.sync_commands`) and ``reference-server``; without a command it opens
the desk window that the launcher passes in (the command line never imports Qt).
Every command except
``init`` and ``--version`` signs in (:mod:`lapor_desktop.cli.session`).
Exit codes are listed in :mod:`lapor_desktop.cli.exit_codes` and in
``docs/cli.md``; :func:`main` is the only place that turns failures into them.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from lapor_desktop.i18n import DEFAULT_LANGUAGE

from . import commands, diagnostics
from .audit_command import audit_verify
from .db_check import db_command
from .exit_codes import ExitCode, classify
from .import_command import import_register
from .init_command import init
from .opening import data_paths, open_existing_desk
from .output import Output
from .parser import build_parser
from .privacy_commands import export, person_command
from .show import show
from .user_commands import user_command

Command = Callable[[argparse.Namespace, Output], int]

COMMANDS: dict[str, Command] = {
    "init": init,
    "import": import_register,
    "list": commands.list_complaints,
    "search": commands.search,
    "show": show,
    "export": export,
    "user": user_command,
    "person": person_command,
    "db": db_command,
    "audit": audit_verify,
}


SYNC_COMMANDS = frozenset({"sync", "sync-status", "quarantine"})
_VALUED_OPTIONS = frozenset({"--data-dir", "--lang", "--user"})


def _command_word(arguments: list[str]) -> str | None:
    """The first word that is neither an option nor an option's value."""
    words = iter(arguments)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


WindowOpener = Callable[[list[str]], int]
"""Opens the desk window with its own arguments and returns its exit code."""


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
    argv = arguments
    out = Output()
    out.tolerate_unencodable()
    debug = False
    folder: Path | None = None
    try:
        args = build_parser().parse_args(argv)
        out.language = getattr(args, "lang", None) or DEFAULT_LANGUAGE
        debug = bool(getattr(args, "debug", False))
        folder = diagnostics.start_logging(args)
        if args.version:
            return commands.version(args, out)
        if args.command is None:
            return commands.no_command(args, out, open_window)
        return int(COMMANDS[args.command](args, out))
    except BrokenPipeError:
        # The reader (e.g. ``| head``) has gone; say nothing more to it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.UNEXPECTED
    except (Exception, KeyboardInterrupt) as error:
        code, message = classify(error, folder)
        if code is ExitCode.UNEXPECTED:
            diagnostics.report_crash(folder, error, out)
        if debug and code is ExitCode.UNEXPECTED:
            traceback.print_exc(file=out.stderr)
        out.error(message)
        return code


def run_sync_command(argv: list[str]) -> int:
    """``sync``, ``sync-status`` and ``quarantine``: signed in, or on the machine key for watch."""
    from .session import signed_in_desk
    from .sync_commands import main as sync_main
    from .sync_commands.desk_access import DeskAccess

    access = DeskAccess(signed_in_desk, lambda args: open_existing_desk(data_paths(args)))
    return sync_main(argv, access)


def run_reference_server(argv: list[str]) -> int:
    """The reference national server, for tests, demos and training."""
    from sync.reference_server import main as server_main

    return server_main(argv)
