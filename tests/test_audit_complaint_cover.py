"""The audit chain covers complaint rows: one edited by raw SQL is named by ``audit verify``.

The attack: a complaint's agency or description edited directly in the database file
went unnoticed, since the chain held only its own entries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from lapor_desktop.desk import Desk
from lapor_desktop.services import audit
from lapor_desktop.services.audit_covers import row_digest
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.audit_models import AuditCover
from lapor_desktop.storage.models import AuditEntry, Complaint
from tests.support import accounts
from tests.support.samples import valid_form

ROOT = Path(__file__).resolve().parent.parent


def _saved(desk: Desk, clerk: Actor, n: int = 3) -> list[tuple[str, str]]:
    saved = []
    for i in range(n):
        outcome = desk.intake.submit(valid_form(title=f"Jalan rusak nomor {i}"), actor=clerk)
        assert outcome.registration_number is not None
        saved.append((outcome.uuid, outcome.registration_number))
    return saved


def test_each_complaint_entry_carries_its_row_digest_and_an_untouched_desk_verifies(
    desk: Desk, clerk: Actor
) -> None:
    saved = _saved(desk, clerk)
    with desk.database.read() as session:
        covered = session.scalars(select(AuditCover.complaint_uuid)).all()
    assert {uuid for uuid, _ in saved} <= set(covered)
    report = audit.verify(desk.database)
    assert report.intact and report.edited == ()


def test_a_complaint_row_edited_with_raw_sql_is_named(desk: Desk, clerk: Actor) -> None:
    saved = _saved(desk, clerk)
    victim_uuid, victim_number = saved[1]
    with desk.database.write() as session:
        session.execute(
            text("UPDATE complaints SET agency_code = 'LAIN', description = 'x' WHERE uuid = :u"),
            {"u": victim_uuid},
        )

    report = audit.verify(desk.database)

    assert not report.intact and report.first_broken_id is None
    assert [(e.complaint_uuid, e.registration_number) for e in report.edited] == [
        (victim_uuid, victim_number)
    ]


def test_an_attachment_hash_swapped_with_raw_sql_is_named(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    note = tmp_path / "catatan.txt"
    note.write_bytes(b"bukti tertulis\n")
    outcome = desk.intake.submit(valid_form(title="Lampiran"), actor=clerk, attachments=[note])
    assert outcome.queued
    with desk.database.write() as session:
        session.execute(text("UPDATE attachments SET sha256 = :h"), {"h": "f" * 64})

    report = audit.verify(desk.database)

    assert [e.complaint_uuid for e in report.edited] == [outcome.uuid]


def test_a_change_made_through_the_desk_is_covered_again(desk: Desk, clerk: Actor) -> None:
    draft = desk.intake.save_draft(valid_form(title="Belum selesai"), actor=clerk)
    finished = desk.intake.submit(
        valid_form(title="Sudah lengkap"), actor=clerk, complaint_uuid=draft.uuid
    )
    assert finished.uuid == draft.uuid
    assert audit.verify(desk.database).intact


def test_a_row_edited_and_its_cover_rewritten_breaks_the_entry_instead(
    desk: Desk, clerk: Actor
) -> None:
    saved = _saved(desk, clerk, n=1)
    with desk.database.write() as session:
        session.execute(text("UPDATE complaints SET title = 'dipalsukan'"))
        last = session.scalars(
            select(AuditCover.entry_id).where(AuditCover.complaint_uuid == saved[0][0])
        ).all()[-1]
    with desk.database.write() as session:
        forged = row_digest(session, saved[0][0])
        session.execute(
            text("UPDATE audit_covers SET row_digest = :d WHERE entry_id = :e"),
            {"d": forged, "e": last},
        )

    report = audit.verify(desk.database)

    assert report.first_broken_id == last


def test_sync_bookkeeping_is_not_an_edit(desk: Desk, clerk: Actor) -> None:
    """Sync and the national feed move these columns without an audit entry of their own."""
    _saved(desk, clerk, n=1)
    with desk.database.write() as session:
        session.execute(
            text(
                "UPDATE complaints SET sync_state = 'sent', status = 'verified', tracking_id = 'T1'"
            )
        )
    assert audit.verify(desk.database).intact


def test_audit_verify_command_names_the_edited_complaint(
    sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    _, number = _saved(sqlite_desk, sqlite_clerk, n=2)[0]
    with sqlite_desk.database.write() as session:
        session.execute(
            text("UPDATE complaints SET title = 'diubah' WHERE registration_number = :n"),
            {"n": number},
        )
        entries = len(session.scalars(select(AuditEntry.id)).all())
        assert session.scalars(select(Complaint.id)).all()
    command = [
        sys.executable,
        "-m",
        "lapor_desktop",
        "--data-dir",
        str(sqlite_desk.paths.root),
        "--lang",
        "en",
        "audit",
        "verify",
    ]
    env = {
        **os.environ,
        "LAPOR_USER": accounts.SUPERVISOR.username,
        "LAPOR_PASSWORD": accounts.SUPERVISOR.password,
    }
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 7, done.stderr
    assert number in done.stderr and "changed outside the desk" in done.stderr
    assert f"({entries + 1} entries)" in done.stderr
