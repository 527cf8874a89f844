"""``init``: set a desk up for an office, with its first supervisor account.

A new desk needs ``--supervisor``: every other command signs in, so the
first account is made here, and its password is checked against the policy
before anything is written. Running ``init`` again (an installer script
does) needs no password while it changes nothing; changing the office's
settings on a desk with accounts needs someone allowed to change settings.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass

from lapor_desktop import app
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import permissions
from lapor_desktop.services.office import check_office_code, load_office
from lapor_desktop.services.passwords import check_password, check_username, normalise_username
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database

from . import credentials
from .exit_codes import ExitCode, UsageError
from .opening import data_paths, open_existing_desk, uses_sqlite_file
from .output import Output
from .session import DEFAULT_TIMEZONE, accounts_exist, sign_in

OFFICE_NAME_MAX = 200
DISPLAY_NAME_MAX = 100


@dataclass(frozen=True)
class _Found:
    """What a data folder already holds, read without creating or migrating anything."""

    office: OfficeSettings | None
    has_accounts: bool


def init(args: argparse.Namespace, out: Output) -> int:
    """Set the desk up; again with the same code only updates the name and time zone."""
    code = args.office_code.strip().upper()
    problem = check_office_code(code)
    if problem is not None:
        raise UsageError(problem)
    name = " ".join(args.office_name.split())
    if not name or len(name) > OFFICE_NAME_MAX:
        raise UsageError(
            Message(
                N_("The office name must be 1 to {maximum} characters."),
                {"maximum": OFFICE_NAME_MAX},
            )
        )
    paths = data_paths(args)
    found = _look(paths)
    existing = found.office
    if existing is not None and existing.office_code != code and not args.force:
        raise UsageError(
            Message(
                N_(
                    "This desk is already set up for office {current}. To change it to {new}, "
                    "run init again with --force (recorded complaints keep their numbers)."
                ),
                {"current": existing.office_code, "new": code},
            )
        )
    if existing is None:
        settings = OfficeSettings(code, name, timezone=args.timezone or DEFAULT_TIMEZONE)
    else:
        settings = dataclasses.replace(
            existing,
            office_code=code,
            office_name=name,
            timezone=args.timezone or existing.timezone,
        )
    changed = settings != existing
    supervisor = None if found.has_accounts else _first_supervisor(args, out)
    if found.has_accounts and changed:
        _check_allowed_to_change(paths, args, out)
    desk = app.initialise(paths, settings, supervisor=supervisor)
    try:
        created = supervisor is not None and desk.accounts.has_users()
    finally:
        desk.close()
    _report(out, paths, settings, existing=existing, changed=changed)
    if supervisor is not None and not created:
        raise UsageError(
            Message(
                N_(
                    "The office settings were saved, but the first supervisor could not be "
                    "created: this desk's data key exists without any account. Restore the "
                    "latest backup or ask for support."
                )
            )
        )
    if supervisor is not None:
        out.line(
            out.t(
                N_(
                    "First supervisor account: {user}. Other commands sign in with "
                    "--user {user} (or LAPOR_USER) and this password."
                ),
                user=supervisor.username,
            )
        )
    elif args.supervisor:
        out.line(out.t(N_("Accounts exist already; --supervisor was not needed and was ignored.")))
    return ExitCode.OK


def _look(paths: DataPaths) -> _Found:
    """The office and whether anyone can sign in; a missing SQLite file is not created."""
    if uses_sqlite_file(paths) and not paths.database.is_file():
        return _Found(None, has_accounts=False)
    database = Database(paths.database_url())
    try:
        migrate.check_not_too_new(database)
        if migrate.current_revision(database) is None:
            return _Found(None, has_accounts=False)
        return _Found(load_office(database), accounts_exist(database))
    finally:
        database.dispose()


def _first_supervisor(args: argparse.Namespace, out: Output) -> app.FirstSupervisor:
    """The account a new desk starts with; its name and password are checked before any write."""
    if not args.supervisor:
        raise UsageError(
            Message(
                N_(
                    "A new desk needs its first account: add --supervisor USERNAME "
                    '(and --supervisor-name "Full Name"). The password is asked twice, '
                    "or read from LAPOR_PASSWORD."
                )
            )
        )
    username = normalise_username(args.supervisor)
    problem = check_username(username)
    if problem is not None:
        raise UsageError(problem)
    display_name = " ".join((args.supervisor_name or username).split())
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        raise UsageError(
            Message(
                N_("A person's name must be 1 to {maximum} characters."),
                {"maximum": DISPLAY_NAME_MAX},
            )
        )
    password = credentials.new_password(
        out,
        variable=credentials.PASSWORD_ENV,
        prompt=out.t(N_("Password for the supervisor {user}: "), user=username),
        check=lambda typed: check_password(typed, username),
    )
    return app.FirstSupervisor(username, display_name, password)


def _check_allowed_to_change(paths: DataPaths, args: argparse.Namespace, out: Output) -> None:
    """Changing an office that has accounts needs someone who may change settings."""
    desk = open_existing_desk(paths)
    try:
        me = sign_in(desk, args, out)
        permissions.require(me.actor, Permission.CHANGE_SETTINGS)
    finally:
        desk.close()


def _report(
    out: Output,
    paths: DataPaths,
    settings: OfficeSettings,
    *,
    existing: OfficeSettings | None,
    changed: bool,
) -> None:
    out.line(
        out.t(
            N_("This desk is set up for office {code} ({name}), time zone {timezone}."),
            code=settings.office_code,
            name=settings.office_name,
            timezone=settings.timezone,
        )
    )
    if existing is not None and changed:
        out.line(out.t(N_("It was already set up; its settings were updated.")))
    elif existing is not None:
        out.line(out.t(N_("It was already set up; nothing needed to change.")))
    out.line(out.t(N_("Data folder: {path}"), path=paths.root))
