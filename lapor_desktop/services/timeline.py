"""Moving a complaint through its lifecycle, with a timeline event for every move."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lapor_desktop.domain.status import Status, check_move
from lapor_desktop.storage.models import Complaint, StatusEvent


def move(
    session: Session,
    complaint: Complaint,
    new_status: Status,
    *,
    at: dt.datetime,
    actor: str,
    source: str = "local",
    note: str = "",
) -> StatusEvent:
    """Record ``new_status`` on the timeline; raises InvalidTransition on a forbidden move."""
    check_move(Status(complaint.status), new_status)
    complaint.status = new_status.value
    complaint.updated_at = at
    event = StatusEvent(
        status=new_status.value, occurred_at=at, actor=actor, source=source, note=note
    )
    complaint.events.append(event)
    session.add(event)
    return event
