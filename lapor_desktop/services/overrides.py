"""Decisions that override a safeguard, audited with who made them and over what.

The desk warns (a likely duplicate, a route move, a restore) and a person may go on
anyway; the audit log keeps that choice, so a later review can ask why.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.backups.restore import RESTORE_NOTE
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Complaint

_log = logging.getLogger(__name__)


def audit_duplicate_override(
    session: Session,
    complaint: Complaint,
    despite: tuple[str, ...],
    actor: Actor,
    station_id: str,
    now: dt.datetime,
) -> None:
    """The operator saved over a likely-duplicate warning: a safeguard overridden, kept."""
    numbers = session.scalars(
        select(Complaint.registration_number).where(Complaint.uuid.in_(despite))
    ).all()
    audit.record(
        session,
        at=now,
        actor=actor.username,
        station_id=station_id,
        action="complaint.duplicate_warning_overridden",
        entity_type="complaint",
        entity_id=complaint.uuid,
        details={
            "registration_number": complaint.registration_number,
            "likely_duplicates": sorted(despite),
            "their_registration_numbers": sorted(n for n in numbers if n),
        },
    )


def audit_restore(database: Database, root: Path, station_id: str, now: dt.datetime) -> bool:
    """Write the note a restore left into the restored (now migrated) database's audit log.

    The restore swapped whole files, so only the next opening can append to the log;
    the note is removed once its entry is committed. True when there was one.
    """
    note_path = root / RESTORE_NOTE
    try:
        note = json.loads(note_path.read_text("utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        _log.warning("restore note %s unreadable; audited as such", note_path)
        note = {"unreadable_note": True}
    with database.write() as session:
        audit.record(
            session,
            at=now,
            actor=note.get("by") or "system",
            station_id=station_id,
            action="database.restored",
            entity_type="database",
            entity_id=Path(str(note.get("backup") or "?")).name[:64],
            details={k: v for k, v in note.items() if k != "by"},
        )
    note_path.unlink(missing_ok=True)
    return True
