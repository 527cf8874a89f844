"""Exit codes of ``lapor-desktop``, and the one place that maps failures to them.

===  ==================================================================
0    success
1    unexpected error (a bug: run again with ``--debug`` for the traceback)
2    usage error: bad arguments, or a refusal that needs ``--force``
3    validation failed: the import file or some of its rows were rejected
4    not found (``show``, a user name in ``user``)
5    database problem: cannot open, damaged, failed ``db check``, too new; disk full,
     read-only data folder, database locked; a backup or restore refused or failed;
     or no secure place for this workstation's machine key
6    the desk is not initialised: run ``lapor-desktop init``
7    the audit log's hash chain is broken (``audit verify``)
8    authentication failed or needed (also: the initial password must be changed)
9    signed in, but your role does not allow this
10   ``sync``: LAPOR! cannot be reached (offline); the records stay queued
11   ``sync``: LAPOR! is busy or failing (429, 5xx, unreadable answers); try later
12   ``sync``: LAPOR! refused the device token, or its certificate or receipt key
     does not verify: a person must fix it
13   ``sync``: a captive portal (hotspot sign-in page) answered instead of LAPOR!
14   ``sync``: no national service or device token is configured on this desk
15   ``bundle``: the bundle cannot be used (cut, damaged, a volume missing, not for this
     desk, a forged receipt ...); nothing of it was applied
130  interrupted (Ctrl+C)
===  ==================================================================

Commands raise; :func:`classify` turns any exception into a code and a
bilingual message, so every command fails the same way. A sync outcome is
not an exception: ``sync_commands.outcomes.exit_code`` gives every outcome
its code (10 to 14, 130), and the type checker refuses one left out.
"""

from __future__ import annotations

import enum
import sqlite3
from pathlib import Path
from typing import ClassVar

from sqlalchemy import exc as sa_exc

from lapor_desktop.backups.copies import BackupFailed
from lapor_desktop.backups.restore import RestoreRefused
from lapor_desktop.backups.startup import DatabaseDamaged
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.machine_key import MachineKeyError
from lapor_desktop.services.context import DeskLocked
from lapor_desktop.services.identity_vault import IdentityTampered
from lapor_desktop.services.office import OfficeNotInitialised
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.services.register_formats import RegisterFormatError
from lapor_desktop.settings import SettingsRejected
from lapor_desktop.storage.migrate import DatabaseTooNew
from lapor_desktop.storage.problems import storage_problem

_DETAIL_MAX = 300


class ExitCode(enum.IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    VALIDATION = 3
    NOT_FOUND = 4
    DATABASE = 5
    NOT_INITIALISED = 6
    AUDIT_BROKEN = 7
    AUTHENTICATION = 8
    NOT_ALLOWED = 9
    OFFLINE = 10
    SERVICE_UNAVAILABLE = 11
    NATIONAL_AUTH = 12
    CAPTIVE_PORTAL = 13
    SYNC_NOT_CONFIGURED = 14
    BUNDLE_REFUSED = 15
    INTERRUPTED = 130


class CliError(Exception):
    """An expected failure; its type decides the exit code."""

    exit_code: ClassVar[ExitCode] = ExitCode.UNEXPECTED

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render("en"))


class BundleRefused(CliError):
    """A bundle that cannot be used (damaged, cut, not for this desk ...): nothing was applied."""

    exit_code: ClassVar[ExitCode] = ExitCode.BUNDLE_REFUSED


class UsageError(CliError):
    exit_code = ExitCode.USAGE


class ImportRejected(CliError):
    exit_code = ExitCode.VALIDATION


class NotFound(CliError):
    exit_code = ExitCode.NOT_FOUND


class DatabaseProblem(CliError):
    exit_code = ExitCode.DATABASE


class AuditChainBroken(CliError):
    exit_code = ExitCode.AUDIT_BROKEN


class AuthenticationFailed(CliError):
    """No credentials, wrong ones, a locked or disabled account, or a password still to change."""

    exit_code = ExitCode.AUTHENTICATION


class NotAllowed(CliError):
    exit_code = ExitCode.NOT_ALLOWED


def classify(error: BaseException, folder: Path | None = None) -> tuple[ExitCode, Message]:
    """The exit code and the message to print for anything a command raised.

    ``folder`` (the data folder, when known) tells a full disk from a failing one.
    """
    if isinstance(error, CliError):
        return error.exit_code, error.message
    if isinstance(error, OfficeNotInitialised):
        return ExitCode.NOT_INITIALISED, error.message
    if isinstance(error, RegisterFormatError):
        return ExitCode.VALIDATION, error.message
    if isinstance(error, DatabaseTooNew):
        return ExitCode.DATABASE, error.message
    if isinstance(error, PermissionDenied):
        return ExitCode.NOT_ALLOWED, error.message
    if isinstance(error, DeskLocked):
        return ExitCode.AUTHENTICATION, DeskLocked.message
    if isinstance(error, MachineKeyError | SettingsRejected):
        return ExitCode.DATABASE, error.message
    if isinstance(error, IdentityTampered):
        return ExitCode.DATABASE, error.explanation
    if isinstance(error, DatabaseDamaged):
        return ExitCode.DATABASE, _damaged(error)
    if isinstance(error, BackupFailed | RestoreRefused):
        return ExitCode.DATABASE, error.message
    problem = storage_problem(error, folder)
    if problem is not None:
        return ExitCode.DATABASE, problem.message
    if isinstance(
        error, sa_exc.DBAPIError | sa_exc.ArgumentError | sa_exc.NoSuchModuleError | sqlite3.Error
    ):
        detail = getattr(error, "orig", None) or error
        return ExitCode.DATABASE, Message(
            N_("The database cannot be used: {detail}"), {"detail": _short(detail)}
        )
    if isinstance(error, OSError):
        return ExitCode.DATABASE, Message(
            N_("The data folder cannot be used: {detail}"), {"detail": _short(error)}
        )
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, Message(N_("Interrupted."))
    return ExitCode.UNEXPECTED, Message(
        N_("Unexpected error ({kind}: {detail}). Run again with --debug and tell IT staff."),
        {"kind": type(error).__name__, "detail": _short(error)},
    )


def _damaged(error: DatabaseDamaged) -> Message:
    """The plain account of the damage, and the command that brings the newest good backup back."""
    backup = error.damaged.newest_good
    if backup is None:
        return error.message
    return Message(
        N_('{damage} To restore it: lapor-desktop db restore "{path}"'),
        {"damage": error.message, "path": str(backup.path)},
    )


def _short(error: object) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"
