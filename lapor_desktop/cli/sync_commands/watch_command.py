"""``lapor-desktop sync --watch``: the runner in the foreground, for a service or a terminal.

Unattended, so nobody signs in: the desk opens with this computer's machine
key, which a first sign-in on this PC remembered. One line per pass or
change of state goes to stdout; SIGTERM or Ctrl+C stops it between
requests and it exits 0.
"""

from __future__ import annotations

import argparse
import threading

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
STATE_LABELS = {
    RunnerState.STARTING: N_("starting"),
    RunnerState.SYNCING: N_("syncing"),
    RunnerState.IDLE: N_("idle, all sent"),
    RunnerState.OFFLINE: N_("offline, checking for the network"),
    RunnerState.WAITING: N_("LAPOR! is busy, waiting"),
    RunnerState.NEEDS_PERSON: N_("needs a person"),
    RunnerState.NOT_CONFIGURED: N_("not configured"),
    RunnerState.FAILED: N_("stopped on an error, will try again"),
    RunnerState.STOPPED: N_("stopped"),
}
STOP_POLL_SECONDS = 0.5
"""How often the main thread looks at the stop flag (a signal also wakes it on POSIX)."""


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
        out = self._out
        parts = [out.t(STATE_LABELS[status.state])]
        if status.last_summary is not None and status.state is not RunnerState.STOPPED:
            parts.append(summary_line(out, status.last_summary))
        if status.problem is not None:
            parts.append(status.problem.render(out.language))
        out.line(" | ".join(parts))
        out.stdout.flush()
