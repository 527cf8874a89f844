"""From stored rows to the plain values the window and the command line show.

Kept apart from the queries in :mod:`lapor_desktop.services.lookup`, so a row's
mapping can be read (and reused by the sync side) without the search code.
``ComplaintView`` is one complaint with every rule applied: its deadlines,
which are missed and by how many days, whether it is closed (``sla``,
``domain.status``) and the names behind its codes, so a widget or a command
only formats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from lapor_desktop.domain.complaint import (
    AttachmentView,
    ComplaintDetail,
    ComplaintSummary,
    FollowUpView,
    Identity,
    StatusEventView,
)
from lapor_desktop.domain.status import is_closed
from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.services.context import DeskContext
from lapor_desktop.services.sla import (
    DEADLINE_LABELS,
    Deadline,
    Deadlines,
    deadline_states,
    deadlines_for_timeline,
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


@dataclass(frozen=True)
class DeadlineView:
    """One deadline of the complaint as of ``ComplaintView.today``."""

    deadline: Deadline
    label: str
    """msgid of its name (``sla.DEADLINE_LABELS``)."""
    due_on: dt.date
    """The last day on which its step is on time."""
    missed: bool
    days_late: int
    """Calendar days past ``due_on`` when missed; 0 otherwise."""


@dataclass(frozen=True)
class ComplaintView:
    """The complaint in full, with its deadlines and the names behind its codes."""

    detail: ComplaintDetail
    region_name: str
    """The region and its ancestors ("Daik, Lingga, ..."); "" without a known region."""
    category_name: str
    """The category's name, or its code when the reference data does not know it."""
    agency_name: str
    """The agency's name, or its code when the reference data does not know it."""
    closed: bool
    """Closed by the national service: no deadline can be missed any more."""
    today: dt.date
    """The office day the deadlines were judged on."""
    deadlines: Deadlines | None
    """None before the complaint is queued: no clock runs for a draft."""
    deadline_views: tuple[DeadlineView, ...]
    """Each deadline whose clock has started, in lifecycle order."""
    fingerprint: str | None = None
    """The signed national receipt's short fingerprint, once LAPOR! has the complaint."""

    @property
    def missed(self) -> tuple[Deadline, ...]:
        return tuple(d.deadline for d in self.deadline_views if d.missed)


def view_of(
    detail: ComplaintDetail, context: DeskContext, fingerprint: str | None = None
) -> ComplaintView:
    """The view of a complaint read by the lookup, judged on the office's today."""
    summary, office = detail.summary, context.office
    today = context.office_today()
    closed = is_closed(summary.status)
    events = [(event.status, event.occurred_at) for event in detail.timeline]
    deadlines = deadlines_for_timeline(events, office.sla, office.timezone)
    states = deadline_states(deadlines, today, closed=closed) if deadlines is not None else ()
    references = context.references
    return ComplaintView(
        detail=detail,
        region_name=references.region_label(detail.region_code) if detail.region_code else "",
        category_name=_category_name(references, summary.category_code),
        agency_name=_agency_name(references, summary.agency_code),
        closed=closed,
        today=today,
        deadlines=deadlines,
        deadline_views=tuple(
            DeadlineView(s.deadline, DEADLINE_LABELS[s.deadline], s.due_on, s.missed, s.days_late)
            for s in states
        ),
        fingerprint=fingerprint,
    )


def _category_name(references: ReferenceLookup, code: str | None) -> str:
    if not code:
        return ""
    return next((c.name for c in references.categories() if c.code == code), "") or code


def _agency_name(references: ReferenceLookup, code: str | None) -> str:
    if not code:
        return ""
    return next((a.name for a in references.agencies() if a.code == code), "") or code
