"""The outbox lanes: each says what it claims and how it sends; ``LaneLoop`` does the rest.

A new lane (the LAPOR! website's, a bundle's) is a claim filter in
``lapor_desktop/services/outbox_lanes.py`` and a class here with ``claim`` and ``send``
(or a ``PlainLane`` of two functions); it gets leases, retries with backoff, quarantine
and cancellation from the loop without copying it.
"""

from sync.engine.lanes.attachments import AttachmentLane
from sync.engine.lanes.complaints import ComplaintLane
from sync.engine.lanes.follow_ups import FollowUpLane
from sync.engine.lanes.loop import (
    Carried,
    Delivered,
    Exchange,
    Lane,
    LaneLoop,
    PlainLane,
    SetAside,
    Tally,
    Verdict,
)

__all__ = [
    "AttachmentLane",
    "Carried",
    "ComplaintLane",
    "Delivered",
    "Exchange",
    "FollowUpLane",
    "Lane",
    "LaneLoop",
    "PlainLane",
    "SetAside",
    "Tally",
    "Verdict",
]
