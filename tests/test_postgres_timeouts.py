"""An office database that stops answering is noticed within seconds, with a clear message.

The server is paused (``SIGSTOP`` on the postmaster and every backend), as a
hung server or a pulled cable looks to a workstation: the kernel still
accepts connections and acknowledges packets, but nothing answers. Every
test resumes it in a ``finally``.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from lapor_desktop.desk import Desk, open_database
from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.services.context import Actor
from lapor_desktop.services.intake import IntakeService
from lapor_desktop.settings import WorkstationSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Complaint
from lapor_desktop.storage.pg_connect import PgTimeouts
from lapor_desktop.storage.problems import ProblemKind, storage_problem
from tests.support.samples import valid_form

pytestmark = pytest.mark.postgres

TIMEOUT = 2


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _server_processes(admin_url: str) -> list[int]:
    """The postmaster first, then its children (every backend and helper)."""
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            backend = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    finally:
        engine.dispose()
    if not Path(f"/proc/{backend}").exists():
        pytest.skip("the PostgreSQL server is not on this machine (LAPOR_TEST_POSTGRES_URL)")
    postmaster = _parent(backend)
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if _parent(int(entry.name)) == postmaster:
                    children.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return [postmaster, *children]


@contextmanager
def paused_server(admin_url: str) -> Iterator[None]:
    """The server's processes stopped (not killed): connections stay open, nothing answers."""
    processes = _server_processes(admin_url)
    try:
        for pid in processes:
            with suppress(ProcessLookupError):  # a backend that ended since it was listed
                os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in processes:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@contextmanager
def _quick(desk: Desk, seconds: int = TIMEOUT) -> Iterator[IntakeService]:
    """The desk's intake on a connection pool with this workstation's short timeout."""
    database = Database(desk.database.url, timeouts=PgTimeouts(seconds))
    context = dataclasses.replace(
        desk.context, database=database, references=ReferenceLookup(database)
    )
    try:
        yield IntakeService(context)
    finally:
        database.dispose()


def _count(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Complaint)) or 0)


@pytest.fixture
def pg_desk(desk: Desk) -> Desk:
    if desk.database.is_sqlite:
        pytest.skip("PostgreSQL only")
    return desk


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_save_on_a_paused_server_fails_within_seconds_with_a_clear_message(
    pg_desk: Desk, clerk: Actor, postgres_admin_url: str
) -> None:
    with _quick(pg_desk) as intake:
        _save_around_a_pause(pg_desk, clerk, postgres_admin_url, intake)


def _save_around_a_pause(
    pg_desk: Desk, clerk: Actor, postgres_admin_url: str, intake: IntakeService
) -> None:
    assert intake.submit(valid_form(title="Sebelum jeda"), actor=clerk).queued  # pool warm
    with paused_server(postgres_admin_url):
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised:
            intake.submit(valid_form(title="Selama jeda"), actor=clerk)
        waited = time.monotonic() - started
    problem = storage_problem(raised.value)
    assert problem is not None and problem.kind is ProblemKind.NOT_ANSWERING
    assert "does not answer" in problem.message.render("en")
    assert waited < 4 * TIMEOUT + 2, waited
    assert _count(pg_desk.database) == 1  # nothing of the failed save was written
    again = intake.submit(valid_form(title="Sesudah jeda"), actor=clerk)
    assert again.queued  # the desk works again once the server answers
    assert _count(pg_desk.database) == 2


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_new_connection_to_a_paused_server_times_out(
    pg_desk: Desk, postgres_admin_url: str
) -> None:
    database = Database(pg_desk.database.url, timeouts=PgTimeouts(TIMEOUT))
    try:
        with paused_server(postgres_admin_url):
            started = time.monotonic()
            with pytest.raises(OperationalError) as raised:
                _count(database)
            waited = time.monotonic() - started
        problem = storage_problem(raised.value)
        assert problem is not None and problem.kind is ProblemKind.NOT_ANSWERING
        assert waited < 4 * TIMEOUT, waited
        assert _count(database) == 0  # and answers again once resumed
    finally:
        database.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_statement_past_the_timeout_is_stopped_by_the_server(pg_desk: Desk) -> None:
    database = Database(pg_desk.database.url, timeouts=PgTimeouts(TIMEOUT))
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised, database.read() as session:
            session.execute(text("SELECT pg_sleep(30)"))
        assert time.monotonic() - started < 4 * TIMEOUT
        problem = storage_problem(raised.value)
        assert problem is not None and problem.kind is ProblemKind.TOO_SLOW
    finally:
        database.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_unhurried_statements_may_run_past_the_timeout(pg_desk: Desk) -> None:
    """Migrations run this way: no statement timeout, no answer deadline, for that transaction."""
    database = Database(pg_desk.database.url, timeouts=PgTimeouts(TIMEOUT))
    try:
        with database.unhurried().begin() as connection:
            connection.execute(text(f"SELECT pg_sleep({TIMEOUT + 1.5})"))
            limit = connection.execute(text("SHOW statement_timeout")).scalar_one()
            assert limit == "0"
        with database.read() as session:  # the next transaction has the usual limit again
            assert session.execute(text("SHOW statement_timeout")).scalar_one() == f"{TIMEOUT}s"
        assert migrate.current_revision(database) == migrate.head_revision()
    finally:
        database.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_url_may_set_its_own_limits(pg_desk: Desk) -> None:
    url = f"{pg_desk.database.url}?options=-c%20statement_timeout%3D7000"
    database = Database(url, timeouts=PgTimeouts(TIMEOUT))
    try:
        with database.read() as session:
            assert session.execute(text("SHOW statement_timeout")).scalar_one() == "7s"
            idle = session.execute(text("SHOW idle_in_transaction_session_timeout")).scalar_one()
            assert idle == "1min"
    finally:
        database.dispose()


def test_the_timeout_is_a_workstation_setting_with_a_floor(tmp_path: Path) -> None:
    assert WorkstationSettings("K7QX").database_timeout_seconds == 5
    path = tmp_path / "settings.json"
    WorkstationSettings("K7QX", database_timeout_seconds=3).save(path)
    loaded = WorkstationSettings.load(path)
    assert loaded is not None and loaded.database_timeout_seconds == 3
    assert PgTimeouts(3).libpq_parameters()["connect_timeout"] == "3"
    assert "statement_timeout=3000" in PgTimeouts(3).server_options()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_opening_the_desk_uses_this_workstations_timeout(pg_desk: Desk) -> None:
    settings = WorkstationSettings.load(pg_desk.paths.workstation_settings)
    assert settings is not None
    dataclasses.replace(settings, database_timeout_seconds=3).save(
        pg_desk.paths.workstation_settings
    )
    database = open_database(pg_desk.paths, pg_desk.database.url)
    try:
        assert database.timeouts == PgTimeouts(3)
        with database.read() as session:
            assert session.execute(text("SHOW statement_timeout")).scalar_one() == "3s"
    finally:
        database.dispose()
