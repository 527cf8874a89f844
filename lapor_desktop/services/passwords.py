"""Passwords: the rules for choosing one, its hash, the lockout, and the data key under it.

Office PCs are shared and sometimes stolen, so passwords are hashed with
Argon2 (argon2-cffi), repeated failures lock the account for a delay that
doubles with each further failure, and each account's copy of the data key
is wrapped under an Argon2id key derived from its password.
:class:`PasswordGate` is the one place a typed password is checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import threading
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
from lapor_desktop.services.password_policy import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from lapor_desktop.services.password_policy import RESERVED_USERNAMES as RESERVED_USERNAMES
from lapor_desktop.services.password_policy import UNAUTHENTICATED as UNAUTHENTICATED
from lapor_desktop.services.password_policy import check_password as check_password
from lapor_desktop.services.password_policy import check_username as check_username
from lapor_desktop.services.password_policy import normalise as normalise
from lapor_desktop.services.password_policy import normalise_username as normalise_username
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import KeyWrap, User

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
    """Checks a typed password: the attempt is recorded first, then the hash, then the key wrap.

    Each attempt is counted in a write transaction before its hash is
    computed, and the attempt that reaches the threshold locks the account
    right then; so parallel guesses queue on the write lock and, once locked,
    are refused without a hash: at most ``threshold`` checks, then one per
    lock window. A right password clears the count (the caller records the
    success). Names without an account are counted and locked the same way
    (in this process), so the lock tells nothing about which accounts exist.
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
        self._unknown = UnknownNames(lockout)

    def find(self, name: str) -> AccountSnapshot | None:
        with self._db.read() as session:
            return find_account(session, name)

    def check(self, name: str, password: str, *, purpose: str) -> Verified | AuthFailure:
        now = self._clock()
        admitted = self._admit(name, now, purpose)
        if isinstance(admitted, LockedOut):
            return admitted
        if admitted is None:
            return self._check_unknown(name, password, now, purpose)
        account, lock = admitted
        if not self._hashing.verify(account.password_hash, password):
            return self._failed(name, now, purpose, lock)
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

    def _admit(
        self, name: str, now: dt.datetime, purpose: str
    ) -> tuple[AccountSnapshot, dt.datetime | None] | LockedOut | None:
        """Record the attempt (and the lock it brings) before any hashing; None: no account."""
        with self._db.write() as session:
            user = session.scalars(
                select(User).where(User.username == name).with_for_update()
            ).first()
            if user is None:
                return None
            if user.locked_until is not None and now < user.locked_until:
                self.audit(session, UNAUTHENTICATED, f"{purpose}.refused_locked", name)
                return locked_out(user.locked_until, now)
            user.failed_attempts += 1
            delay = self._lockout.delay(user.failed_attempts)
            user.locked_until = None if delay is None else now + delay
            session.flush()
            account = find_account(session, name)
            assert account is not None
            return account, user.locked_until

    def _failed(
        self, name: str, now: dt.datetime, purpose: str, lock: dt.datetime | None
    ) -> AuthFailure:
        with self._db.write() as session:
            user = lock_account(session, name)
            details: dict[str, Any] = {"known": True, "failed_attempts": user.failed_attempts}
            self.audit(session, UNAUTHENTICATED, f"{purpose}.failed", name, details)
            if lock is None:
                return WrongCredentials()
            locked = {**details, "seconds": int((lock - now).total_seconds())}
            self.audit(session, UNAUTHENTICATED, "account.locked", name, locked)
        return locked_out(lock, now)

    def _check_unknown(
        self, name: str, password: str, now: dt.datetime, purpose: str
    ) -> WrongCredentials | LockedOut:
        """As for an account: counted first, locked alike, and a hash's cost spent."""
        admitted = self._unknown.admit(name, now)
        if isinstance(admitted, LockedOut):
            self._note(UNAUTHENTICATED, f"{purpose}.refused_locked", "", {"known": False})
            return admitted
        self._hashing.spend(password)
        # The typed name is not recorded: people type their password there too.
        self._note(UNAUTHENTICATED, f"{purpose}.failed", "", {"known": False})
        return WrongCredentials() if admitted is None else locked_out(admitted, now)

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


class UnknownNames:
    """Failed sign-ins under names without an account, counted like an account's (in memory).

    Keyed by a salted hash: what was typed as a name (often a password) is not kept.
    """

    _KEEP = 10_000

    def __init__(self, lockout: LockoutPolicy) -> None:
        self._lockout = lockout
        self._salt = secrets.token_bytes(16)
        self._lock = threading.Lock()
        self._seen: dict[bytes, tuple[int, dt.datetime | None]] = {}

    def admit(self, name: str, now: dt.datetime) -> dt.datetime | LockedOut | None:
        """Count this attempt: the lock it brings (None: none yet), or LockedOut while locked."""
        key = hashlib.blake2b(name.encode("utf-8"), key=self._salt, digest_size=16).digest()
        with self._lock:
            failures, until = self._seen.pop(key, (0, None))
            if until is not None and now < until:
                self._seen[key] = (failures, until)
                return locked_out(until, now)
            delay = self._lockout.delay(failures + 1)
            until = None if delay is None else now + delay
            self._seen[key] = (failures + 1, until)
            while len(self._seen) > self._KEEP:
                del self._seen[next(iter(self._seen))]
            return until


def lock_account(session: Session, name: str) -> User:
    """The account's row, locked for this transaction (SQLite's BEGIN IMMEDIATE already is)."""
    return session.scalars(select(User).where(User.username == name).with_for_update()).one()
