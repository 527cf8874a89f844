"""Which waiting complaint an ID means: registration number, UUID or outbox ID."""

from __future__ import annotations

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import Message
from lapor_desktop.services.context import Actor
from lapor_desktop.services.website_lane import NO_SUCH, QueueItem, Refused


def find_item(desk: Desk, key: str, actor: Actor) -> QueueItem | Refused:
    """Its queue line; digits only are an outbox ID (registration numbers have dashes)."""
    key = key.strip()
    if key.isdigit():
        for item in desk.website.queue(actor=actor):
            if item.outbox_id == int(key):
                return item
        return Refused(Message(NO_SUCH, {"key": key}))
    return desk.website.find(key, actor=actor)
