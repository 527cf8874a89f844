"""Sign-ins at once, on both databases: a burst of wrong guesses, and several right ones.

Found by the load bench: five right sign-ins to one account at the same moment locked it
for 30 s, since each attempt was counted as a failure before its hash. Now an attempt
takes a slot before its hash and counts as failed only once its hash fails.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from argon2 import PasswordHasher
from sqlalchemy import func, select

from lapor_desktop.desk import Desk
from lapor_desktop.security.keys import KdfParams
from lapor_desktop.services.accounts import AccountService, SignedIn
from lapor_desktop.services.passwords import (
    LockedOut,
    LockoutPolicy,
    PasswordHashing,
    WrongCredentials,
)
from lapor_desktop.services.sign_in_gate import PasswordGate, Verified
from lapor_desktop.storage.audit_models import SignInCheck
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, User
from tests.support import accounts
from tests.support.clock import FakeClock

NAME = accounts.SUPERVISOR.username
RIGHT = accounts.SUPERVISOR.password


class OverlapHasher(PasswordHasher):
    """Argon2 slow enough (milliseconds) for checks to overlap; counts them and their overlap."""

    def __init__(self) -> None:
        super().__init__(time_cost=2, memory_cost=32768, parallelism=1)
        self._lock = threading.Lock()
        self._running = 0
        self.verifications = 0
        self.most_at_once = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.verifications += 1
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)
        try:
            return super().verify(hash, password)
        finally:
            with self._lock:
                self._running -= 1


def _cheap_kdf() -> KdfParams:
    return KdfParams(salt=os.urandom(16), time_cost=1, memory_cost=8, parallelism=1)


def _service(desk: Desk, clock: FakeClock, hasher: PasswordHasher) -> AccountService:
    """The supervisor's hash remade at the hasher's cost (a check costs what its hash says)."""
    with desk.database.write() as session:
        user = session.scalars(select(User).where(User.username == NAME)).one()
        user.password_hash = hasher.hash(RIGHT)
    return AccountService(
        desk.database, clock, "ST99", hasher=hasher, kdf_params=_cheap_kdf, lockout=LockoutPolicy()
    )


def _at_once(count: int, attempt: Callable[[int], object]) -> list[object]:
    start = threading.Barrier(count)

    def run(n: int) -> object:
        start.wait()
        return attempt(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _account_state(desk: Desk) -> tuple[int, dt.datetime | None, int]:
    with desk.database.read() as session:
        user = session.scalars(select(User).where(User.username == NAME)).one()
        slots = session.scalar(select(func.count()).select_from(SignInCheck))
        return user.failed_attempts, user.locked_until, slots or 0


def test_five_right_sign_ins_at_once_all_pass_and_leave_the_account_unlocked(
    desk: Desk, clock: FakeClock
) -> None:
    hasher = OverlapHasher()
    service = _service(desk, clock, hasher)

    outcomes = _at_once(5, lambda _n: service.authenticate(NAME, RIGHT))

    assert all(isinstance(o, SignedIn) for o in outcomes), outcomes
    assert _account_state(desk) == (0, None, 0)
    assert 1 < hasher.most_at_once <= LockoutPolicy().threshold
    with desk.database.read() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("login.succeeded") >= 5 and "account.locked" not in actions


def test_a_burst_of_wrong_guesses_gets_only_the_checks_the_lock_window_allows(
    desk: Desk, clock: FakeClock
) -> None:
    hasher = OverlapHasher()
    service = _service(desk, clock, hasher)
    threshold = LockoutPolicy().threshold

    first = _at_once(10, lambda n: service.authenticate(NAME, f"Tebakan-Serbu-{n:02d}"))

    assert hasher.verifications == threshold
    assert sum(isinstance(o, LockedOut) for o in first) == 10 - threshold + 1
    failures, until, slots = _account_state(desk)
    assert (failures, slots) == (threshold, 0)
    assert until == clock() + dt.timedelta(seconds=30)

    clock.advance(seconds=30)
    second = _at_once(10, lambda n: service.authenticate(NAME, f"Tebakan-Lagi-{n:02d}"))

    assert hasher.verifications == threshold + 1
    assert all(isinstance(o, LockedOut) for o in second)
    assert _account_state(desk)[1] == clock() + dt.timedelta(seconds=60)


def test_right_and_wrong_at_once_the_right_ones_pass_and_no_more_than_the_threshold_fail(
    desk: Desk, clock: FakeClock
) -> None:
    hasher = OverlapHasher()
    service = _service(desk, clock, hasher)

    outcomes = _at_once(
        6, lambda n: service.authenticate(NAME, RIGHT if n % 2 else f"Tebakan-Campur-{n}")
    )

    right = [o for n, o in enumerate(outcomes) if n % 2]
    wrong = [o for n, o in enumerate(outcomes) if not n % 2]
    assert all(isinstance(o, SignedIn | LockedOut) for o in right), right
    assert all(isinstance(o, WrongCredentials | LockedOut) for o in wrong), wrong
    assert hasher.most_at_once <= LockoutPolicy().threshold
    assert _account_state(desk)[2] == 0


def test_a_slot_left_by_a_check_that_died_lapses_after_its_lease(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    with sqlite_desk.database.write() as session:
        user_id = session.scalars(select(User.id).where(User.username == NAME)).one()
        expires = clock() + dt.timedelta(seconds=60)
        session.add_all([SignInCheck(user_id=user_id, expires_at=expires) for _ in range(3)])
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock.advance(seconds=1)

    gate = PasswordGate(
        sqlite_desk.database,
        clock,
        "ST99",
        PasswordHashing(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)),
        LockoutPolicy(),
        sleep=sleep,
    )

    outcome = gate.check(NAME, RIGHT, purpose="login")

    assert isinstance(outcome, Verified)
    assert len(waited) == 60
    assert _account_state(sqlite_desk) == (0, None, 0)


PROCESSES = 6
_FIXED_NOW = dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC)


def _fixed_clock() -> dt.datetime:
    return _FIXED_NOW


def _guess_in_own_process(url: str, start: Any, results: Any, n: int) -> None:
    """One workstation's guess: its own process, engine and connection to the one database."""
    database = Database(url)
    try:
        service = AccountService(
            database,
            _fixed_clock,
            f"ST{n:02d}",
            hasher=PasswordHasher(time_cost=2, memory_cost=32768, parallelism=1),
            kdf_params=_cheap_kdf,
        )
        start.wait()
        results.put(type(service.authenticate(NAME, f"Tebakan-Proses-{n}")).__name__)
    finally:
        database.dispose()


def test_guesses_from_separate_processes_share_the_lock(desk: Desk) -> None:
    """The slots are rows of the database, not memory of one process: workstations share them."""
    hasher = PasswordHasher(time_cost=2, memory_cost=32768, parallelism=1)
    _service(desk, FakeClock(_FIXED_NOW), hasher)
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(target=_guess_in_own_process, args=(desk.database.url, start, results, n))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    threshold = LockoutPolicy().threshold
    assert sorted(outcomes).count("LockedOut") == PROCESSES - threshold + 1, outcomes
    with desk.database.read() as session:
        failed = session.scalars(
            select(AuditEntry.id).where(AuditEntry.action == "login.failed")
        ).all()
    assert len(failed) == threshold
    assert _account_state(desk)[0] == threshold
