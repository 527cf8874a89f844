"""Joining a PC to an office's shared PostgreSQL desk (issue 20 item 3).

Two data folders with two machine-key files are two PCs. The first is set up
as ``init`` does it; the second joins with ``lapor-desktop workstation join``
against the same real PostgreSQL database.
"""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from lapor_desktop.desk import open_desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.data_key import MACHINE
from lapor_desktop.services.workstations import JOINED_ACTION, unused_station_id
from lapor_desktop.settings import OfficeSettings, WorkstationSettings
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, KeyWrap
from tests.support import accounts
from tests.support.cli import Run, in_process
from tests.support.samples import OFFICE_CODE

pytestmark = pytest.mark.postgres
IT = "budi_it"


@dataclasses.dataclass(frozen=True)
class Office:
    url: str
    first_station: str
    second: Path
    run: Run


@pytest.fixture
def office(
    tmp_path: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Office:
    paths = DataPaths(tmp_path / "pc1").ensure()
    first = accounts.initialise_desk(
        paths, OfficeSettings(OFFICE_CODE, "Kabupaten Lingga"), system_clock, postgres_url
    )
    try:
        boss = accounts.sign_in_supervisor(first)
        accounts.add_user(first, boss, IT, Role.IT)
        accounts.add_user(first, boss, "ani", Role.FRONT_DESK)
        station = first.context.station.station_id
    finally:
        first.close()
    monkeypatch.setenv(DATABASE_URL_ENV, postgres_url)
    monkeypatch.setenv(MACHINE_KEY_FILE_ENV, str(tmp_path / "pc2-keys" / "machine.key"))
    return Office(postgres_url, station, tmp_path / "pc2", in_process(monkeypatch, capsys))


def _machine_wraps(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        with database.read() as session:
            stations = session.scalars(select(KeyWrap.station_id).where(KeyWrap.kind == MACHINE))
            found: dict[str, int] = {}
            for station in stations:
                found[str(station)] = found.get(str(station), 0) + 1
            return found
    finally:
        database.dispose()


def test_a_second_pc_joins_and_opens_identities_after_its_first_join(office: Office) -> None:
    ran = office.run(
        office.second,
        "workstation",
        "join",
        "--office-code",
        OFFICE_CODE,
        user=IT,
        password=accounts.PASSWORD,
    )
    assert ran.code == 0, ran.stderr
    settings = WorkstationSettings.load(DataPaths(office.second).workstation_settings)
    assert settings is not None and settings.station_id != office.first_station
    assert f"station id: {settings.station_id}" in ran.stdout
    assert "Kabupaten Lingga (matches)" in ran.stdout and "(answers)" in ran.stdout
    assert "machine key now opens" in ran.stdout
    assert _machine_wraps(office.url) == {office.first_station: 1, settings.station_id: 1}

    second = open_desk(DataPaths(office.second), account_factory=accounts.cheap_accounts)
    try:
        assert second.context.vault is not None, "identities open here without a password"
        with second.database.read() as session:
            joined = session.execute(
                select(AuditEntry.actor, AuditEntry.station_id).where(
                    AuditEntry.action == JOINED_ACTION
                )
            ).one()
        assert tuple(joined) == (IT, settings.station_id)
    finally:
        second.close()

    again = office.run(
        office.second,
        "workstation",
        "join",
        "--office-code",
        OFFICE_CODE,
        user=IT,
        password=accounts.PASSWORD,
    )
    assert again.code == 0, again.stderr
    assert "already joined" in again.stdout
    assert _machine_wraps(office.url) == {office.first_station: 1, settings.station_id: 1}


def test_front_desk_cannot_join_a_pc_and_nothing_is_kept_for_it(office: Office) -> None:
    ran = office.run(
        office.second,
        "workstation",
        "join",
        "--office-code",
        OFFICE_CODE,
        user="ani",
        password=accounts.PASSWORD,
    )
    assert ran.code == 9, ran.stderr
    assert set(_machine_wraps(office.url)) == {office.first_station}


def test_another_offices_database_is_refused_naming_what_was_found(office: Office) -> None:
    ran = office.run(
        office.second,
        "workstation",
        "join",
        "--office-code",
        "2105",
        user=IT,
        password=accounts.PASSWORD,
    )
    assert ran.code == 2
    assert f"belongs to office {OFFICE_CODE} (Kabupaten Lingga), not to 2105" in ran.stderr
    assert not DataPaths(office.second).workstation_settings.exists(), "nothing written"


def test_a_database_from_a_newer_version_is_refused(office: Office) -> None:
    engine = create_engine(office.url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    engine.dispose()
    ran = office.run(
        office.second,
        "workstation",
        "join",
        "--office-code",
        OFFICE_CODE,
        user=IT,
        password=accounts.PASSWORD,
    )
    assert ran.code == 5
    assert "upgraded by a newer version" in ran.stderr and "f00dfeedbeef" in ran.stderr


def test_an_unreachable_server_and_a_sqlite_pc_are_refused_clearly(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(DATABASE_URL_ENV, f"postgresql://lapor@127.0.0.1:{port}/lapor")
    ran = office.run(
        office.second,
        "workstation",
        "join",
        "--office-code",
        OFFICE_CODE,
        user=IT,
        password=accounts.PASSWORD,
    )
    assert ran.code == 5 and "does not answer" in ran.stderr

    monkeypatch.delenv(DATABASE_URL_ENV)
    ran = office.run(
        office.second,
        "workstation",
        "join",
        "--office-code",
        OFFICE_CODE,
        user=IT,
        password=accounts.PASSWORD,
    )
    assert ran.code == 2 and "own SQLite database" in ran.stderr


def test_a_new_pc_never_draws_a_station_id_the_office_has_used(office: Office) -> None:
    database = Database(office.url)
    try:
        draws = iter([office.first_station, office.first_station, "N3W1"])
        assert unused_station_id(database, lambda: next(draws)) == "N3W1"
    finally:
        database.dispose()
