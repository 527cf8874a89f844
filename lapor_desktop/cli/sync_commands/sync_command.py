"""``lapor-desktop sync``: pass after pass until the queue is empty or a person must act.

The exit code says which (0 done, 10 offline, 11 busy, 12 token or
certificate, 13 captive portal, 14 not configured, 130 interrupted; the
table is ``outcomes.exit_code``), so a scheduled task can tell "try later"
from "call IT". Records that were backing off are tried at once: someone asked.
A run that ends well with records still waiting (another process holds them)
exits 11 too: 0 means nothing a sync could send is left.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from lapor_desktop.cli.output import Output
from lapor_desktop.domain.roles import Permission
from lapor_desktop.services.permissions import require
from lapor_desktop.services.sync_status import read_status
from sync.connection import NotConfigured
from sync.engine import Done, Progress, SyncSummary, Unconfigured
from sync.runner import DeskLink
from sync.sync_log import SyncLog

from .desk_access import DeskAccess
from .outcomes import QUARANTINE_HINT, add_up, did_work, report, report_left, summary_line
from .signals import stop_on_signals

MAX_PASSES = 20
"""A pass drains what is due; more passes only follow a long changes feed."""


def sync_once(args: argparse.Namespace, out: Output, access: DeskAccess) -> int:
    with access.signed_in(args, out) as (desk, principal):
        require(principal.actor, Permission.RUN_SYNC)
        link = DeskLink(desk.context, desk.paths.root)
        sync_log = SyncLog(desk.paths.logs)
        progress = Progress()
        total = SyncSummary()
        try:
            with stop_on_signals(progress.abort):  # the request in flight is cut too
                for number in range(MAX_PASSES):
                    started_at, started = desk.context.clock(), time.monotonic()
                    result = link.run_pass(progress, bring_forward=number == 0)
                    if isinstance(result, NotConfigured):
                        return report(out, Unconfigured(result.message))
                    duration = dt.timedelta(seconds=time.monotonic() - started)
                    trigger = "command" if number == 0 else "command_again"
                    sync_log.record_pass(
                        result, trigger=trigger, started_at=started_at, duration=duration
                    )
                    add_up(total, result)
                    if not isinstance(result.outcome, Done) or not did_work(result):
                        break
        finally:
            sync_log.close()
        out.line(summary_line(out, total))
        quarantined = read_status(desk.context.database, now=desk.context.clock()).quarantined
        if quarantined:
            out.line(out.t(QUARANTINE_HINT, count=quarantined))
        return report_left(out, total)
