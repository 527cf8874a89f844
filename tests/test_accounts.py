"""Local accounts on both databases: sign-in, lockout, password changes and the data key."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from lapor_desktop.domain.roles import Permission, Role
from lapor_desktop.security.fields import FieldCipher
from lapor_desktop.security.keys import KdfParams, new_data_key
from lapor_desktop.services import audit
from lapor_desktop.services.accounts import (
    AccountService,
    PasswordChanged,
    Principal,
    Refusal,
    Refused,
    SignedIn,
    UserView,
    require,
)
from lapor_desktop.services.idle_lock import IdleLockPolicy
from lapor_desktop.services.passwords import (
    AccountDisabled,
    LockedOut,
    WrongCredentials,
    check_password,
    open_data_key,
)
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, KeyWrap, User
from tests.support.clock import FakeClock

STATION = "ST01"
BOSS_PASSWORD = "Kantor-Camat-2026!"
INITIAL = "Sementara#4821"
CHOSEN = "Meja-Depan-Lingga-77"


class CountingHasher(PasswordHasher):
    """Cheap Argon2 that counts verifications, to see that unknown users cost one too."""

    def __init__(self, time_cost: int = 1) -> None:
        super().__init__(time_cost=time_cost, memory_cost=8, parallelism=1)
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verifications += 1
        return super().verify(hash, password)


def cheap_kdf() -> KdfParams:
    return KdfParams(salt=os.urandom(16), time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    database = Database(database_url)
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(database: Database, clock: FakeClock, hasher: CountingHasher) -> AccountService:
    return AccountService(database, clock, STATION, hasher=hasher, kdf_params=cheap_kdf)


@pytest.fixture
def data_key() -> bytes:
    return new_data_key()


@pytest.fixture
def boss(accounts: AccountService, data_key: bytes) -> Principal:
    created = accounts.create_first_supervisor("Siti", "Siti Rahmawati", BOSS_PASSWORD, data_key)
    assert isinstance(created, Principal)
    return created


def sign_in(accounts: AccountService, username: str, password: str) -> Principal:
    outcome = accounts.authenticate(username, password)
    assert isinstance(outcome, SignedIn), outcome
    return outcome.principal


def active_user(accounts: AccountService, boss: Principal, username: str, role: Role) -> Principal:
    """A colleague who has signed in once and chosen their own password."""
    assert isinstance(
        accounts.create_user(boss, username, username.title(), role, INITIAL), UserView
    )
    changed = accounts.change_password(username, INITIAL, CHOSEN)
    assert isinstance(changed, PasswordChanged), changed
    return changed.principal


def user_wrap(database: Database, username: str) -> tuple[str, dict[str, Any]] | None:
    """The account's wrapped data key and its KDF parameters, as stored."""
    with database.read() as session:
        wrap = session.scalars(
            select(KeyWrap).join(User, KeyWrap.user_id == User.id).where(User.username == username)
        ).first()
        return None if wrap is None else (wrap.wrapped_key, dict(wrap.kdf))


def test_first_supervisor_signs_in_with_the_chosen_password_and_gets_the_data_key(
    accounts: AccountService, boss: Principal, data_key: bytes
) -> None:
    assert boss.username == "siti"
    principal = sign_in(accounts, "SITI ", BOSS_PASSWORD)
    assert principal.role is Role.SUPERVISOR
    assert not principal.must_change_password
    assert principal.data_key == data_key
    again = accounts.create_first_supervisor("rudi", "Rudi", "Lain-Kali-2026!", new_data_key())
    assert isinstance(again, Refused) and again.reason is Refusal.ALREADY_SET_UP


def test_lockout_delay_grows_and_resets_after_success(
    accounts: AccountService, boss: Principal, clock: FakeClock
) -> None:
    assert isinstance(accounts.authenticate("siti", "salah-satu-1"), WrongCredentials)
    assert isinstance(accounts.authenticate("siti", "salah-dua-22"), WrongCredentials)
    delays = []
    for attempt in range(8):
        outcome = accounts.authenticate("siti", f"salah-lagi-{attempt}")
        assert isinstance(outcome, LockedOut)
        delays.append((outcome.until - clock()).total_seconds())
        clock.advance(seconds=delays[-1])
    assert delays == [30, 60, 120, 240, 480, 900, 900, 900]
    sign_in(accounts, "siti", BOSS_PASSWORD)
    assert isinstance(accounts.authenticate("siti", "salah-satu-1"), WrongCredentials)
    assert isinstance(accounts.authenticate("siti", "salah-dua-22"), WrongCredentials)
    third = accounts.authenticate("siti", "salah-tiga-333")
    assert isinstance(third, LockedOut)
    assert third.until - clock() == dt.timedelta(seconds=30)


def test_right_password_is_refused_while_locked(
    accounts: AccountService, boss: Principal, clock: FakeClock
) -> None:
    for attempt in range(3):
        accounts.authenticate("siti", f"tebakan-ke-{attempt}")
    clock.advance(seconds=29)
    refused = accounts.authenticate("siti", BOSS_PASSWORD)
    assert isinstance(refused, LockedOut)
    assert "1" in refused.message.render("en")
    clock.advance(seconds=1)
    # The refused right password did not reset the count: one more miss locks for 60 s.
    fourth = accounts.authenticate("siti", "tebakan-ke-4")
    assert isinstance(fourth, LockedOut)
    assert fourth.until - clock() == dt.timedelta(seconds=60)
    assert "more seconds" in fourth.message.render("en")
    clock.advance(seconds=60)
    sign_in(accounts, "siti", BOSS_PASSWORD)


def test_unknown_user_and_wrong_password_get_the_same_answer(
    accounts: AccountService, boss: Principal, hasher: CountingHasher
) -> None:
    before = hasher.verifications
    unknown = accounts.authenticate("tidakada", BOSS_PASSWORD)
    assert hasher.verifications == before + 1
    wrong = accounts.authenticate("siti", "bukan-sandinya-1")
    assert hasher.verifications == before + 2
    assert isinstance(unknown, WrongCredentials) and isinstance(wrong, WrongCredentials)
    assert unknown == wrong
    assert unknown.message.bilingual() == wrong.message.bilingual()


def test_initial_password_must_be_changed(accounts: AccountService, boss: Principal) -> None:
    accounts.create_user(boss, "budi", "Budi Santoso", Role.FRONT_DESK, INITIAL)
    first = sign_in(accounts, "budi", INITIAL)
    assert first.must_change_password
    with pytest.raises(PermissionDenied):
        require(first, Permission.RECORD_COMPLAINTS)
    same = accounts.change_password(first, INITIAL, INITIAL)
    assert isinstance(same, Refused) and same.reason is Refusal.WEAK_PASSWORD
    changed = accounts.change_password(first, INITIAL, CHOSEN)
    assert isinstance(changed, PasswordChanged)
    assert not changed.principal.must_change_password
    require(changed.principal, Permission.RECORD_COMPLAINTS)
    assert not sign_in(accounts, "budi", CHOSEN).must_change_password
    assert isinstance(accounts.authenticate("budi", INITIAL), WrongCredentials)


def test_a_password_change_rewraps_the_data_key_without_reencrypting(
    accounts: AccountService, boss: Principal, data_key: bytes, database: Database
) -> None:
    sealed_name = FieldCipher(data_key).encrypt("Ahmad Fauzi", aad="c1:full_name")
    old_wrap = user_wrap(database, "siti")
    assert old_wrap is not None
    changed = accounts.change_password("siti", BOSS_PASSWORD, CHOSEN)
    assert isinstance(changed, PasswordChanged)
    assert changed.principal.data_key == data_key
    new_wrap = user_wrap(database, "siti")
    assert new_wrap is not None and new_wrap[0] != old_wrap[0]
    assert new_wrap[1]["salt"] != old_wrap[1]["salt"]
    key = sign_in(accounts, "siti", CHOSEN).data_key
    assert key == data_key
    assert FieldCipher(key).decrypt(sealed_name, aad="c1:full_name") == "Ahmad Fauzi"
    assert open_data_key(BOSS_PASSWORD, "siti", *new_wrap) is None
    assert open_data_key(CHOSEN, "siti", *new_wrap) == data_key
    assert isinstance(accounts.authenticate("siti", BOSS_PASSWORD), WrongCredentials)


def test_every_colleague_unwraps_the_same_data_key(
    accounts: AccountService, boss: Principal, data_key: bytes
) -> None:
    for name, role in (("budi", Role.FRONT_DESK), ("ani", Role.IT)):
        assert active_user(accounts, boss, name, role).data_key == data_key
        assert sign_in(accounts, name, CHOSEN).data_key == data_key


def test_front_desk_cannot_manage_users(
    accounts: AccountService, boss: Principal, database: Database
) -> None:
    desk = active_user(accounts, boss, "budi", Role.FRONT_DESK)
    it = active_user(accounts, boss, "ani", Role.IT)
    with database.read() as session:
        entries_before = len(session.scalars(select(AuditEntry.id)).all())
    for principal in (desk, it):
        with pytest.raises(PermissionDenied) as refused:
            accounts.create_user(principal, "eko", "Eko", Role.SUPERVISOR, "Sandi-Baru-Eko-9")
        assert "manage user accounts" in refused.value.message.render("en")
        with pytest.raises(PermissionDenied):
            accounts.reset_password(principal, "siti", "Sandi-Reset-Siti-9")
        with pytest.raises(PermissionDenied):
            accounts.disable_user(principal, "siti")
        with pytest.raises(PermissionDenied):
            accounts.list_users(principal)
    with database.read() as session:
        assert len(session.scalars(select(AuditEntry.id)).all()) == entries_before
        assert session.scalars(select(User).where(User.username == "eko")).first() is None
    sign_in(accounts, "siti", BOSS_PASSWORD)


def test_supervisor_reset_unlocks_and_forces_a_new_password(
    accounts: AccountService, boss: Principal, data_key: bytes
) -> None:
    active_user(accounts, boss, "budi", Role.FRONT_DESK)
    for attempt in range(3):
        accounts.authenticate("budi", f"lupa-sandi-{attempt}")
    assert isinstance(accounts.authenticate("budi", CHOSEN), LockedOut)
    reset = accounts.reset_password(boss, "budi", "Reset-Dari-Siti-1")
    assert isinstance(reset, UserView) and reset.must_change_password and reset.locked_until is None
    again = sign_in(accounts, "budi", "Reset-Dari-Siti-1")
    assert again.must_change_password and again.data_key == data_key
    missing = accounts.reset_password(boss, "nobody", "Reset-Dari-Siti-1")
    assert isinstance(missing, Refused) and missing.reason is Refusal.UNKNOWN_USER


def test_a_disabled_account_cannot_sign_in_and_loses_its_key_wrap(
    accounts: AccountService, boss: Principal, database: Database
) -> None:
    active_user(accounts, boss, "budi", Role.FRONT_DESK)
    own = accounts.disable_user(boss, "siti")
    assert isinstance(own, Refused) and own.reason is Refusal.OWN_ACCOUNT
    disabled = accounts.disable_user(boss, "budi")
    assert isinstance(disabled, UserView) and disabled.disabled
    assert user_wrap(database, "budi") is None
    assert isinstance(accounts.authenticate("budi", CHOSEN), AccountDisabled)
    assert isinstance(accounts.authenticate("budi", "tebak-tebakan-1"), WrongCredentials)
    listed = accounts.list_users(boss)
    assert [(u.username, u.role, u.disabled) for u in listed] == [
        ("budi", Role.FRONT_DESK, True),
        ("siti", Role.SUPERVISOR, False),
    ]
    assert not any("hash" in name for name in UserView.__dataclass_fields__)


def test_user_names_are_checked_and_unique(accounts: AccountService, boss: Principal) -> None:
    for bad in ("a", "budi santoso", "système", "system", "x" * 33):
        refused = accounts.create_user(boss, bad, "", Role.FRONT_DESK, INITIAL)
        assert isinstance(refused, Refused) and refused.reason is Refusal.INVALID_USERNAME, bad
    accounts.create_user(boss, "budi", "Budi", Role.FRONT_DESK, INITIAL)
    taken = accounts.create_user(boss, " BUDI", "Budi Lain", Role.IT, INITIAL)
    assert isinstance(taken, Refused) and taken.reason is Refusal.USERNAME_TAKEN


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("pendek-1", "at least 10"),
        ("budi-suka-kopi", "user name"),
        ("aaaaaaaaaaaa", "one character"),
        ("Password123", "too common"),
        ("LAPOR12345", "too common"),
        ("indonesia1", "too common"),
    ],
)
def test_password_policy_explains_each_refusal(password: str, problem: str) -> None:
    message = check_password(password, "budi")
    assert message is not None
    assert problem in message.render("en")


def test_password_policy_accepts_a_reasonable_password() -> None:
    assert check_password("Kopi-Pagi-di-Daik-7", "budi") is None


def test_sign_in_upgrades_an_outdated_hash(
    database: Database, clock: FakeClock, accounts: AccountService, boss: Principal
) -> None:
    with database.read() as session:
        old_hash = session.scalars(select(User.password_hash)).one()
    stronger = AccountService(
        database, clock, STATION, hasher=CountingHasher(time_cost=2), kdf_params=cheap_kdf
    )
    sign_in(stronger, "siti", BOSS_PASSWORD)
    with database.read() as session:
        new_hash = session.scalars(select(User.password_hash)).one()
    assert new_hash != old_hash and "t=2" in new_hash
    sign_in(stronger, "siti", BOSS_PASSWORD)


def test_audit_log_never_contains_the_password(
    accounts: AccountService, boss: Principal, database: Database, clock: FakeClock
) -> None:
    secrets = [BOSS_PASSWORD, INITIAL, CHOSEN, "Reset-Dari-Siti-1", "Salah-Ketik-Lagi-5"]
    active_user(accounts, boss, "budi", Role.FRONT_DESK)
    accounts.authenticate(BOSS_PASSWORD, BOSS_PASSWORD)  # password typed into the name field
    for _ in range(4):
        accounts.authenticate("budi", "Salah-Ketik-Lagi-5")
    accounts.authenticate("budi", CHOSEN)
    clock.advance(minutes=5)
    accounts.reset_password(boss, "budi", "Reset-Dari-Siti-1")
    sign_in(accounts, "siti", BOSS_PASSWORD)
    accounts.disable_user(boss, "budi")
    with database.read() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        dump = json.dumps(
            [[e.actor, e.action, e.entity_type, e.entity_id, e.details] for e in entries]
        )
        actions = [e.action for e in entries]
    for expected in (
        "user.created",
        "password.changed",
        "login.failed",
        "account.locked",
        "login.refused_locked",
        "password.reset",
        "login.succeeded",
        "user.disabled",
    ):
        assert expected in actions
    for secret in [*secrets, "Siti Rahmawati", "Budi", data_key_hex(boss)]:
        assert secret not in dump
    assert audit.verify(database).intact


def data_key_hex(principal: Principal) -> str:
    return principal.data_key.hex()


def test_idle_window_locks_after_the_timeout_and_when_the_clock_goes_back() -> None:
    policy = IdleLockPolicy(timeout_seconds=300)
    start = dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC)
    assert not policy.should_lock(start, start + dt.timedelta(seconds=299))
    assert policy.seconds_left(start, start + dt.timedelta(seconds=200)) == 100
    assert policy.should_lock(start, start + dt.timedelta(seconds=300))
    assert policy.should_lock(start, start - dt.timedelta(minutes=1))
    with pytest.raises(ValueError):
        IdleLockPolicy(timeout_seconds=0)
