"""``recap``: the monthly recap (Rekap bulanan) of a month as an XLSX workbook or an A4 PDF.

For the supervisor's monthly report (Perpres 76/2013 asks for periodic
reports). The figures and the files come from the core
(``services/reports``); this module only reads the options and names the
file. The file appears whole or not at all (``durable_files``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lapor_desktop.i18n import N_, Message

from .output import Output

FORMATS = ("xlsx", "pdf")
"""``services.reports.recap.RecapFormat``'s values, named here so the parser stays light."""


def add_recap_parser(
    commands: argparse._SubParsersAction[Any], common: argparse.ArgumentParser
) -> None:
    """The ``recap`` command's options, for ``cli.parser.build_parser``."""
    recap = commands.add_parser(
        "recap",
        parents=[common],
        help="the monthly recap (Rekap bulanan) as XLSX or PDF, without identities (supervisor)",
    )
    recap.add_argument("--month", required=True, metavar="YYYY-MM", help="e.g. 2026-11")
    recap.add_argument("--format", choices=FORMATS, default=FORMATS[0])
    recap.add_argument(
        "--out", metavar="FILE", help="default: rekap-YYYY-MM.xlsx (or .pdf) in this folder"
    )
    recap.add_argument("--force", action="store_true", help="replace an existing file")


def recap(args: argparse.Namespace, out: Output) -> int:
    # The desk, the reports and their writers load only when the command runs (see cli/__init__).
    from lapor_desktop import durable_files
    from lapor_desktop.services.reports.period import Period
    from lapor_desktop.services.reports.recap import RecapFormat, make_recap, period_key

    from .exit_codes import ExitCode, UsageError
    from .session import signed_in_desk

    period = Period.parse_month(args.month)
    if period is None:
        raise UsageError(
            Message(
                N_("Give the month as YYYY-MM, e.g. 2026-11 (not {text})."), {"text": args.month}
            )
        )
    file_format = RecapFormat(args.format)
    target = Path(args.out or f"rekap-{period_key(period)}.{file_format.value}").expanduser()
    if target.is_dir():
        raise UsageError(
            Message(N_("{path} is a folder; give a file name."), {"path": str(target)})
        )
    if target.exists() and not args.force:
        raise UsageError(
            Message(N_("{path} exists already; give --force to replace it."), {"path": str(target)})
        )
    if not target.parent.is_dir():
        raise UsageError(Message(N_("There is no folder {path}."), {"path": str(target.parent)}))
    with signed_in_desk(args, out) as (desk, me), durable_files.replacing(target) as handle:
        made = make_recap(
            desk.context, period, file_format, handle, actor=me.actor, language=out.language
        )
    out.line(
        out.t(
            N_("Recap of {period} written to {path}: {received} complaints, {overdue} late now."),
            period=period.label(),
            path=target,
            received=made.received,
            overdue=made.overdue,
        )
    )
    return ExitCode.OK
