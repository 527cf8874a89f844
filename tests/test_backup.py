"""Backups of the SQLite database: taken while working, rotated, restored; the start-up check."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lapor_desktop import desk as desk_module
from lapor_desktop.backups import startup
from lapor_desktop.backups.copies import Reason, back_up, backup_due, list_backups
from lapor_desktop.backups.restore import RestoreRefused, restore
from lapor_desktop.backups.sqlite_files import check_file
from lapor_desktop.desk import Desk, open_database, workstation
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, Complaint
from tests.support import accounts
from tests.support.cli import CLERK, IT, Run, in_process, open_desk, set_up_desk
from tests.support.clock import FakeClock
from tests.support.damaged_disk import damage
from tests.support.samples import valid_form


def _count(path: Path) -> int:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return int(c.execute("SELECT count(*) FROM complaints").fetchone()[0])


def _titles(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return {title for (title,) in c.execute("SELECT title FROM complaints")}


def _save(desk: Desk, clerk: Actor, title: str) -> None:
    saved = desk.intake.submit(valid_form(title=title), actor=clerk)
    assert saved.queued, saved.issues


# Taking backups -----------------------------------------------------------------------------


def test_a_backup_taken_while_working_is_a_whole_checked_copy(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    for n in range(5):
        _save(sqlite_desk, sqlite_clerk, f"Keluhan {n}")
    paths = sqlite_desk.paths

    backup = back_up(paths.database, paths.backups, now=clock(), reason=Reason.MANUAL)
    _save(sqlite_desk, sqlite_clerk, "Sesudah cadangan")

    check = check_file(backup.path)
    assert check.intact and check.revision == migrate.head_revision()
    assert _count(backup.path) == 5
    assert backup.path.name == "lapor-20261127T023000Z-manual.sqlite3"
    assert not backup.path.with_name(backup.path.name + "-wal").exists()
    assert [p.name for p in paths.backups.iterdir() if p.name.endswith(".partial")] == []


def test_rotation_keeps_the_newest_backups_and_leaves_other_files_alone(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    paths = sqlite_desk.paths
    mine = paths.backups / "copy-before-audit.sqlite3"
    mine.write_bytes(b"kept by IT staff")
    for _ in range(5):
        clock.advance(days=1)
        back_up(paths.database, paths.backups, now=clock(), reason=Reason.DAILY, keep=3)

    kept = list_backups(paths.backups)

    assert [b.taken_at for b in kept] == [clock() - dt.timedelta(days=d) for d in (0, 1, 2)]
    assert mine.read_bytes() == b"kept by IT staff"


def test_opening_the_desk_backs_up_once_a_day(
    data_paths: DataPaths, sqlite_desk: Desk, clock: FakeClock
) -> None:
    sqlite_desk.close()
    first = list_backups(data_paths.backups)
    clock.advance(hours=20)
    open_desk_at(data_paths, clock).close()
    same_day = list_backups(data_paths.backups)
    clock.advance(hours=5)
    open_desk_at(data_paths, clock).close()
    next_day = list_backups(data_paths.backups)

    assert [b.reason for b in first] == [Reason.DAILY]
    assert same_day == first
    assert len(next_day) == 2 and next_day[0].taken_at == clock().replace(microsecond=0)
    assert not backup_due(data_paths.backups, clock())


def test_the_number_of_backups_kept_is_a_workstation_setting(
    data_paths: DataPaths, sqlite_desk: Desk, clock: FakeClock
) -> None:
    sqlite_desk.close()
    settings = workstation(data_paths)
    settings.__class__(**{**settings.__dict__, "backups_kept": 2}).save(
        data_paths.workstation_settings
    )
    for _ in range(4):
        clock.advance(days=1)
        open_desk_at(data_paths, clock).close()

    assert len(list_backups(data_paths.backups)) == 2


def test_a_migration_is_preceded_by_a_backup_of_the_old_schema(
    data_paths: DataPaths, clock: FakeClock
) -> None:
    database = Database(data_paths.database_url())
    with database.engine.begin() as connection:
        from alembic import command

        from lapor_desktop.storage.migrate import _config

        command.upgrade(_config(connection), "0002")
    database.dispose()

    open_database(data_paths, clock=clock).dispose()

    (backup,) = list_backups(data_paths.backups)
    assert backup.reason is Reason.BEFORE_MIGRATION
    assert check_file(backup.path).revision == "0002"


def test_a_migration_does_not_run_when_its_backup_cannot_be_written(
    data_paths: DataPaths, sqlite_desk: Desk, clock: FakeClock
) -> None:
    sqlite_desk.close()
    with closing(sqlite3.connect(data_paths.database)) as c, c:
        c.execute("UPDATE alembic_version SET version_num = '0002'")
    for old in data_paths.backups.iterdir():
        old.unlink()
    data_paths.backups.rmdir()
    data_paths.backups.write_text("not a folder")  # the backup cannot be written there

    with pytest.raises(OSError):
        open_database(data_paths, clock=clock)

    assert check_file(data_paths.database).revision == "0002"


def open_desk_at(paths: DataPaths, clock: FakeClock) -> Desk:
    return desk_module.open_desk(paths, clock=clock, account_factory=accounts.cheap_accounts)


# Restoring ----------------------------------------------------------------------------------


def test_restore_puts_the_backup_back_and_keeps_the_current_database_aside(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    paths = sqlite_desk.paths
    _save(sqlite_desk, sqlite_clerk, "Sebelum cadangan")
    backup = back_up(paths.database, paths.backups, now=clock(), reason=Reason.MANUAL)
    _save(sqlite_desk, sqlite_clerk, "Sesudah cadangan")
    sqlite_desk.close()

    restored = restore(paths, backup.path, now=clock())

    assert _titles(paths.database) == {"Sebelum cadangan"}
    assert restored.set_aside is not None and restored.set_aside.parent.name == "set-aside"
    assert _titles(restored.set_aside) == {"Sebelum cadangan", "Sesudah cadangan"}
    assert check_file(backup.path).intact  # the backup itself is untouched
    assert not paths.database.with_name("lapor.sqlite3-wal").exists()
    open_desk_at(paths, clock).close()


@pytest.mark.parametrize("kind", ["not sqlite", "not lapor", "newer", "damaged"])
def test_restore_refuses_a_file_it_cannot_use_and_changes_nothing(
    sqlite_desk: Desk, clock: FakeClock, tmp_path: Path, kind: str
) -> None:
    paths = sqlite_desk.paths
    sqlite_desk.close()
    before = paths.database.read_bytes()
    candidate = tmp_path / "candidate.sqlite3"
    if kind == "not sqlite":
        candidate.write_bytes(b"PK\x03\x04 a zip file, not a database" * 100)
    elif kind == "not lapor":
        with closing(sqlite3.connect(candidate)) as c, c:
            c.execute("CREATE TABLE notes (body TEXT)")
    else:
        backup = back_up(paths.database, paths.backups, now=clock(), reason=Reason.MANUAL)
        candidate.write_bytes(backup.path.read_bytes())
        if kind == "newer":
            with closing(sqlite3.connect(candidate)) as c, c:
                c.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        else:
            damage(candidate)

    with pytest.raises(RestoreRefused) as refused:
        restore(paths, candidate, now=clock())

    assert paths.database.read_bytes() == before
    assert not (paths.root / "set-aside").exists()
    assert str(candidate) in refused.value.message.render("en")


# The start-up check -------------------------------------------------------------------------


def test_a_damaged_database_is_found_at_start_up_and_the_newest_good_backup_offered(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    paths = sqlite_desk.paths
    for n in range(30):
        _save(sqlite_desk, sqlite_clerk, f"Keluhan nomor {n}")
    good = back_up(paths.database, paths.backups, now=clock(), reason=Reason.MANUAL)
    clock.advance(hours=1)
    bad = paths.backups / "lapor-20261127T033000Z-manual.sqlite3"
    bad.write_bytes(good.path.read_bytes())
    damage(bad)  # a newer backup that is itself damaged is passed over
    sqlite_desk.close()
    damage(paths.database)
    damaged_bytes = paths.database.read_bytes()

    health = startup.startup_check(paths)
    with pytest.raises(startup.DatabaseDamaged) as refused:
        open_desk_at(paths, clock)
    restored = startup.restore_newest_good(paths, now=clock())

    assert isinstance(health, startup.Damaged)
    assert health.newest_good is not None and health.newest_good.path == good.path
    text = refused.value.message.render("en")
    assert "damaged" in text and good.path.name in text and "2026-11-27 02:30 UTC" in text
    assert restored.set_aside is not None and restored.set_aside.read_bytes() == damaged_bytes
    assert isinstance(startup.startup_check(paths), startup.Healthy)
    desk = open_desk_at(paths, clock)
    with desk.database.read() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 30
    desk.close()


def test_damage_without_any_good_backup_says_so_and_deletes_nothing(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    paths = sqlite_desk.paths
    for n in range(30):
        _save(sqlite_desk, sqlite_clerk, f"Keluhan nomor {n}")
    sqlite_desk.close()
    for old in paths.backups.iterdir():
        old.unlink()
    damage(paths.database)

    health = startup.startup_check(paths)

    assert isinstance(health, startup.Damaged) and health.newest_good is None
    assert "no good backup" in health.message.render("en")
    with pytest.raises(RestoreRefused):
        startup.restore_newest_good(paths, now=clock())
    assert paths.database.exists()


def test_a_file_that_is_not_a_database_at_all_counts_as_damaged(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    paths = sqlite_desk.paths
    sqlite_desk.close()
    paths.database.write_bytes(b"\x00" * 4096 + b"overwritten by a bad copy" * 200)

    health = startup.startup_check(paths)

    assert isinstance(health, startup.Damaged) and health.newest_good is not None


# Through the command line -------------------------------------------------------------------


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return set_up_desk(tmp_path)


def test_cli_backup_needs_the_it_role(run: Run, data_dir: Path) -> None:
    refused = run(data_dir, "db", "backup", user=CLERK, password=accounts.PASSWORD)
    made = run(data_dir, "db", "backup", user=IT, password=accounts.PASSWORD)

    assert refused.code == 9, refused.stderr
    assert made.code == 0, made.stderr
    manual = [b for b in list_backups(data_dir / "backups") if b.reason is Reason.MANUAL]
    assert len(manual) == 1 and str(manual[0].path) in made.stdout


def test_cli_backup_to_a_file_of_ones_choice(run: Run, data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "usb" / "lapor-cadangan.sqlite3"
    target.parent.mkdir()

    made = run(data_dir, "db", "backup", "--to", str(target), user=IT, password=accounts.PASSWORD)
    again = run(data_dir, "db", "backup", "--to", str(target), user=IT, password=accounts.PASSWORD)

    assert made.code == 0, made.stderr
    assert check_file(target).intact
    assert again.code == 2 and "already a file" in again.stderr


def test_cli_restore_brings_back_the_backup_and_says_where_the_old_database_is(
    run: Run, data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "cadangan.sqlite3"
    desk = open_desk(data_dir)
    _save(desk, accounts.sign_in(desk, CLERK, accounts.PASSWORD).actor, "Sebelum cadangan")
    desk.close()
    assert (
        run(data_dir, "db", "backup", "--to", str(target), user=IT, password=accounts.PASSWORD).code
        == 0
    )
    desk = open_desk(data_dir)
    _save(desk, accounts.sign_in(desk, CLERK, accounts.PASSWORD).actor, "Sesudah cadangan")
    desk.close()

    refused = run(data_dir, "db", "restore", str(target), user=CLERK, password=accounts.PASSWORD)
    restored = run(data_dir, "db", "restore", str(target), user=IT, password=accounts.PASSWORD)

    assert refused.code == 9
    assert restored.code == 0, restored.stderr
    assert _titles(data_dir / "lapor.sqlite3") == {"Sebelum cadangan"}
    (aside,) = (data_dir / "set-aside").glob("*.sqlite3")
    assert str(aside) in restored.stdout
    assert "Sesudah cadangan" in _titles(aside)


def test_cli_restore_over_a_damaged_database_signs_in_against_the_backup(
    run: Run, data_dir: Path
) -> None:
    desk = open_desk(data_dir)
    clerk = accounts.sign_in(desk, CLERK, accounts.PASSWORD).actor
    for n in range(30):
        _save(desk, clerk, f"Keluhan nomor {n}")
    desk.close()
    assert run(data_dir, "db", "backup", user=IT, password=accounts.PASSWORD).code == 0
    damage(data_dir / "lapor.sqlite3")

    listed = run(data_dir, "list", user=IT, password=accounts.PASSWORD)
    newest = list_backups(data_dir / "backups")[0].path
    restored = run(data_dir, "db", "restore", str(newest), user=IT, password=accounts.PASSWORD)

    assert listed.code == 5
    assert "damaged" in listed.stderr and f'db restore "{newest}"' in listed.stderr
    assert restored.code == 0, restored.stderr
    assert _count(data_dir / "lapor.sqlite3") == 30


@pytest.mark.postgres
def test_cli_backs_up_a_postgresql_desk_with_pg_dump(
    run: Run, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once refused, pointing to pg_dump; now the desk dumps itself (see test_backup_postgres)."""
    monkeypatch.setenv("LAPOR_DATABASE_URL", postgres_url)
    pg_dir = set_up_desk(tmp_path / "pg")

    made = run(pg_dir, "db", "backup", user=IT, password=accounts.PASSWORD)

    assert made.code == 0, made.stderr
    dumps = list_backups(pg_dir / "backups", ".pgdump")  # the daily one of the opening, too
    (dump,) = [d for d in dumps if str(d.path) in made.stdout]
    assert dump.path.read_bytes().startswith(b"PGDMP")
    assert list_backups(pg_dir / "backups") == [], "no SQLite copy on a PostgreSQL desk"


def test_of_two_backups_in_one_second_the_later_written_is_the_newest(tmp_path: Path) -> None:
    """A daily backup at open and a manual one right after share their name's second."""
    folder = tmp_path / "backups"
    folder.mkdir()
    manual = folder / "lapor-20261129T104803Z-manual.sqlite3"
    daily = folder / "lapor-20261129T104803Z-daily.sqlite3"
    for path, written in ((manual, 2_000_000_000), (daily, 1_000_000_000)):
        path.write_bytes(b"")
        os.utime(path, ns=(written, written))
    assert [b.path for b in list_backups(folder)] == [manual, daily]


def _restores_audited(data_dir: Path) -> list[tuple[str, str, dict[str, object]]]:
    """(actor, entity_id, details) of each restore in the audit log, after an opening."""
    desk = open_desk(data_dir)
    try:
        with desk.database.read() as session:
            found = select(AuditEntry).where(AuditEntry.action == "database.restored")
            return [(e.actor, e.entity_id, dict(e.details)) for e in session.scalars(found)]
    finally:
        desk.close()


def test_a_restore_is_audited_with_who_did_it_at_the_next_opening(
    run: Run, data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "cadangan.sqlite3"
    assert (
        run(data_dir, "db", "backup", "--to", str(target), user=IT, password=accounts.PASSWORD).code
        == 0
    )
    restored = run(data_dir, "db", "restore", str(target), user=IT, password=accounts.PASSWORD)
    assert restored.code == 0, restored.stderr

    [(actor, entity_id, details)] = _restores_audited(data_dir)
    assert actor == IT and entity_id == target.name
    assert details["reason"] == "replaced" and details["set_aside"]
    assert not (data_dir / "restored.json").exists()
    assert len(_restores_audited(data_dir)) == 1, "audited once, not at every opening"
    verified = run(data_dir, "audit", "verify", user=IT, password=accounts.PASSWORD)
    assert verified.code == 0, verified.stdout + verified.stderr


def test_the_start_up_recovery_is_audited_as_the_system(data_dir: Path) -> None:
    paths = DataPaths(data_dir)
    desk = open_desk(data_dir)
    desk.close()
    back_up(paths.database, paths.backups, now=dt.datetime.now(dt.UTC), reason=Reason.MANUAL)
    damage(paths.database)

    startup.restore_newest_good(paths, now=dt.datetime.now(dt.UTC))

    [(actor, _entity, details)] = _restores_audited(data_dir)
    assert actor == "system" and details["reason"] == "damaged"
