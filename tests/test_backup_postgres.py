"""Backups of a PostgreSQL desk (issue 20 item 4): dumped, rotated, restored into an empty database.

Everything runs against the real PostgreSQL server the test session starts,
with the real ``pg_dump``/``pg_restore`` of the workstation, through the
command line as IT staff use it.
"""

from __future__ import annotations

import datetime as dt
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import selectinload

from lapor_desktop.backups.automatic import back_up_on_open
from lapor_desktop.backups.copies import PG_DUMP_SUFFIX, Reason, list_backups
from lapor_desktop.backups.pg_dump import back_up_postgres
from lapor_desktop.backups.pg_restore import require_empty
from lapor_desktop.backups.pg_tools import BINDIR_ENV, connection, run_tool
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, Complaint
from tests.support import accounts
from tests.support.cli import CLERK, IT, NIK, Run, clerk_of, in_process, open_desk, set_up_desk
from tests.support.clock import FakeClock
from tests.support.samples import valid_form

pytestmark = pytest.mark.postgres

TITLES = ("Jalan rusak di Daik", "Air bersih tidak mengalir", "Lampu jalan padam")


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


@pytest.fixture
def empty_url(postgres_admin_url: str) -> Iterator[str]:
    """A second, empty database on the session's server: where a dump is restored."""
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{postgres_admin_url.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_desk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres_url: str) -> Path:
    """A PostgreSQL desk as ``init`` leaves it, with three complaints recorded by the clerk."""
    monkeypatch.setenv("LAPOR_DATABASE_URL", postgres_url)
    data_dir = set_up_desk(tmp_path)
    desk = open_desk(data_dir)
    try:
        clerk = clerk_of(desk)
        for title in TITLES:
            saved = desk.intake.submit(valid_form(title=title), actor=clerk)
            assert saved.queued, saved.issues
    finally:
        desk.close()
    for taken in list_backups(data_dir / "backups", PG_DUMP_SUFFIX):
        taken.path.unlink()  # the daily dump of the opening above: each test counts its own
    return data_dir


def _complaints(url: str) -> dict[str, str]:
    """Registration number → title, read straight from the database."""
    database = Database(url)
    try:
        with database.read() as session:
            rows = session.execute(select(Complaint.registration_number, Complaint.title)).all()
            return {str(number): title for number, title in rows}
    finally:
        database.dispose()


def _actions(url: str, action: str) -> list[tuple[str, str, dict[str, object]]]:
    """(actor, entity_id, details) of each entry of ``action`` in the audit log at ``url``."""
    database = Database(url)
    try:
        with database.read() as session:
            found = session.scalars(select(AuditEntry).where(AuditEntry.action == action))
            return [(e.actor, e.entity_id, dict(e.details)) for e in found]
    finally:
        database.dispose()


def _backup(run: Run, data_dir: Path) -> Path:
    made = run(data_dir, "db", "backup", user=IT, password=accounts.PASSWORD)
    assert made.code == 0, made.stderr
    (dump,) = [  # the daily dump taken when the desk opened is there too
        d for d in list_backups(data_dir / "backups", PG_DUMP_SUFFIX) if str(d.path) in made.stdout
    ]
    return dump.path


def test_a_dump_restored_into_an_empty_database_gives_the_same_desk(
    run: Run, pg_desk: Path, postgres_url: str, empty_url: str
) -> None:
    before = _complaints(postgres_url)
    dump = _backup(run, pg_desk)

    restored = run(
        pg_desk,
        "db",
        "restore",
        str(dump),
        user=IT,
        password=accounts.PASSWORD,
        LAPOR_DATABASE_URL=empty_url,
    )

    assert restored.code == 0, restored.stderr
    assert "3 complaints" in restored.stdout and "audit log intact" in restored.stdout
    assert _complaints(empty_url) == before and len(before) == 3
    desk = open_desk(pg_desk)  # opens on the restored database and unlocks its identities
    try:
        clerk_of(desk)
        vault = desk.context.vault
        assert vault is not None
        with desk.database.read() as session:
            found = session.scalars(select(Complaint).options(selectinload(Complaint.identity)))
            niks = {vault.open(c.uuid, c.identity).nik for c in found if c.identity}
        assert niks == {NIK}
    finally:
        desk.close()
    verified = run(pg_desk, "audit", "verify", user=IT, password=accounts.PASSWORD)
    assert verified.code == 0, verified.stdout + verified.stderr


def test_backup_and_restore_are_audited_with_who_did_them(
    run: Run, pg_desk: Path, postgres_url: str, empty_url: str
) -> None:
    dump = _backup(run, pg_desk)
    restored = run(
        pg_desk,
        "db",
        "restore",
        str(dump),
        user=IT,
        password=accounts.PASSWORD,
        LAPOR_DATABASE_URL=empty_url,
    )
    assert restored.code == 0, restored.stderr

    [(actor, entity_id, details)] = _actions(postgres_url, "database.backed_up")
    assert actor == IT and entity_id == dump.name
    assert details["reason"] == "manual" and details["path"] == str(dump)
    [(actor, entity_id, details)] = _actions(empty_url, "database.restored")
    assert actor == IT and entity_id == dump.name and details["reason"] == "into-empty"
    assert _actions(empty_url, "database.backed_up") == [], "the dump holds no entry of itself"


def test_the_dump_is_owner_only_and_holds_identities_sealed(
    run: Run, pg_desk: Path, tmp_path: Path
) -> None:
    dump = _backup(run, pg_desk)
    chosen = tmp_path / "usb" / "kantor.pgdump"
    chosen.parent.mkdir()
    made = run(pg_desk, "db", "backup", "--to", str(chosen), user=IT, password=accounts.PASSWORD)
    assert made.code == 0, made.stderr
    as_sql = run_tool("pg_restore", ["--file=-", dump]).stdout  # every row, uncompressed

    for path in (dump, chosen):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes().startswith(b"PGDMP")
    assert TITLES[0].encode() in as_sql  # the complaint itself is there, readable
    for plain in (NIK, "Siti Aminah", "081234567890", "siti.aminah@example.id"):
        assert plain.encode() not in as_sql and plain.encode() not in dump.read_bytes()
    assert [p.name for p in dump.parent.iterdir() if p.name.endswith(".partial")] == []


def test_a_restore_into_a_database_that_is_not_empty_is_refused(
    run: Run, pg_desk: Path, postgres_url: str
) -> None:
    dump = _backup(run, pg_desk)
    before = _complaints(postgres_url)

    refused = run(pg_desk, "db", "restore", str(dump), user=IT, password=accounts.PASSWORD)

    assert refused.code == 5
    assert "not empty" in refused.stderr and "EMPTY" in refused.stderr
    assert _complaints(postgres_url) == before


def test_a_refused_sign_in_after_the_restore_leaves_the_database_empty_again(
    run: Run, pg_desk: Path, empty_url: str
) -> None:
    dump = _backup(run, pg_desk)

    refused = run(
        pg_desk,
        "db",
        "restore",
        str(dump),
        user=CLERK,
        password=accounts.PASSWORD,
        LAPOR_DATABASE_URL=empty_url,
    )

    assert refused.code == 9, refused.stderr
    database = Database(empty_url)
    try:
        require_empty(database)  # raises if anything was left behind
    finally:
        database.dispose()


def test_a_file_that_is_not_a_dump_is_refused_before_anything_is_asked(
    run: Run, pg_desk: Path, empty_url: str, tmp_path: Path
) -> None:
    fake = tmp_path / "cadangan.pgdump"
    fake.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)

    refused = run(pg_desk, "db", "restore", str(fake), user=None, LAPOR_DATABASE_URL=empty_url)

    assert refused.code == 5 and "not a LAPOR! Desktop PostgreSQL dump" in refused.stderr


def test_dumps_are_rotated_like_the_sqlite_copies(
    pg_desk: Path, postgres_url: str, clock: FakeClock
) -> None:
    folder = pg_desk / "backups"
    theirs = folder / "lapor-20200101T000000Z-manual.sqlite3"
    theirs.write_bytes(b"a SQLite copy of another desk")
    for _ in range(5):
        clock.advance(days=1)
        back_up_postgres(postgres_url, folder, now=clock(), reason=Reason.DAILY, keep=3)

    kept = list_backups(folder, PG_DUMP_SUFFIX)

    assert [b.taken_at for b in kept] == [clock() - dt.timedelta(days=d) for d in (0, 1, 2)]
    assert theirs.exists()


def test_opening_a_postgresql_desk_dumps_it_once_a_day(
    pg_desk: Path, postgres_url: str, clock: FakeClock
) -> None:
    folder = pg_desk / "backups"
    database = Database(postgres_url)
    try:
        first = back_up_on_open(database, None, folder, now=clock(), keep=14)
        clock.advance(hours=20)
        same_day = back_up_on_open(database, None, folder, now=clock(), keep=14)
        clock.advance(hours=5)
        next_day = back_up_on_open(database, None, folder, now=clock(), keep=14)
    finally:
        database.dispose()

    assert first is not None and first.reason is Reason.DAILY
    assert same_day is None
    assert next_day is not None and len(list_backups(folder, PG_DUMP_SUFFIX)) == 2


def test_without_pg_dump_the_message_names_what_to_install(
    run: Run, pg_desk: Path, postgres_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    nowhere = tmp_path / "no-tools"
    nowhere.mkdir()

    refused = run(
        pg_desk, "db", "backup", user=IT, password=accounts.PASSWORD, **{BINDIR_ENV: str(nowhere)}
    )
    database = Database(postgres_url)
    try:
        daily = back_up_on_open(database, None, pg_desk / "backups", now=clock(), keep=14)
    finally:
        database.dispose()

    assert refused.code == 5
    assert "pg_dump was not found" in refused.stderr and "postgresql-client" in refused.stderr
    assert daily is None, "a daily backup that cannot be taken does not stop the desk"
    assert list_backups(pg_desk / "backups", PG_DUMP_SUFFIX) == []


def test_the_password_goes_to_the_environment_never_the_command_line() -> None:
    conninfo, env = connection("postgresql+psycopg://lapor:Rahasia-42@db.kantor:5433/lapor")

    assert "Rahasia-42" not in conninfo
    assert "host='db.kantor'" in conninfo and "port='5433'" in conninfo
    assert env["PGPASSWORD"] == "Rahasia-42"
