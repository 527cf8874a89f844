"""Guessing passwords: a burst of parallel guesses, weak passwords, and probing for accounts.

The attacks: 12 wrong guesses sent at once were all checked (the lock was
not re-read after hashing); ``Lingga2104!`` and ``qwerty123456`` were
accepted as passwords; and the lock message told a real account from a
made-up name.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from argon2 import PasswordHasher
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.security.keys import KdfParams
from lapor_desktop.services.accounts import AccountService, Refusal, Refused
from lapor_desktop.services.passwords import LockedOut, LockoutPolicy, WrongCredentials
from lapor_desktop.storage.models import AuditEntry, User
from tests.support import accounts
from tests.support.clock import FakeClock

GUESSES = 12


class CountingHasher(PasswordHasher):
    """Argon2 slow enough (milliseconds) for guesses to overlap, counting each verification."""

    def __init__(self) -> None:
        super().__init__(time_cost=2, memory_cost=4096, parallelism=1)
        self._lock = threading.Lock()
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.verifications += 1
        return super().verify(hash, password)


def _guessing_service(desk: Desk, clock: FakeClock, hasher: CountingHasher) -> AccountService:
    def kdf() -> KdfParams:
        return KdfParams(salt=os.urandom(16), time_cost=1, memory_cost=8, parallelism=1)

    return AccountService(
        desk.database, clock, "ST99", hasher=hasher, kdf_params=kdf, lockout=LockoutPolicy()
    )


def test_twelve_parallel_guesses_get_only_the_checks_the_lockout_allows(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    hasher = CountingHasher()
    service = _guessing_service(sqlite_desk, clock, hasher)
    name = accounts.SUPERVISOR.username
    start = threading.Barrier(GUESSES)

    def guess(n: int) -> object:
        start.wait()
        return service.authenticate(name, f"Tebakan-Paralel-{n:02d}")

    with ThreadPoolExecutor(GUESSES) as pool:
        outcomes = list(pool.map(guess, range(GUESSES)))

    threshold = LockoutPolicy().threshold
    assert hasher.verifications == threshold
    with sqlite_desk.database.read() as session:
        counted = session.scalars(select(User.failed_attempts).where(User.username == name)).one()
        failed = session.scalars(
            select(AuditEntry.id).where(AuditEntry.action == "login.failed")
        ).all()
    assert counted == threshold and len(failed) == threshold
    assert sum(isinstance(o, WrongCredentials) for o in outcomes) == threshold - 1
    assert sum(isinstance(o, LockedOut) for o in outcomes) == GUESSES - threshold + 1


def test_after_the_lock_window_one_more_guess_is_checked_then_the_lock_doubles(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    hasher = CountingHasher()
    service = _guessing_service(sqlite_desk, clock, hasher)
    name = accounts.SUPERVISOR.username
    for n in range(3):
        service.authenticate(name, f"Tebakan-Satu-{n}")
    clock.advance(seconds=30)
    checked_before = hasher.verifications

    burst = [service.authenticate(name, f"Tebakan-Dua-{n}") for n in range(5)]

    assert hasher.verifications == checked_before + 1
    assert all(isinstance(o, LockedOut) for o in burst)
    first = burst[0]
    assert isinstance(first, LockedOut) and (first.until - clock()).total_seconds() == 60


def test_a_lock_reached_with_the_right_password_does_not_refuse_it(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    service = _guessing_service(sqlite_desk, clock, CountingHasher())
    name = accounts.SUPERVISOR.username
    for n in range(2):
        service.authenticate(name, f"Tebakan-Salah-{n}")

    outcome = service.authenticate(name, accounts.SUPERVISOR.password)

    assert not isinstance(outcome, LockedOut | WrongCredentials), outcome


def test_the_lock_message_is_the_same_for_a_name_without_an_account(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    service = _guessing_service(sqlite_desk, clock, CountingHasher())
    real = [service.authenticate(accounts.SUPERVISOR.username, f"Salah-{n}-xx") for n in range(4)]
    made_up = [service.authenticate("tidak.ada", f"Salah-{n}-xx") for n in range(4)]

    assert [type(o) for o in real] == [type(o) for o in made_up]
    assert isinstance(real[-1], LockedOut) and isinstance(made_up[-1], LockedOut)
    assert real[-1].message.bilingual() == made_up[-1].message.bilingual()
    assert real[-1].until == made_up[-1].until


def test_passwords_built_from_the_office_or_a_keyboard_row_are_refused(
    sqlite_desk: Desk,
) -> None:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    for weak in ("Lingga2104!", "qwerty123456", "Kabupaten2104", "Pengaduan2026!"):
        refused = sqlite_desk.accounts.create_user(boss, "wati", "Wati", Role.FRONT_DESK, weak)
        assert isinstance(refused, Refused) and refused.reason is Refusal.WEAK_PASSWORD, weak
        assert "too easy to guess" in refused.message.render("en")
    created = sqlite_desk.accounts.create_user(
        boss, "wati", "Wati", Role.FRONT_DESK, "Perahu-Senja-Tanjung-48"
    )
    assert not isinstance(created, Refused)
