"""From stored rows to the plain values the window and the command line show.

Kept apart from the queries in :mod:`lapor_desktop.services.lookup`, so a row's
mapping can be read (and reused by the sync side) without the search code.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lapor_desktop.domain.complaint import (
    AttachmentView,
    ComplaintDetail,
    ComplaintSummary,
    FollowUpView,
    Identity,
    StatusEventView,
)
from lapor_desktop.storage.models import Complaint


def summary_of(c: Complaint) -> ComplaintSummary:
    return ComplaintSummary(
        uuid=c.uuid,
        registration_number=c.registration_number,
        classification=c.classification,
        title=c.title,
        status=c.status,
        sync_state=c.sync_state,
        agency_code=c.agency_code,
        category_code=c.category_code,
        incident_date=c.incident_date,
        created_at=c.created_at,
        tracking_id=c.tracking_id,
        anonim=c.anonim,
        rahasia=c.rahasia,
    )


def detail_of(c: Complaint, identity: Identity, identity_hidden: str | None) -> ComplaintDetail:
    return ComplaintDetail(
        summary=summary_of(c),
        description=c.description,
        region_code=c.region_code,
        location_text=c.location_text,
        channel=c.channel,
        urgent=c.urgent,
        identity=identity,
        identity_hidden=identity_hidden,
        draft_form=c.draft_form,
        timeline=tuple(
            StatusEventView(e.status, e.occurred_at, e.actor, e.source, e.note) for e in c.events
        ),
        attachments=tuple(
            AttachmentView(a.sha256, a.filename, a.media_type, a.size_bytes) for a in c.attachments
        ),
        follow_ups=tuple(
            FollowUpView(f.uuid, f.created_at, f.author, f.text) for f in c.follow_ups
        ),
    )


def fingerprint_of(receipt: dict[str, Any]) -> str:
    """``3F2A-91C0-…``: 16 hex digits of the SHA-256 of the signed receipt, to read aloud.

    Covers the signature and what it signs, so two receipts never share one
    by accident; the full receipt stays in the database for verification.
    """
    fields = ("client_uuid", "content_hash", "tracking_id", "server_time", "key_id", "signature")
    canonical = "\n".join(str(receipt.get(name, "")) for name in fields)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))
