"""The sign-in gate: the one place a typed password is checked, and a lockout that holds in a burst.

Each check is admitted in a write transaction before its hash is computed and recorded
as a row of ``sign_in_checks`` until it settles; an account admits at most
:meth:`LockoutPolicy.checks_allowed` unsettled checks at once, on every workstation of
the office. A check counts as failed only once its hash says so: a burst of wrong
guesses gets at most the threshold's checks, then one per lock window, while five right
sign-ins at once all pass (those over the allowance wait for a free slot instead of
locking the account).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lapor_desktop.services import audit
from lapor_desktop.services.context import Clock
from lapor_desktop.services.passwords import (
    UNAUTHENTICATED,
    USER_WRAP,
    AccountDisabled,
    AuthFailure,
    KeyUnavailable,
    LockedOut,
    LockoutPolicy,
    PasswordHashing,
    WrongCredentials,
    locked_out,
    open_data_key,
)
from lapor_desktop.storage.audit_models import SignInCheck
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import KeyWrap, User

CHECK_LEASE = dt.timedelta(seconds=60)
"""An unsettled check frees its slot after this long (its process died mid-check)."""
POLL_SECONDS = 0.02


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


@dataclass(frozen=True)
class _Admitted:
    account: AccountSnapshot
    check_id: int


class _Busy:
    """Every slot of this account is taken by a check in flight: wait for one to settle."""


class PasswordGate:
    """Checks a typed password: admitted first (a slot), then the hash, then the key wrap.

    A right password clears the count (the caller records the success). Names without an
    account are counted before the hash and locked the same way (in this process), so the
    lock tells nothing about which accounts exist.
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        station_id: str,
        hashing: PasswordHashing,
        lockout: LockoutPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        check_lease: dt.timedelta = CHECK_LEASE,
    ) -> None:
        self._db = database
        self._clock = clock
        self._station = station_id
        self._hashing = hashing
        self._lockout = lockout
        self._sleep = sleep
        self._lease = check_lease
        self._unknown = UnknownNames(lockout)

    def find(self, name: str) -> AccountSnapshot | None:
        with self._db.read() as session:
            return find_account(session, name)

    def check(self, name: str, password: str, *, purpose: str) -> Verified | AuthFailure:
        admitted = self._admit(name, purpose)
        if isinstance(admitted, LockedOut):
            return admitted
        if admitted is None:
            return self._check_unknown(name, password, self._clock(), purpose)
        account = admitted.account
        right = self._hashing.verify(account.password_hash, password)
        failed = self._settle(name, admitted.check_id, right, purpose)
        if failed is not None:
            return failed
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

    def _admit(self, name: str, purpose: str) -> _Admitted | LockedOut | None:
        """A slot for one check (waiting while all are taken); None: no such account."""
        while True:
            admitted = self._try_admit(name, purpose)
            if not isinstance(admitted, _Busy):
                return admitted
            self._sleep(POLL_SECONDS)

    def _try_admit(self, name: str, purpose: str) -> _Admitted | LockedOut | _Busy | None:
        with self._db.write() as session:
            user = _lock_if_any(session, name)
            if user is None:
                return None
            now = self._clock()
            if user.locked_until is not None and now < user.locked_until:
                self.audit(session, UNAUTHENTICATED, f"{purpose}.refused_locked", name)
                return locked_out(user.locked_until, now)
            mine = SignInCheck.user_id == user.id
            session.execute(delete(SignInCheck).where(mine, SignInCheck.expires_at <= now))
            in_flight = session.scalar(select(func.count()).select_from(SignInCheck).where(mine))
            if (in_flight or 0) >= self._lockout.checks_allowed(user.failed_attempts):
                return _Busy()
            slot = SignInCheck(user_id=user.id, expires_at=now + self._lease)
            session.add(slot)
            session.flush()
            account = find_account(session, name)
            assert account is not None
            return _Admitted(account, slot.id)

    def _settle(self, name: str, check_id: int, right: bool, purpose: str) -> AuthFailure | None:
        """Free the slot; a wrong password is counted now, and locks when it reaches the policy."""
        with self._db.write() as session:
            user = lock_account(session, name)
            session.execute(delete(SignInCheck).where(SignInCheck.id == check_id))
            if right:
                return None
            now = self._clock()
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


def _lock_if_any(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.username == name).with_for_update()).first()
