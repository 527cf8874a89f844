"""Who is at the keyboard: a user name and passwords from an option, the environment or a prompt.

Scripts set ``LAPOR_USER`` and ``LAPOR_PASSWORD`` (``LAPOR_NEW_PASSWORD``
for a password being chosen); a person is asked with :func:`getpass.getpass`,
which does not echo. Prompts go to stderr so that ``--json`` output stays
clean. A password is never printed, logged or put into an error message.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from lapor_desktop.i18n import N_, Message

from .exit_codes import AuthenticationFailed, UsageError
from .output import Output

USER_ENV = "LAPOR_USER"
PASSWORD_ENV = "LAPOR_PASSWORD"  # noqa: S105 (the name of a variable, not a password)
NEW_PASSWORD_ENV = "LAPOR_NEW_PASSWORD"  # noqa: S105

PolicyCheck = Callable[[str], Message | None]

_NO_USER = Message(
    N_(
        "Sign-in needed: give your user name with --user NAME (or the LAPOR_USER variable), "
        "or run the command in a terminal to be asked."
    )
)
_NO_PASSWORD = Message(
    N_(
        "Sign-in needed: no password was given. Run the command in a terminal to be asked "
        "for it, or set LAPOR_PASSWORD for a script."
    )
)
_NO_NEW_PASSWORD = Message(
    N_(
        "No new password was given. Run the command in a terminal to be asked for it, "
        "or set {variable} for a script."
    )
)
_MISMATCH = Message(N_("The two passwords typed do not match; nothing was changed."))


def interactive() -> bool:
    """Whether a person can be asked: stdin is a terminal (not a pipe, file or service)."""
    return sys.stdin is not None and sys.stdin.isatty()


def ask_secret(out: Output, prompt: str) -> str:
    """One hidden answer; the prompt is in the output's language, on stderr.

    End of input (Ctrl+D) counts as no answer, so it is refused like one.
    """
    try:
        return getpass.getpass(prompt, stream=out.stderr)
    except EOFError:
        return ""


def ask_line(out: Output, prompt: str) -> str:
    out.stderr.write(prompt)
    out.stderr.flush()
    return sys.stdin.readline().strip()


def username(args: argparse.Namespace, out: Output) -> str:
    """``--user``, else ``LAPOR_USER``, else asked; exit 8 when none can be had."""
    given = (getattr(args, "user", None) or os.environ.get(USER_ENV, "")).strip()
    if not given and interactive():
        given = ask_line(out, out.t(N_("User name: ")))
    if not given:
        raise AuthenticationFailed(_NO_USER)
    return given


def password(out: Output, user: str) -> str:
    """The signing-in person's password: ``LAPOR_PASSWORD``, else asked; exit 8 without one."""
    given = os.environ.get(PASSWORD_ENV, "")
    if not given and interactive():
        given = ask_secret(out, out.t(N_("Password for {user}: "), user=user))
    if not given:
        raise AuthenticationFailed(_NO_PASSWORD)
    return given


def new_password(out: Output, *, variable: str, prompt: str, check: PolicyCheck) -> str:
    """A password being chosen: from ``variable``, else asked twice (the two must match).

    The policy is checked before the second prompt, so a weak choice is
    refused at once and nothing is created or changed.
    """
    given = os.environ.get(variable, "")
    if not given:
        if not interactive():
            raise UsageError(Message(_NO_NEW_PASSWORD.template, {"variable": variable}))
        given = ask_secret(out, prompt)
    problem = check(given)
    if problem is not None:
        raise UsageError(problem)
    if not os.environ.get(variable) and ask_secret(out, out.t(N_("Type it again: "))) != given:
        raise UsageError(_MISMATCH)
    return given
