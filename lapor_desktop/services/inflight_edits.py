"""A complaint edited while its submission was in flight: the receipt and the edit kept apart.

The send carried the content as claimed (one consistent version, hashed at the claim);
an edit saved meanwhile re-hashed the same outbox entry. The receipt is the server's word
on the version it got and is kept; the edit cannot go under the same UUID (the server
would call it a conflict), so its entry is set aside for a person with both versions
named, instead of being marked done and lost.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.services.sync_records import StoredReceipt
from lapor_desktop.storage.models import OutboxEntry

EDITED_IN_FLIGHT = (
    "edited while it was being sent: LAPOR! holds the version before the edit "
    "(tracking ID {tracking_id}); the edit needs a decision"
)


def edited_in_flight(session: Session, receipts: Mapping[int, StoredReceipt]) -> dict[int, str]:
    """The receipted entries whose queued content is no longer the one sent, with the reason."""
    current = dict(
        session.execute(
            select(OutboxEntry.id, OutboxEntry.content_hash).where(OutboxEntry.id.in_(receipts))
        ).all()
    )
    return {
        outbox_id: EDITED_IN_FLIGHT.format(tracking_id=receipt.tracking_id)
        for outbox_id, receipt in receipts.items()
        if current.get(outbox_id, receipt.content_hash) != receipt.content_hash
    }
