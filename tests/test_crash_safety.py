"""Saving survives SIGKILL at any moment: every complaint is whole or absent.

The full run is long: ``LAPOR_CRASH_ROUNDS=200 bash tests/run.sh -k crash``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import audit
from lapor_desktop.services.context import system_clock
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("LAPOR_CRASH_ROUNDS", "12"))


def _run_and_kill(data_dir: Path, seconds: float) -> list[str]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.save_loop", str(data_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(seconds)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate()
    assert child.returncode == -signal.SIGKILL, err
    return out.split()


def test_sigkill_during_saves_leaves_every_complaint_whole_or_absent(
    data_paths: DataPaths, office: OfficeSettings
) -> None:
    accounts.initialise_desk(data_paths, office, clock=system_clock).close()
    rng = random.Random(2104)
    committed: list[str] = []
    for _ in range(ROUNDS):
        committed += _run_and_kill(data_paths.root, rng.uniform(0.8, 2.0))

    desk = open_desk(data_paths)
    try:
        with desk.database.read() as session:

            def scalar(sql: str) -> object:
                return session.execute(text(sql)).scalar()

            assert scalar("PRAGMA integrity_check") == "ok"
            session.execute(
                text("INSERT INTO complaints_fts(complaints_fts) VALUES('integrity-check')")
            )
            uuids = set(session.execute(text("SELECT uuid FROM complaints")).scalars())
            assert set(committed) <= uuids, "a committed complaint was lost"
            assert len(uuids) >= ROUNDS, "the child saved too little to prove anything"
            checks = {
                "without identity": "SELECT count(*) FROM complaints c WHERE NOT EXISTS "
                "(SELECT 1 FROM complainant_identities i WHERE i.complaint_id = c.id)",
                "without timeline": "SELECT count(*) FROM complaints c WHERE NOT EXISTS "
                "(SELECT 1 FROM status_events e WHERE e.complaint_id = c.id)",
                "without audit": "SELECT count(*) FROM complaints c WHERE NOT EXISTS "
                "(SELECT 1 FROM audit_log a WHERE a.entity_id = c.uuid)",
                "queued without outbox": "SELECT count(*) FROM complaints c WHERE "
                "c.status = 'queued' AND NOT EXISTS "
                "(SELECT 1 FROM outbox o WHERE o.complaint_id = c.id)",
                "outbox without complaint": "SELECT count(*) FROM outbox o WHERE NOT EXISTS "
                "(SELECT 1 FROM complaints c WHERE c.id = o.complaint_id)",
                "queued without number": "SELECT count(*) FROM complaints "
                "WHERE status = 'queued' AND registration_number IS NULL",
            }
            broken = {name: scalar(sql) for name, sql in checks.items()}
            assert broken == dict.fromkeys(checks, 0)
        assert audit.verify(desk.database).intact, "a kill broke the audit chain"
    finally:
        desk.close()
