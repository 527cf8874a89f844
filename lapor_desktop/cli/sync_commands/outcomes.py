"""What an outcome means on the command line: its exit code, and the reconciliation summary.

The words come from the outcome itself (``sync.engine.outcomes``); only the
exit code is the command line's own, and :func:`exit_code` names every
outcome, so the type checker refuses a new outcome until it has one.
"""

from __future__ import annotations

from typing import assert_never

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.cli.output import Output
from lapor_desktop.i18n import N_, Message
from sync.engine import (
    AuthProblem,
    Cancelled,
    Done,
    NeedsSignIn,
    Offline,
    ServiceUnavailable,
    SyncOutcome,
    SyncSummary,
    Unconfigured,
    UnexpectedError,
)

SUMMARY = N_(
    "Sent: {sent}, already at LAPOR!: {present}, quarantined: {rejected}, conflicts: {conflicts}, "
    "status updates: {updates}."
)
QUARANTINE_HINT = N_(
    "{count} record(s) need a supervisor's decision: lapor-desktop quarantine list"
)
WORK_LEFT = N_(
    "{count} record(s) are still waiting to be sent (another sync on this desk may be sending "
    "them, or they wait for a retry): run sync again later."
)


def report_left(out: Output, summary: SyncSummary) -> int:
    """Exit 0 only when nothing is left that a sync could send: else 11 (try later)."""
    if isinstance(summary.outcome, Done) and summary.left:
        out.error(Message(WORK_LEFT, {"count": summary.left}))
        return ExitCode.SERVICE_UNAVAILABLE
    return report(out, summary.outcome)


def exit_code(outcome: SyncOutcome) -> ExitCode:
    """The exit code of every outcome, so a scheduled task can tell "try later" from "call IT"."""
    match outcome:
        case Done():
            return ExitCode.OK
        case Offline():
            return ExitCode.OFFLINE
        case ServiceUnavailable():
            return ExitCode.SERVICE_UNAVAILABLE
        case AuthProblem():
            return ExitCode.NATIONAL_AUTH
        case NeedsSignIn():
            return ExitCode.CAPTIVE_PORTAL
        case Unconfigured():
            return ExitCode.SYNC_NOT_CONFIGURED
        case Cancelled():
            return ExitCode.INTERRUPTED
        case UnexpectedError():
            return ExitCode.UNEXPECTED
        case _:
            assert_never(outcome)


def report(out: Output, outcome: SyncOutcome) -> int:
    """The outcome's sentence on stderr unless all went well; its exit code."""
    code = exit_code(outcome)
    if code is not ExitCode.OK:
        out.error(outcome.message)
    return code


def summary_line(out: Output, summary: SyncSummary) -> str:
    return out.t(
        SUMMARY,
        sent=summary.sent,
        present=summary.already_present,
        rejected=summary.rejected,
        conflicts=summary.conflicts,
        updates=summary.status_updates,
    )


def add_up(total: SyncSummary, summary: SyncSummary) -> None:
    """Fold one pass into the run's summary; the last pass's outcome and offset win."""
    total.sent += summary.sent
    total.already_present += summary.already_present
    total.rejected += summary.rejected
    total.conflicts += summary.conflicts
    total.status_updates += summary.status_updates
    total.outcome = summary.outcome
    total.left = summary.left
    total.clock_offset = summary.clock_offset or total.clock_offset


def did_work(summary: SyncSummary) -> bool:
    return (
        summary.sent
        + summary.already_present
        + summary.rejected
        + summary.conflicts
        + summary.status_updates
        > 0
    )
