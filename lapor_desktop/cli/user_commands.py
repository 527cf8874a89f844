"""``user``: accounts from the command line (``add``, ``passwd``, ``list``, ``disable``, ``reset``).

Managing accounts is a supervisor's job, checked before any password is
asked for; the account service checks it again. ``passwd`` is how a person
with an initial password gets to work, so it signs in by changing the
password rather than through the usual sign-in, which would refuse them.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable

from lapor_desktop.domain.roles import Permission, Role
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import permissions
from lapor_desktop.services.accounts import PasswordChanged, Refusal, Refused, UserView
from lapor_desktop.services.passwords import check_password, check_username, normalise_username

from . import credentials
from .exit_codes import AuthenticationFailed, CliError, ExitCode, NotAllowed, NotFound, UsageError
from .init_command import DISPLAY_NAME_MAX
from .opening import data_paths, open_existing_desk
from .output import EMPTY, Output, local_time
from .session import NO_ACCOUNTS, failure_message, signed_in_desk

_REFUSALS: dict[Refusal, type[CliError]] = {
    Refusal.UNKNOWN_USER: NotFound,
    Refusal.OWN_ACCOUNT: NotAllowed,
}


def user_command(args: argparse.Namespace, out: Output) -> int:
    return _ACTIONS[args.user_command](args, out)


def add(args: argparse.Namespace, out: Output) -> int:
    """A new account with an initial password that its owner must change first."""
    role = Role(args.role)
    username = _username(args.username)
    display_name = " ".join((args.name or username).split())
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        raise UsageError(
            Message(
                N_("A person's name must be 1 to {maximum} characters."),
                {"maximum": DISPLAY_NAME_MAX},
            )
        )
    with signed_in_desk(args, out) as (desk, me):
        permissions.require(me.actor, Permission.MANAGE_USERS)
        initial = _initial_password(out, username)
        created = desk.accounts.create_user(me, username, display_name, role, initial)
    view = _accepted(created)
    out.line(
        out.t(
            N_(
                "Account {user} created ({role}). At the first sign-in its owner must "
                "choose a new password with: lapor-desktop user passwd"
            ),
            user=view.username,
            role=out.t(view.role.label),
        )
    )
    return ExitCode.OK


def passwd(args: argparse.Namespace, out: Output) -> int:
    """Change one's own password; the only command open to someone with an initial password."""
    desk = open_existing_desk(data_paths(args))
    try:
        if not desk.accounts.has_users():
            raise AuthenticationFailed(NO_ACCOUNTS)
        username = normalise_username(credentials.username(args, out))
        current = credentials.password(out, username)
        chosen = credentials.new_password(
            out,
            variable=credentials.NEW_PASSWORD_ENV,
            prompt=out.t(N_("New password for {user}: "), user=username),
            check=lambda typed: check_password(typed, username),
        )
        outcome = desk.accounts.change_password(username, current, chosen)
        timezone = desk.context.office.timezone
    finally:
        desk.close()
    if isinstance(outcome, Refused):
        raise UsageError(outcome.message)
    if not isinstance(outcome, PasswordChanged):
        raise AuthenticationFailed(failure_message(outcome, timezone))
    out.line(out.t(N_("The password of {user} was changed."), user=username))
    return ExitCode.OK


def list_users(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        users = desk.accounts.list_users(me)
        timezone = desk.context.office.timezone
        now = desk.context.now()
    if args.json:
        out.json({"users": [_user_json(u, now) for u in users]})
        return ExitCode.OK
    headers = [
        out.t(N_("User name")),
        out.t(N_("Full name")),
        out.t(N_("Role")),
        out.t(N_("State")),
        out.t(N_("Last sign-in")),
    ]
    rows = [
        [
            u.username,
            u.display_name or EMPTY,
            out.t(u.role.label),
            _state(u, now, timezone, out),
            local_time(u.last_login_at, timezone) if u.last_login_at else EMPTY,
        ]
        for u in users
    ]
    out.table(headers, rows)
    return ExitCode.OK


def disable(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        view = _accepted(desk.accounts.disable_user(me, _username(args.username)))
    out.line(
        out.t(N_("The account {user} is disabled; it can no longer sign in."), user=view.username)
    )
    return ExitCode.OK


def reset(args: argparse.Namespace, out: Output) -> int:
    """A new initial password (for someone who forgot theirs); it also lifts a lock."""
    username = _username(args.username)
    with signed_in_desk(args, out) as (desk, me):
        permissions.require(me.actor, Permission.MANAGE_USERS)
        initial = _initial_password(out, username)
        view = _accepted(desk.accounts.reset_password(me, username, initial))
    out.line(
        out.t(
            N_(
                "{user} has a new initial password and must change it at the next sign-in "
                "with: lapor-desktop user passwd"
            ),
            user=view.username,
        )
    )
    return ExitCode.OK


def _username(raw: str) -> str:
    username = normalise_username(raw)
    problem = check_username(username)
    if problem is not None:
        raise UsageError(problem)
    return username


def _initial_password(out: Output, username: str) -> str:
    return credentials.new_password(
        out,
        variable=credentials.NEW_PASSWORD_ENV,
        prompt=out.t(N_("Initial password for {user}: "), user=username),
        check=lambda typed: check_password(typed, username),
    )


def _accepted(outcome: UserView | Refused) -> UserView:
    """The account, or the service's refusal as the fitting exit code."""
    if isinstance(outcome, Refused):
        raise _REFUSALS.get(outcome.reason, UsageError)(outcome.message)
    return outcome


def _locked(user: UserView, now: dt.datetime) -> bool:
    return user.locked_until is not None and now < user.locked_until


def _state(user: UserView, now: dt.datetime, timezone: str, out: Output) -> str:
    if user.disabled:
        return out.t(N_("disabled"))
    if _locked(user, now) and user.locked_until is not None:
        return out.t(N_("locked until {time}"), time=local_time(user.locked_until, timezone))
    if user.must_change_password:
        return out.t(N_("initial password"))
    return out.t(N_("active"))


def _user_json(user: UserView, now: dt.datetime) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "disabled": user.disabled,
        "must_change_password": user.must_change_password,
        "locked_until": user.locked_until if _locked(user, now) else None,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


_ACTIONS: dict[str, Callable[[argparse.Namespace, Output], int]] = {
    "add": add,
    "passwd": passwd,
    "list": list_users,
    "disable": disable,
    "reset": reset,
}
