"""The audit log is hash-chained: an edited or deleted entry is found (service and CLI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from lapor_desktop.desk import Desk
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.models import AuditEntry
from tests.support import accounts
from tests.support.samples import valid_form

ROOT = Path(__file__).resolve().parent.parent


def _fill(desk: Desk, clerk: Actor, n: int = 4) -> list[int]:
    for i in range(n):
        desk.intake.submit(valid_form(title=f"Keluhan nomor {i} di Daik"), actor=clerk)
    with desk.database.read() as session:
        return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def test_an_untouched_log_verifies(desk: Desk, clerk: Actor) -> None:
    ids = _fill(desk, clerk)
    report = audit.verify(desk.database)
    assert report.intact
    assert report.checked == len(ids) >= 4


def test_an_entry_edited_in_the_database_is_named(desk: Desk, clerk: Actor) -> None:
    ids = _fill(desk, clerk)
    with desk.database.write() as session:
        session.execute(
            text("UPDATE audit_log SET actor = 'someone-else' WHERE id = :id"), {"id": ids[2]}
        )
    report = audit.verify(desk.database)
    assert report.first_broken_id == ids[2]
    assert report.checked == 2
    assert report.reason is not None and "changed" in report.reason.render("en")


def test_a_deleted_entry_breaks_the_link_of_the_next_one(desk: Desk, clerk: Actor) -> None:
    ids = _fill(desk, clerk)
    with desk.database.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    report = audit.verify(desk.database)
    assert report.first_broken_id == ids[2]


def test_a_rehashed_forgery_still_breaks_the_following_link(desk: Desk, clerk: Actor) -> None:
    """Rehashing the edited entry is not enough: the next entry points at the old hash."""
    ids = _fill(desk, clerk)
    with desk.database.write() as session:
        entry = session.get(AuditEntry, ids[1])
        assert entry is not None
        entry.action = "complaint.nothing_happened"
        entry.entry_hash = audit.entry_hash(entry)
    assert audit.verify(desk.database).first_broken_id == ids[2]


def test_audit_verify_command_exits_7_and_names_the_entry(
    sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    ids = _fill(sqlite_desk, sqlite_clerk)
    data_dir = str(sqlite_desk.paths.root)
    command = [sys.executable, "-m", "lapor_desktop", "--data-dir", data_dir, "--lang", "en"]
    env = {
        **os.environ,
        "LAPOR_USER": accounts.SUPERVISOR.username,
        "LAPOR_PASSWORD": accounts.SUPERVISOR.password,
    }

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, "audit", "verify"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    ok = run()
    assert ok.returncode == 0, ok.stderr
    assert f"{len(ids) + 1} entries" in ok.stdout  # the sign-in adds its own entry first
    with sqlite_desk.database.write() as session:
        session.execute(text("UPDATE audit_log SET details = '{}' WHERE id = :id"), {"id": ids[-1]})
    broken = run()
    assert broken.returncode == 7
    assert f"entry {ids[-1]}" in broken.stderr
