"""``lapor-desktop sync --watch``: the runner in the foreground, for a service or a terminal.

Unattended, so nobody signs in: the desk opens with this computer's machine
key, which a first sign-in on this PC remembered. One line per pass or
change of state goes to stdout ("idle, all sent" only when nothing is left
that a sync could send); SIGTERM or Ctrl+C stops it between requests and it
exits 0.
"""

from __future__ import annotations

import argparse
import threading
from typing import assert_never

from lapor_desktop.cli.exit_codes import AuthenticationFailed
from lapor_desktop.cli.output import Output
from lapor_desktop.i18n import N_, Message
from sync.runner import DeskLink, RunnerConfig, RunnerState, RunnerStatus, SyncRunner
from sync.sync_log import SyncLog

from .desk_access import DeskAccess
from .outcomes import summary_line
from .signals import stop_on_signals

LOCKED = Message(
    N_(
        "'sync --watch' runs without a sign-in, on this computer's machine key, but the key "
        "does not open the complainants' data here yet: sign in once on this computer "
        "(e.g. lapor-desktop sync-status) and start it again."
    )
)
STOP_POLL_SECONDS = 0.5
"""How often the main thread looks at the stop flag (a signal also wakes it on POSIX)."""


def state_label(state: RunnerState) -> str:
    """What the runner is doing, in a few words at the start of each line (a msgid)."""
    match state:
        case RunnerState.STARTING:
            return N_("starting")
        case RunnerState.SYNCING:
            return N_("syncing")
        case RunnerState.IDLE:
            return N_("idle, all sent")
        case RunnerState.OFFLINE:
            return N_("offline, checking for the network")
        case RunnerState.WAITING:
            return N_("LAPOR! is busy, waiting")
        case RunnerState.NEEDS_PERSON:
            return N_("needs a person")
        case RunnerState.NOT_CONFIGURED:
            return N_("not configured")
        case RunnerState.FAILED:
            return N_("stopped on an error, will try again")
        case RunnerState.STOPPED:
            return N_("stopped")
        case _:
            assert_never(state)


def watch(args: argparse.Namespace, out: Output, access: DeskAccess) -> int:
    desk = access.unattended(args)
    sync_log = SyncLog(desk.paths.logs)
    try:
        if not desk.unlocked:
            raise AuthenticationFailed(LOCKED)
        runner = SyncRunner(
            DeskLink(desk.context, desk.paths.root),
            clock=desk.context.clock,
            config=RunnerConfig(idle_interval=args.interval),
            sync_log=sync_log,
        )
        runner.add_listener(_Printer(out))
        stop = threading.Event()
        with stop_on_signals(stop.set):
            runner.start()
            while not stop.wait(STOP_POLL_SECONDS):
                pass
            runner.stop()
        return 0
    finally:
        sync_log.close()
        desk.close()


class _Printer:
    """One line per finished pass or change of state, flushed for a log collector."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self._seen: tuple[RunnerState, int] | None = None

    def __call__(self, status: RunnerStatus) -> None:
        if status.state is RunnerState.SYNCING or self._seen == (status.state, status.passes):
            return
        self._seen = (status.state, status.passes)
        self._out.line(status_line(self._out, status))
        self._out.stdout.flush()


def status_line(out: Output, status: RunnerStatus) -> str:
    """The state, the last pass's summary and any problem: "all sent" only when it is true."""
    parts = [out.t(state_label(status.state))]
    summary = status.last_summary
    if status.state is RunnerState.IDLE and summary is not None and summary.left:
        parts = [out.t(N_("idle, {count} waiting to be sent"), count=summary.left)]
    if summary is not None and status.state is not RunnerState.STOPPED:
        parts.append(summary_line(out, summary))
    if status.problem is not None:
        parts.append(status.problem.render(out.language))
    return " | ".join(parts)
