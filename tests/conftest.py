"""Shared fixtures: a temporary data folder per test, a fake clock, and both databases."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts, postgres, samples
from tests.support.clock import FakeClock


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No outside data folder or database; a machine key file of this test's own.

    No OS keyring runs here, so the documented key-file fallback stands in
    for it, outside the data folder as it must be.
    """
    for name in ("LAPOR_DATA_DIR", "LAPOR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LAPOR_MACHINE_KEY_FILE", str(tmp_path / "keys" / "machine.key"))


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    existing = os.environ.get("LAPOR_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    if postgres.find_bindir() is None:
        if os.environ.get("LAPOR_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (LAPOR_REQUIRE_POSTGRES) but initdb was not found")
        pytest.skip("PostgreSQL server binaries not installed (.ci/run installs them)")
    with postgres.running_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_admin_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'lapor.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def data_paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data").ensure()


@pytest.fixture
def clock() -> FakeClock:
    # 09:30 WIB on Friday 27 November 2026.
    return FakeClock(dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC))


@pytest.fixture
def office() -> OfficeSettings:
    return OfficeSettings(office_code=samples.OFFICE_CODE, office_name=samples.OFFICE_NAME)


@pytest.fixture
def desk(
    data_paths: DataPaths, database_url: str, clock: FakeClock, office: OfficeSettings
) -> Iterator[Desk]:
    desk = accounts.initialise_desk(data_paths, office, clock, database_url)
    yield desk
    desk.close()


@pytest.fixture
def sqlite_desk(data_paths: DataPaths, clock: FakeClock, office: OfficeSettings) -> Iterator[Desk]:
    desk = accounts.initialise_desk(data_paths, office, clock)
    yield desk
    desk.close()


@pytest.fixture
def supervisor(desk: Desk) -> Principal:
    return accounts.sign_in_supervisor(desk)


@pytest.fixture
def clerk(desk: Desk, supervisor: Principal) -> Actor:
    """A front-desk operator, signed in: the usual actor of the intake tests."""
    return accounts.add_user(desk, supervisor, "ani", Role.FRONT_DESK).actor


@pytest.fixture
def it_staff(desk: Desk, supervisor: Principal) -> Actor:
    return accounts.add_user(desk, supervisor, "budi_it", Role.IT).actor


@pytest.fixture
def sqlite_clerk(sqlite_desk: Desk) -> Actor:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    return accounts.add_user(sqlite_desk, boss, "ani", Role.FRONT_DESK).actor
