"""Everything the detail view and the receipt show about one complaint, read in one go.

Runs on the database worker: the lookup (which opens the identity only
for a role allowed to see it, and audits it), the reference names and
the SLA deadlines. The widgets then only format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lapor_desktop.domain.complaint import ComplaintDetail
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import Message
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.follow_ups import FollowUpOutcome, FollowUpService
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.sla import Deadline, Deadlines, deadlines_for_timeline, overdue


@dataclass(frozen=True)
class DetailActions:
    """What the operator can do from the page, bound to the person who loaded it.

    Each runs on the database worker; the view only calls them through its runner.
    """

    read_attachment: Callable[[str], bytes | Message]
    export_attachment: Callable[[str, Path], int | Message]
    add_follow_up: Callable[[str], FollowUpOutcome]
    reload: Callable[[], DetailPage | None]


@dataclass(frozen=True)
class DetailPage:
    detail: ComplaintDetail
    region: str
    category: str
    agency: str
    deadlines: Deadlines | None
    overdue: tuple[Deadline, ...]
    fingerprint: str | None = None
    """The signed national receipt's short fingerprint, once LAPOR! has the complaint."""
    actions: DetailActions | None = field(default=None, compare=False)

    @property
    def is_draft(self) -> bool:
        return self.detail.summary.status == Status.DRAFT.value


def load_detail(
    lookup: LookupService, context: DeskContext, key: str, actor: Actor
) -> DetailPage | None:
    """The page for a UUID, registration number or tracking ID; None when there is none."""
    detail = lookup.get(key, actor=actor)
    if detail is None:
        return None
    references = context.references
    summary = detail.summary
    category = next(
        (c.name for c in references.categories() if c.code == summary.category_code), ""
    )
    agency = next((a.name for a in references.agencies() if a.code == summary.agency_code), "")
    events = [(event.status, event.occurred_at) for event in detail.timeline]
    office = context.office
    deadlines = deadlines_for_timeline(events, office.sla, office.timezone)
    missed: tuple[Deadline, ...] = ()
    if deadlines is not None:
        closed = summary.status in {s.value for s in Status if s.is_closed}
        missed = tuple(overdue(deadlines, context.office_today(), closed=closed))
    uuid = summary.uuid
    follow_ups = FollowUpService(context)
    actions = DetailActions(
        read_attachment=lambda sha256: lookup.read_attachment(uuid, sha256, actor=actor),
        export_attachment=lambda sha256, path: lookup.export_attachment(
            uuid, sha256, path, actor=actor
        ),
        add_follow_up=lambda text: follow_ups.add(uuid, text, actor=actor),
        reload=lambda: load_detail(lookup, context, uuid, actor),
    )
    return DetailPage(
        detail=detail,
        region=references.region_label(detail.region_code) if detail.region_code else "",
        category=category or (summary.category_code or ""),
        agency=agency or (summary.agency_code or ""),
        deadlines=deadlines,
        overdue=missed,
        fingerprint=lookup.receipt_fingerprint(uuid, actor=actor),
        actions=actions,
    )
