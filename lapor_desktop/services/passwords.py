"""Passwords: the rules for choosing one, its hash, the lockout, and the data key under it.

Office PCs are shared and sometimes stolen, so passwords are hashed with
Argon2 (argon2-cffi), repeated failures lock the account for a delay that
doubles with each further failure, and each account's copy of the data key
is wrapped under an Argon2id key derived from its password.
:class:`PasswordGate` is the one place a typed password is checked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.keys import (
    KdfParams,
    WrongKey,
    derive_password_key,
    unwrap_key,
    wrap_key,
)
from lapor_desktop.services import audit
from lapor_desktop.services.context import Clock
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import KeyWrap, User

MIN_PASSWORD_LENGTH = 10
USER_WRAP = "user"
UNAUTHENTICATED = "unauthenticated"
RESERVED_USERNAMES = frozenset({"system", "machine", "admin", "root", UNAUTHENTICATED})
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")

# Very common choices of ten characters or more (shorter ones fail on length),
# including those seen at Indonesian offices. Compared case-insensitively.
_COMMON_PASSWORDS = """
    0123456789 0987654321 1122334455 1234512345 1234567890 12345678910 123456789a
    1q2w3e4r5t a123456789 abc1234567 abcdefghij admin12345 administrator asdfghjkl1
    bismillah1 bismillah123 changeme123 garuda1234 iloveyou123 indonesia1 indonesia123
    indonesia45 jakarta123 katasandi1 katasandi123 kecamatan1 kecamatan123 lapor12345
    laporlapor letmein123 merdeka1945 pancasila1 pancasila45 passw0rd123
    password12 password123 password1234 passwordku pelayanan1 pengaduan1 qwerty1234
    qwerty12345 qwertyuiop rahasia123 sayangku123 superadmin welcome123 zxcvbnm123
"""
COMMON_PASSWORDS = frozenset(_COMMON_PASSWORDS.split())


def normalise(password: str) -> str:
    """NFC, so that the same password typed on any keyboard hashes the same."""
    return unicodedata.normalize("NFC", password)


def normalise_username(raw: str) -> str:
    return raw.strip().casefold()


def check_username(username: str) -> Message | None:
    """Why a (normalised) user name cannot be used, or None when it can."""
    if not _USERNAME.fullmatch(username):
        return Message(
            N_(
                "A user name has 2 to 32 characters: lower-case letters, digits, dots, "
                "hyphens or underscores, starting with a letter or a digit."
            )
        )
    if username in RESERVED_USERNAMES:
        return Message(N_("This user name is reserved."))
    return None


def check_password(password: str, username: str) -> Message | None:
    """Why ``password`` is not acceptable for ``username``, or None when it is."""
    password = normalise(password)
    folded = password.casefold()
    name = username.strip().casefold()
    if len(password) < MIN_PASSWORD_LENGTH:
        return Message(
            N_("A password needs at least {minimum} characters."),
            {"minimum": MIN_PASSWORD_LENGTH},
        )
    if len(name) >= 3 and name in folded:  # a two-letter name would forbid too many words
        return Message(N_("The password must not contain the user name."))
    if len(set(password)) == 1:
        return Message(N_("The password must not be one character repeated."))
    if folded in COMMON_PASSWORDS:
        return Message(N_("This password is too common and easy to guess; choose another."))
    return None


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


@dataclass(frozen=True)
class AccountSnapshot:
    """One account as read before the slow hashing, which runs outside any write lock."""

    id: int
    username: str
    role: str
    password_hash: str
    must_change_password: bool
    disabled: bool
    locked_until: dt.datetime | None
    wrapped_key: str | None
    kdf: dict[str, Any] | None


@dataclass(frozen=True)
class Verified:
    account: AccountSnapshot
    data_key: bytes


class PasswordGate:
    """Checks a typed password: the lockout first, then the hash, then the key wrap.

    Failures are counted and audited here; the caller records the success.
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        station_id: str,
        hashing: PasswordHashing,
        lockout: LockoutPolicy,
    ) -> None:
        self._db = database
        self._clock = clock
        self._station = station_id
        self._hashing = hashing
        self._lockout = lockout

    def find(self, name: str) -> AccountSnapshot | None:
        with self._db.read() as session:
            return find_account(session, name)

    def check(self, name: str, password: str, *, purpose: str) -> Verified | AuthFailure:
        now = self._clock()
        account = self.find(name)
        if account is None:
            self._hashing.spend(password)
            # The typed name is not recorded: people type their password there too.
            self._note(UNAUTHENTICATED, f"{purpose}.failed", "", {"known": False})
            return WrongCredentials()
        if account.locked_until is not None and now < account.locked_until:
            self._note(UNAUTHENTICATED, f"{purpose}.refused_locked", name)
            return locked_out(account.locked_until, now)
        if not self._hashing.verify(account.password_hash, password):
            return self._count_failure(name, now, purpose)
        if account.disabled:
            self._note(UNAUTHENTICATED, f"{purpose}.refused_disabled", name)
            return AccountDisabled()
        data_key = (
            open_data_key(password, name, account.wrapped_key, account.kdf)
            if account.wrapped_key is not None and account.kdf is not None
            else None
        )
        if data_key is None:
            self._note(UNAUTHENTICATED, f"{purpose}.key_unavailable", name)
            return KeyUnavailable()
        return Verified(account, data_key)

    def _count_failure(self, name: str, now: dt.datetime, purpose: str) -> AuthFailure:
        with self._db.write() as session:
            user = lock_account(session, name)
            user.failed_attempts += 1
            details: dict[str, Any] = {"known": True, "failed_attempts": user.failed_attempts}
            self.audit(session, UNAUTHENTICATED, f"{purpose}.failed", name, details)
            delay = self._lockout.delay(user.failed_attempts)
            if delay is None:
                return WrongCredentials()
            user.locked_until = now + delay
            locked = {**details, "seconds": int(delay.total_seconds())}
            self.audit(session, UNAUTHENTICATED, "account.locked", name, locked)
            return locked_out(user.locked_until, now)

    def _note(
        self, actor: str, action: str, username: str, details: dict[str, Any] | None = None
    ) -> None:
        with self._db.write() as session:
            self.audit(session, actor, action, username, details)

    def audit(
        self,
        session: Session,
        actor: str,
        action: str,
        username: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Identifiers and counters only: never a password, a key or a display name."""
        audit.record(
            session,
            at=self._clock(),
            actor=actor,
            station_id=self._station,
            action=action,
            entity_type="user",
            entity_id=username,
            details=details,
        )


def find_account(session: Session, name: str) -> AccountSnapshot | None:
    user = session.scalars(select(User).where(User.username == name)).first()
    if user is None:
        return None
    wrap = session.scalars(
        select(KeyWrap).where(KeyWrap.kind == USER_WRAP, KeyWrap.user_id == user.id)
    ).first()
    return AccountSnapshot(
        id=user.id,
        username=user.username,
        role=user.role,
        password_hash=user.password_hash,
        must_change_password=user.must_change_password,
        disabled=user.disabled,
        locked_until=user.locked_until,
        wrapped_key=wrap.wrapped_key if wrap else None,
        kdf=dict(wrap.kdf) if wrap else None,
    )


def lock_account(session: Session, name: str) -> User:
    """The account's row, locked for this transaction (SQLite's BEGIN IMMEDIATE already is)."""
    return session.scalars(select(User).where(User.username == name).with_for_update()).one()
