"""Everything the detail view and the receipt show about one complaint, read in one go.

Runs on the database worker: the lookup's view (which opens the identity
only for a role allowed to see it, audits it, judges the deadlines and
resolves the names), plus what the operator can do from the page. The
widgets then only format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lapor_desktop.domain.complaint import ComplaintDetail
from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.domain.status import Status, SyncState
from lapor_desktop.i18n import Message
from lapor_desktop.services.bundle_views import carried_complaint
from lapor_desktop.services.complaint_views import ComplaintView
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.drafts import DiscardOutcome, DraftService
from lapor_desktop.services.follow_ups import FollowUpOutcome, FollowUpService
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.officer_names import display_name
from lapor_desktop.services.sla import Deadlines

SYNC_STATES = frozenset(SyncState)


@dataclass(frozen=True)
class DetailActions:
    """What the operator can do from the page, bound to the person who loaded it.

    Each runs on the database worker; the view only calls them through its runner.
    """

    read_attachment: Callable[[str], bytes | Message]
    export_attachment: Callable[[str, Path], int | Message]
    add_follow_up: Callable[[str], FollowUpOutcome]
    reload: Callable[[], DetailPage | None]
    discard: Callable[[], DiscardOutcome] | None = None
    """Only for a draft and a role that records complaints (the core checks both again)."""


@dataclass(frozen=True)
class DetailPage:
    """The service's view of one complaint and the actions of the page showing it."""

    view: ComplaintView
    actions: DetailActions | None = field(default=None, compare=False)
    carried: Message | None = None
    """"in bundle N since ...", while a bundle carries its pending submission."""
    received_by: str = ""
    """The display name of the officer who recorded it (the receipt's "received by")."""

    @property
    def sync_label(self) -> Message:
        """Where it stands with LAPOR!, or the bundle carrying it."""
        if self.carried is not None:
            return self.carried
        state = self.detail.summary.sync_state
        return Message(SyncState(state).label if state in SYNC_STATES else state)

    @property
    def detail(self) -> ComplaintDetail:
        return self.view.detail

    @property
    def deadlines(self) -> Deadlines | None:
        return self.view.deadlines

    @property
    def fingerprint(self) -> str | None:
        """The signed national receipt's short fingerprint, once LAPOR! has the complaint."""
        return self.view.fingerprint

    @property
    def is_draft(self) -> bool:
        return self.detail.summary.status == Status.DRAFT.value


def load_detail(
    lookup: LookupService, context: DeskContext, key: str, actor: Actor
) -> DetailPage | None:
    """The page for a UUID, registration number or tracking ID; None when there is none."""
    view = lookup.view(key, actor=actor)
    if view is None:
        return None
    detail = view.detail
    uuid = detail.summary.uuid
    follow_ups = FollowUpService(context)
    may_discard = detail.summary.status == Status.DRAFT.value and allows(
        actor.role, Permission.RECORD_COMPLAINTS
    )
    drafts = DraftService(context)
    actions = DetailActions(
        read_attachment=lambda sha256: lookup.read_attachment(uuid, sha256, actor=actor),
        export_attachment=lambda sha256, path: lookup.export_attachment(
            uuid, sha256, path, actor=actor
        ),
        add_follow_up=lambda text: follow_ups.add(uuid, text, actor=actor),
        reload=lambda: load_detail(lookup, context, uuid, actor),
        discard=(lambda: drafts.discard(uuid, actor=actor)) if may_discard else None,
    )
    carried = carried_complaint(context.database, context.office.timezone, uuid)
    recorder = detail.timeline[0].actor if detail.timeline else ""
    received_by = display_name(context.database, recorder)
    return DetailPage(view=view, actions=actions, carried=carried, received_by=received_by)
