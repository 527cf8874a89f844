"""Signing in on the command line: every command except ``init`` acts as a person with a role.

The OS account of an office PC is often shared, so the command line asks
who is acting, like the desk window does, and hands the services that
person's :class:`Actor`. Refusals exit 8 with the account service's own
message; a person who still has an initial password is sent to
``lapor-desktop user passwd`` before anything else.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select

from lapor_desktop.desk import Desk, workstation
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.file_modes import loosened_warning
from lapor_desktop.services.accounts import AccountService, AuthOutcome, Principal, SignedIn
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.office import load_office
from lapor_desktop.services.passwords import AuthFailure, LockedOut
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import User

from . import credentials
from .exit_codes import AuthenticationFailed
from .opening import data_paths, open_existing_desk
from .output import Output

DEFAULT_TIMEZONE = "Asia/Jakarta"

NO_ACCOUNTS = Message(
    N_(
        "This desk has no user accounts yet. Create the first supervisor with: "
        "lapor-desktop init --office-code CODE --office-name NAME --supervisor USERNAME"
    )
)
CHANGE_FIRST = Message(
    N_(
        "You signed in with an initial password, which must be changed before you can work. "
        "Run: lapor-desktop user passwd"
    )
)


@contextmanager
def signed_in_desk(args: argparse.Namespace, out: Output) -> Iterator[tuple[Desk, Principal]]:
    """The desk, opened and unlocked by the person who signed in; closed afterwards."""
    desk = open_existing_desk(data_paths(args))
    if desk.loosened:
        out.error(loosened_warning(list(desk.loosened)))
    try:
        yield desk, sign_in(desk, args, out)
    finally:
        desk.close()


def sign_in(desk: Desk, args: argparse.Namespace, out: Output) -> Principal:
    """Ask for (or read) the credentials and sign in; raises exit 8 on any refusal."""
    if not desk.accounts.has_users():
        raise AuthenticationFailed(NO_ACCOUNTS)
    return _authenticate(desk.sign_in, desk.context.office.timezone, args, out)


def identify(desk: Desk, args: argparse.Namespace, out: Output) -> Principal:
    """Who signs in, without unlocking anything yet (a command that checks a permission first)."""
    if not desk.accounts.has_users():
        raise AuthenticationFailed(NO_ACCOUNTS)
    return _authenticate(desk.accounts.authenticate, desk.context.office.timezone, args, out)


def sign_in_to_database(
    database: Database, paths: DataPaths, args: argparse.Namespace, out: Output
) -> Principal:
    """For ``db check`` and ``audit verify``, which read a database without migrating it."""
    if not accounts_exist(database):
        raise AuthenticationFailed(NO_ACCOUNTS)
    accounts = AccountService(database, system_clock, workstation(paths).station_id)
    office = load_office(database)
    timezone = office.timezone if office is not None else DEFAULT_TIMEZONE
    return _authenticate(accounts.authenticate, timezone, args, out)


def accounts_exist(database: Database) -> bool:
    """Whether anyone can sign in; a database from before accounts existed has no table yet."""
    if not inspect(database.engine).has_table(User.__tablename__):
        return False
    with database.read() as session:
        return session.scalars(select(User.id).limit(1)).first() is not None


def failure_message(failure: AuthFailure, timezone: str) -> Message:
    """The account service's message; a lock also says until when, in the office's time."""
    if not isinstance(failure, LockedOut):
        return failure.message
    until = failure.until.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S %Z")
    return Message(
        N_("{reason} Try again after {time}."), {"reason": failure.message, "time": until}
    )


def _authenticate(
    check: Callable[[str, str], AuthOutcome],
    timezone: str,
    args: argparse.Namespace,
    out: Output,
) -> Principal:
    name = credentials.username(args, out)
    outcome = check(name, credentials.password(out, name))
    if not isinstance(outcome, SignedIn):
        raise AuthenticationFailed(failure_message(outcome, timezone))
    if outcome.principal.must_change_password:
        raise AuthenticationFailed(CHANGE_FIRST)
    return outcome.principal
