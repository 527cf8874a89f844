"""The audit log: one entry per change, written in the change's own transaction.

Details hold identifiers and field names only, never personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from lapor_desktop.storage.models import AuditEntry


def record(
    session: Session,
    *,
    at: dt.datetime,
    actor: str,
    station_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        occurred_at=at,
        actor=actor,
        station_id=station_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details or {},
    )
    session.add(entry)
    return entry
