"""Local accounts: who is signed in, what their role allows, and their copy of the data key.

The OS login of an office PC is often shared, so people are told apart
here. Each account holds the data key wrapped under a key derived from its
password: signing in unwraps it, changing the password re-wraps it (the
data itself is never re-encrypted). Permissions are checked in the core
(``services.permissions``), never only by hiding widgets.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_desktop.domain.roles import Permission, Role
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.keys import KdfParams
from lapor_desktop.services import permissions
from lapor_desktop.services.context import Actor, Clock
from lapor_desktop.services.office import load_office
from lapor_desktop.services.passwords import (
    USER_WRAP,
    AccountDisabled,
    AuthFailure,
    KdfFactory,
    LockoutPolicy,
    PasswordHashing,
    check_password,
    check_username,
    locked_out,
    normalise,
    normalise_username,
    seal_data_key,
)
from lapor_desktop.services.permissions import PermissionDenied as PermissionDenied
from lapor_desktop.services.sign_in_gate import PasswordGate, Verified, lock_account
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import KeyWrap, User


@dataclass(frozen=True)
class Principal:
    """The authenticated person, passed to every service that needs a permission."""

    username: str
    role: Role
    must_change_password: bool
    data_key: bytes = field(repr=False, compare=False)

    @property
    def actor(self) -> Actor:
        """What the other services take: who acts, in which role, with no key attached."""
        return Actor(self.username, self.role, self.must_change_password)


def require(principal: Principal, permission: Permission) -> None:
    """For callers holding a Principal; the check is ``permissions.require``, the one place."""
    permissions.require(principal.actor, permission)


class Refusal(enum.StrEnum):
    ALREADY_SET_UP = "already_set_up"
    INVALID_USERNAME = "invalid_username"
    USERNAME_TAKEN = "username_taken"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 (a reason code, not a password)
    UNKNOWN_USER = "unknown_user"
    ACCOUNT_DISABLED = "account_disabled"
    OWN_ACCOUNT = "own_account"


@dataclass(frozen=True)
class Refused:
    """An expected refusal the person can act on; ``reason`` is for code, ``message`` for people."""

    reason: Refusal
    message: Message


@dataclass(frozen=True)
class UserView:
    """An account as shown to a supervisor: never its hash or its key."""

    username: str
    display_name: str
    role: Role
    must_change_password: bool
    disabled: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime
    last_login_at: dt.datetime | None


@dataclass(frozen=True)
class SignedIn:
    principal: Principal


@dataclass(frozen=True)
class PasswordChanged:
    principal: Principal


AuthOutcome = SignedIn | AuthFailure
ChangeOutcome = PasswordChanged | Refused | AuthFailure


@dataclass(frozen=True)
class _Secrets:
    """What a new password turns into: its hash and the data key wrapped under it."""

    password_hash: str
    wrapped_key: str
    kdf: dict[str, Any]


class AccountService:
    """Accounts and sign-in; Argon2 costs are injectable so that tests stay fast."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        station_id: str,
        *,
        hasher: PasswordHasher | None = None,
        kdf_params: KdfFactory = KdfParams.new,
        lockout: LockoutPolicy | None = None,
    ) -> None:
        self._db = database
        self._clock = clock
        self._passwords = PasswordHashing(hasher)
        self._kdf = kdf_params
        self._gate = PasswordGate(
            database, clock, station_id, self._passwords, lockout or LockoutPolicy()
        )

    def has_users(self) -> bool:
        with self._db.read() as session:
            return session.scalars(select(User.id).limit(1)).first() is not None

    def create_first_supervisor(
        self, username: str, display_name: str, password: str, data_key: bytes
    ) -> Principal | Refused:
        """The account made by ``init``, which chose its password: no forced change."""
        name = normalise_username(username)
        refused = _check_new_credentials(name, password, self._office_words())
        if refused is not None:
            return refused
        secrets_ = self._seal(data_key, password, name)
        with self._db.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))
            if session.scalars(select(User.id).limit(1)).first() is not None:
                message = Message(N_("The first supervisor exists already; sign in instead."))
                return Refused(Refusal.ALREADY_SET_UP, message)
            self._add(session, name, display_name, Role.SUPERVISOR, secrets_, must_change=False)
            self._gate.audit(
                session, name, "user.created", name, {"role": "supervisor", "first": True}
            )
        return Principal(name, Role.SUPERVISOR, False, data_key)

    def create_user(
        self, by: Principal, username: str, display_name: str, role: Role, initial_password: str
    ) -> UserView | Refused:
        """A new account; its initial password must be changed at the first sign-in."""
        require(by, Permission.MANAGE_USERS)
        name = normalise_username(username)
        refused = _check_new_credentials(name, initial_password, self._office_words())
        if refused is not None:
            return refused
        taken = Refused(Refusal.USERNAME_TAKEN, Message(N_("This user name is taken already.")))
        if self._gate.find(name) is not None:
            return taken
        secrets_ = self._seal(by.data_key, initial_password, name)
        try:
            with self._db.write() as session:
                self._check_still_allowed(session, by)
                user = self._add(session, name, display_name, role, secrets_, must_change=True)
                self._gate.audit(session, by.username, "user.created", name, {"role": role.value})
        except IntegrityError:
            return taken
        return _view(user)

    def authenticate(self, username: str, password: str) -> AuthOutcome:
        verified = self._gate.check(normalise_username(username), password, purpose="login")
        if not isinstance(verified, Verified):
            return verified
        account, now = verified.account, self._clock()
        new_hash = (
            self._passwords.hash(password)
            if self._passwords.needs_rehash(account.password_hash)
            else None
        )
        with self._db.write() as session:
            user = lock_account(session, account.username)
            # A right password never counts as a failure; a lock set by a guess settled
            # after this check still refuses it.
            locked = user.locked_until is not None and now < user.locked_until
            if locked and user.locked_until != account.locked_until:
                assert user.locked_until is not None
                return locked_out(user.locked_until, now)
            user.failed_attempts = 0
            user.locked_until = None
            user.last_login_at = now
            if new_hash is not None and user.password_hash == account.password_hash:
                user.password_hash = new_hash
            self._gate.audit(session, account.username, "login.succeeded", account.username)
        role = Role(account.role)
        return SignedIn(
            Principal(account.username, role, user.must_change_password, verified.data_key)
        )

    def change_password(
        self, who: Principal | str, old_password: str, new_password: str
    ) -> ChangeOutcome:
        """Verify the old password, then re-wrap the same data key under the new one."""
        name = who.username if isinstance(who, Principal) else normalise_username(who)
        weak = check_password(new_password, name, context=self._office_words())
        if weak is None and normalise(new_password) == normalise(old_password):
            weak = Message(N_("The new password must differ from the current one."))
        if weak is not None:
            return Refused(Refusal.WEAK_PASSWORD, weak)
        verified = self._gate.check(name, old_password, purpose="password_change")
        if not isinstance(verified, Verified):
            return verified
        secrets_ = self._seal(verified.data_key, new_password, name)
        with self._db.write() as session:
            self._set_password(session, lock_account(session, name), secrets_, must_change=False)
            self._gate.audit(session, name, "password.changed", name)
        return PasswordChanged(
            Principal(name, Role(verified.account.role), False, verified.data_key)
        )

    def reset_password(
        self, by: Principal, username: str, new_initial_password: str
    ) -> UserView | Refused:
        """A supervisor sets a new initial password (to be changed) and unlocks the account."""
        require(by, Permission.MANAGE_USERS)
        name = normalise_username(username)
        weak = check_password(new_initial_password, name, context=self._office_words())
        if weak is not None:
            return Refused(Refusal.WEAK_PASSWORD, weak)
        account = self._gate.find(name)
        if account is None:
            return _unknown_user()
        if account.disabled:
            return _disabled()
        secrets_ = self._seal(by.data_key, new_initial_password, name)
        with self._db.write() as session:
            self._check_still_allowed(session, by)
            user = lock_account(session, name)
            self._set_password(session, user, secrets_, must_change=True)
            self._gate.audit(session, by.username, "password.reset", name)
            return _view(user)

    def disable_user(self, by: Principal, username: str) -> UserView | Refused:
        """Sign-in refused from now on; the account's wrap of the data key is deleted."""
        require(by, Permission.MANAGE_USERS)
        name = normalise_username(username)
        if name == by.username:
            return Refused(Refusal.OWN_ACCOUNT, Message(N_("You cannot disable your own account.")))
        with self._db.write() as session:
            self._check_still_allowed(session, by)
            user = session.scalars(select(User).where(User.username == name)).first()
            if user is None:
                return _unknown_user()
            if not user.disabled:
                user.disabled = True
                session.execute(
                    delete(KeyWrap).where(KeyWrap.kind == USER_WRAP, KeyWrap.user_id == user.id)
                )
                self._gate.audit(session, by.username, "user.disabled", name)
            return _view(user)

    def list_users(self, by: Principal) -> list[UserView]:
        require(by, Permission.MANAGE_USERS)
        with self._db.read() as session:
            return [_view(u) for u in session.scalars(select(User).order_by(User.username))]

    def _office_words(self) -> tuple[str, ...]:
        """The office's name and code: what an attacker tries first in a password."""
        office = load_office(self._db)
        return () if office is None else (office.office_name, office.office_code)

    def _seal(self, data_key: bytes, password: str, username: str) -> _Secrets:
        """Hash and wrap before any write transaction: Argon2 is slow, the write lock is shared."""
        token, kdf = seal_data_key(data_key, password, username, self._kdf)
        return _Secrets(self._passwords.hash(password), token, kdf)

    def _add(
        self,
        session: Session,
        name: str,
        display_name: str,
        role: Role,
        secrets_: _Secrets,
        *,
        must_change: bool,
    ) -> User:
        now = self._clock()
        user = User(
            username=name,
            display_name=display_name.strip(),
            role=role.value,
            password_hash=secrets_.password_hash,
            must_change_password=must_change,
            failed_attempts=0,
            created_at=now,
        )
        session.add(user)
        session.flush()
        session.add(
            KeyWrap(
                kind=USER_WRAP,
                user_id=user.id,
                wrapped_key=secrets_.wrapped_key,
                kdf=secrets_.kdf,
                created_at=now,
            )
        )
        return user

    def _set_password(
        self, session: Session, user: User, secrets_: _Secrets, *, must_change: bool
    ) -> None:
        """New hash and re-wrapped data key together; a new password also lifts any lock."""
        user.password_hash = secrets_.password_hash
        user.must_change_password = must_change
        user.failed_attempts = 0
        user.locked_until = None
        wrap = session.scalars(
            select(KeyWrap).where(KeyWrap.kind == USER_WRAP, KeyWrap.user_id == user.id)
        ).first()
        if wrap is None:
            wrap = KeyWrap(kind=USER_WRAP, user_id=user.id)
            session.add(wrap)
        wrap.wrapped_key = secrets_.wrapped_key
        wrap.kdf = secrets_.kdf
        wrap.created_at = self._clock()

    def _check_still_allowed(self, session: Session, by: Principal) -> None:
        """Re-read the acting account: one disabled meanwhile manages nobody."""
        row = session.scalars(select(User).where(User.username == by.username)).first()
        if row is None or row.disabled or row.role != by.role.value:
            raise PermissionDenied(
                Message(N_("Your account changed since you signed in; sign in again.")),
                Permission.MANAGE_USERS,
            )


def _view(user: User) -> UserView:
    return UserView(
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        must_change_password=user.must_change_password,
        disabled=user.disabled,
        locked_until=user.locked_until,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def _check_new_credentials(name: str, password: str, context: Sequence[str]) -> Refused | None:
    bad_name = check_username(name)
    if bad_name is not None:
        return Refused(Refusal.INVALID_USERNAME, bad_name)
    weak = check_password(password, name, context=context)
    return None if weak is None else Refused(Refusal.WEAK_PASSWORD, weak)


def _unknown_user() -> Refused:
    return Refused(Refusal.UNKNOWN_USER, Message(N_("There is no account with this user name.")))


def _disabled() -> Refused:
    return Refused(Refusal.ACCOUNT_DISABLED, AccountDisabled().message)
