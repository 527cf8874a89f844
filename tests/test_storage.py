"""The store's rules: SQLite pragmas, write locking, migrations, refusing a newer database."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'lapor.sqlite3'}")
    migrate.upgrade(db)
    return db


def test_sqlite_runs_with_wal_full_sync_foreign_keys_and_a_busy_timeout(
    sqlite_db: Database,
) -> None:
    with sqlite_db.read() as session:
        values = {
            p: session.execute(text(f"PRAGMA {p}")).scalar()
            for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert values == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10_000,
    }


def test_writes_take_the_lock_up_front_so_a_second_writer_waits(sqlite_db: Database) -> None:
    order: list[str] = []
    first_has_lock = threading.Event()

    def first() -> None:
        with sqlite_db.write() as session:
            session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE already holds the lock
            first_has_lock.set()
            threading.Event().wait(0.3)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    first_has_lock.wait(5)
    with sqlite_db.write() as session:
        session.execute(text("SELECT 1"))
        order.append("second")
    thread.join()
    assert order == ["first", "second"]


def test_migrations_bring_a_new_database_to_head(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir(exist_ok=True)
    db = Database(database_url)
    migrate.upgrade(db)
    migrate.upgrade(db)  # a second start changes nothing
    assert migrate.current_revision(db) == migrate.head_revision()
    db.dispose()


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    with db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    newer = Database(f"sqlite:///{path}")
    with pytest.raises(migrate.DatabaseTooNew) as raised:
        migrate.upgrade(newer)
    newer.dispose()

    assert "9999_future" in raised.value.message.render("en")
    assert raised.value.message.render("id") != raised.value.message.render("en")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
