"""Backups and restores in the audit log: who took or put back which file, and when.

Details name files and counts only, never anything from the complaints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from lapor_desktop.services import audit
from lapor_desktop.storage.database import Database

BACKED_UP = "database.backed_up"
RESTORED = "database.restored"


def audit_backup(
    database: Database,
    backup: Path,
    *,
    by: str,
    station_id: str,
    now: dt.datetime,
    reason: str,
) -> None:
    """A backup taken: written into the database it copies, after the copy (not inside it)."""
    _record(
        database,
        BACKED_UP,
        backup,
        by=by,
        station_id=station_id,
        now=now,
        details={"reason": reason, "path": str(backup), "size": backup.stat().st_size},
    )


def audit_pg_restore(
    database: Database,
    backup: Path,
    *,
    by: str,
    station_id: str,
    now: dt.datetime,
    details: dict[str, Any],
) -> None:
    """A dump restored into an empty database: written once the restored chain is verified."""
    _record(
        database,
        RESTORED,
        backup,
        by=by,
        station_id=station_id,
        now=now,
        details={"reason": "into-empty", "backup": str(backup), "set_aside": None, **details},
    )


def _record(
    database: Database,
    action: str,
    backup: Path,
    *,
    by: str,
    station_id: str,
    now: dt.datetime,
    details: dict[str, Any],
) -> None:
    with database.write() as session:
        audit.record(
            session,
            at=now,
            actor=by,
            station_id=station_id,
            action=action,
            entity_type="database",
            entity_id=backup.name[:64],
            details=details,
        )
