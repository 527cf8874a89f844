"""``lapor-desktop sync | sync-status | quarantine``: the sync engine's commands for IT staff.

The command line hands these over whole (``lapor_desktop.cli.run_sync_command``),
because they parse their own options. Failures turn into exit codes through
:func:`~lapor_desktop.cli.exit_codes.classify`, so they print and exit like
every other command.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable

from lapor_desktop.cli.exit_codes import ExitCode, classify
from lapor_desktop.cli.output import Output
from lapor_desktop.i18n import DEFAULT_LANGUAGE

from .desk_access import DeskAccess
from .parser import build_parser
from .quarantine_command import quarantine
from .status_command import sync_status
from .sync_command import sync_once
from .watch_command import watch

Command = Callable[[argparse.Namespace, Output, DeskAccess], int]


def _sync(args: argparse.Namespace, out: Output, access: DeskAccess) -> int:
    return watch(args, out, access) if args.watch else sync_once(args, out, access)


COMMANDS: dict[str, Command] = {
    "sync": _sync,
    "sync-status": sync_status,
    "quarantine": quarantine,
}


def main(argv: list[str], access: DeskAccess) -> int:
    """Run one of the sync commands; never raises (except SystemExit for --help)."""
    out = Output()
    out.tolerate_unencodable()
    debug = False
    try:
        args = build_parser().parse_args(argv)
        out.language = getattr(args, "lang", None) or DEFAULT_LANGUAGE
        debug = bool(getattr(args, "debug", False))
        return int(COMMANDS[args.command](args, out, access))
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.UNEXPECTED
    except (Exception, KeyboardInterrupt) as error:
        code, message = classify(error)
        if debug and code is ExitCode.UNEXPECTED:
            traceback.print_exc(file=out.stderr)
        out.error(message)
        return code
