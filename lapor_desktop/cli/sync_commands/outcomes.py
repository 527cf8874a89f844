"""What a pass's outcome means on the command line: its exit code, its message, its summary."""

from __future__ import annotations

from lapor_desktop.cli.exit_codes import CliError, ExitCode
from lapor_desktop.cli.output import Output
from lapor_desktop.i18n import N_, Message
from sync.engine import (
    AuthProblem,
    Cancelled,
    Done,
    NeedsSignIn,
    Offline,
    PassOutcome,
    ServiceUnavailable,
    SyncSummary,
)

OFFLINE = Message(
    N_(
        "LAPOR! cannot be reached; the desk keeps working offline and the queued records "
        "will be sent when the network returns."
    )
)
INTERRUPTED = Message(N_("Interrupted; what was sent is recorded, the rest stays queued."))
SUMMARY = N_(
    "Sent: {sent}, already at LAPOR!: {present}, quarantined: {rejected}, conflicts: {conflicts}, "
    "status updates: {updates}."
)
QUARANTINE_HINT = N_(
    "{count} record(s) need a supervisor's decision: lapor-desktop quarantine list"
)


class SyncNotConfigured(CliError):
    exit_code = ExitCode.SYNC_NOT_CONFIGURED


def exit_code(outcome: PassOutcome) -> ExitCode:
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
        case Cancelled():
            return ExitCode.INTERRUPTED


def problem(outcome: PassOutcome) -> Message | None:
    """What a person should read about a pass that did not finish, bilingual."""
    match outcome:
        case Done():
            return None
        case Offline():
            return OFFLINE
        case ServiceUnavailable(failure=failure) | AuthProblem(failure=failure):
            return failure.message
        case NeedsSignIn(failure=failure):
            return failure.message
        case Cancelled():
            return INTERRUPTED


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
