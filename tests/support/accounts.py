"""Accounts for tests: real Argon2, at costs low enough to keep the suite fast."""

from __future__ import annotations

import os

from argon2 import PasswordHasher

from lapor_desktop.desk import Desk, FirstSupervisor, initialise
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.keys import KdfParams
from lapor_desktop.services.accounts import (
    AccountService,
    PasswordChanged,
    Principal,
    SignedIn,
)
from lapor_desktop.services.context import Clock
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.database import Database

SUPERVISOR = FirstSupervisor("kepala", "Kepala Bagian Pengaduan", "Daik-Lingga-2104!")
INITIAL_PASSWORD = "Sementara-2104-awal"
PASSWORD = "Rahasia-Meja-Depan-7"


def cheap_kdf() -> KdfParams:
    return KdfParams(salt=os.urandom(16), time_cost=1, memory_cost=8, parallelism=1)


def cheap_accounts(database: Database, clock: Clock, station_id: str) -> AccountService:
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return AccountService(database, clock, station_id, hasher=hasher, kdf_params=cheap_kdf)


def initialise_desk(
    paths: DataPaths, office: OfficeSettings, clock: Clock, database_url: str | None = None
) -> Desk:
    """A desk set up as ``init`` does it, with its first supervisor, at test costs."""
    return initialise(
        paths,
        office,
        supervisor=SUPERVISOR,
        database_url=database_url,
        clock=clock,
        account_factory=cheap_accounts,
    )


def sign_in_supervisor(desk: Desk) -> Principal:
    return sign_in(desk, SUPERVISOR.username, SUPERVISOR.password)


def sign_in(desk: Desk, username: str, password: str) -> Principal:
    outcome = desk.sign_in(username, password)
    assert isinstance(outcome, SignedIn), outcome
    return outcome.principal


def add_user(desk: Desk, by: Principal, username: str, role: Role) -> Principal:
    """Create an account and make its first sign-in, password change included."""
    desk.accounts.create_user(by, username, username.title(), role, INITIAL_PASSWORD)
    changed = desk.accounts.change_password(username, INITIAL_PASSWORD, PASSWORD)
    assert isinstance(changed, PasswordChanged), changed
    return sign_in(desk, username, PASSWORD)
