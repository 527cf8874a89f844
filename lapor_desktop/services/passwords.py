"""Passwords: the rules for choosing one, its hash, the lockout, and the data key under it.

Office PCs are shared and sometimes stolen, so passwords are hashed with
Argon2 (argon2-cffi), repeated failures lock the account for a delay that
doubles with each further failure, and each account's copy of the data key
is wrapped under an Argon2id key derived from its password.
:class:`~lapor_desktop.services.sign_in_gate.PasswordGate` is the one place a
typed password is checked.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.keys import (
    KdfParams,
    WrongKey,
    derive_password_key,
    unwrap_key,
    wrap_key,
)
from lapor_desktop.services.password_policy import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from lapor_desktop.services.password_policy import RESERVED_USERNAMES as RESERVED_USERNAMES
from lapor_desktop.services.password_policy import UNAUTHENTICATED as UNAUTHENTICATED
from lapor_desktop.services.password_policy import check_password as check_password
from lapor_desktop.services.password_policy import check_username as check_username
from lapor_desktop.services.password_policy import normalise as normalise
from lapor_desktop.services.password_policy import normalise_username as normalise_username

USER_WRAP = "user"


class PasswordHashing:
    """Argon2 password hashes; inject a cheap ``PasswordHasher`` in tests.

    The default is argon2-cffi's recommended profile (RFC 9106, low memory).
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalise(password))

    def verify(self, password_hash: str, password: str) -> bool:
        """True only for a match; a damaged stored hash counts as a mismatch."""
        try:
            return self._hasher.verify(password_hash, normalise(password))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the stored hash was made with weaker parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def spend(self, password: str) -> None:
        """Verify against a decoy hash, so an unknown user name costs as much as a known one."""
        if self._decoy is None:
            self._decoy = self._hasher.hash(secrets.token_urlsafe(16))
        self.verify(self._decoy, password)


KdfFactory = Callable[[], KdfParams]


def wrap_context(username: str) -> str:
    """Binds a wrap to its account: a wrap copied onto another account does not open."""
    return f"user:{username}"


def seal_data_key(
    data_key: bytes, password: str, username: str, kdf: KdfFactory = KdfParams.new
) -> tuple[str, dict[str, Any]]:
    """The data key wrapped under ``password`` (fresh salt), and the KDF parameters to store."""
    params = kdf()
    token = wrap_key(
        derive_password_key(password, params), data_key, context=wrap_context(username)
    )
    return token, dict(params.to_json())


def open_data_key(
    password: str, username: str, token: str, kdf_json: dict[str, Any]
) -> bytes | None:
    """The data key, or None when this password, account or stored wrap does not open it."""
    try:
        params = KdfParams.from_json(kdf_json)
        return unwrap_key(
            derive_password_key(password, params), token, context=wrap_context(username)
        )
    except (ValueError, WrongKey):
        return None


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``threshold`` consecutive failures, lock; each further failure doubles the delay."""

    threshold: int = 3
    first_delay_seconds: int = 30
    max_delay_seconds: int = 15 * 60

    def __post_init__(self) -> None:
        if self.threshold < 1 or self.first_delay_seconds < 1:
            raise ValueError("threshold and first delay must be positive")
        if self.max_delay_seconds < self.first_delay_seconds:
            raise ValueError("the maximum delay must not be below the first delay")

    def delay(self, consecutive_failures: int) -> dt.timedelta | None:
        """How long to lock after this many consecutive failures (None: not yet)."""
        if consecutive_failures < self.threshold:
            return None
        doublings = min(consecutive_failures - self.threshold, 32)
        seconds = min(self.first_delay_seconds * 2**doublings, self.max_delay_seconds)
        return dt.timedelta(seconds=seconds)

    def checks_allowed(self, consecutive_failures: int) -> int:
        """How many checks may be in flight at once: what is left before the lock, at least one.

        An account below the threshold may have that many unsettled checks; once it has
        reached it (its lock lapsed), one per lock window.
        """
        return max(self.threshold - consecutive_failures, 1)


_WRONG_CREDENTIALS = Message(N_("The user name or the password is wrong."))
_DISABLED = Message(N_("This account is disabled. Ask a supervisor."))
_KEY_UNAVAILABLE = Message(
    N_(
        "The password is right, but this account's copy of the data key could not be "
        "opened. Ask a supervisor to reset your password."
    )
)


@dataclass(frozen=True)
class WrongCredentials:
    """The same answer for an unknown user name and a wrong password."""

    message: Message = _WRONG_CREDENTIALS


@dataclass(frozen=True)
class LockedOut:
    until: dt.datetime
    message: Message


@dataclass(frozen=True)
class AccountDisabled:
    message: Message = _DISABLED


@dataclass(frozen=True)
class KeyUnavailable:
    """The password is right but the account's wrap of the data key does not open."""

    message: Message = _KEY_UNAVAILABLE


AuthFailure = WrongCredentials | LockedOut | AccountDisabled | KeyUnavailable


def locked_out(until: dt.datetime, now: dt.datetime) -> LockedOut:
    """The refusal while locked, saying how long is left (the GUI may show ``until``)."""
    seconds = max(1, math.ceil((until - now).total_seconds()))
    if seconds < 120:
        template = N_("Too many failed sign-ins: the account is locked for {wait} more seconds.")
        wait = seconds
    else:
        template = N_("Too many failed sign-ins: the account is locked for {wait} more minutes.")
        wait = math.ceil(seconds / 60)
    return LockedOut(until, Message(template, {"wait": wait}))
