"""``show``: one complaint in full, with its timeline, the complainant's identity masked.

The lookup service decides whether the signed-in role may see the identity
at all (``identity_hidden``); when it may, the command line still prints it
masked, because terminal output ends up in scroll-back, logs and tickets.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt

from lapor_desktop.domain.complaint import Channel, Classification, ComplaintDetail
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.sla import DEADLINE_LABELS, Deadline, deadlines_for_timeline, overdue
from lapor_desktop.settings import SlaSettings

from .commands import status_label, sync_label
from .exit_codes import ExitCode, NotFound
from .masking import masked_identity
from .output import Output, local_time, text_or_empty
from .session import signed_in_desk

_INDENT = "  "
_IDENTITY_LABELS = {
    "full_name": N_("Full name (as on KTP)"),
    "nik": N_("NIK"),
    "phone": N_("Phone number"),
    "email": N_("Email"),
    "address": N_("Address"),
}


def show(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        detail = desk.lookup.get(args.key, actor=me.actor)
        office = desk.context.office
        timezone = office.timezone
        region = desk.context.references.region_label(detail.region_code or "") if detail else ""
        today = desk.context.office_today()
    if detail is None:
        raise NotFound(
            Message(N_("No complaint has the number or ID {key}."), {"key": args.key.strip()[:80]})
        )
    if args.json:
        out.json(detail_json(detail, out))
    else:
        _print(detail, timezone, region, out)
        _print_deadlines(detail, office.sla, timezone, today, out)
    return ExitCode.OK


def detail_json(detail: ComplaintDetail, out: Output) -> dict[str, object]:
    """The complaint for scripts: the identity masked, or null with the placeholder's text."""
    hidden = detail.identity_hidden
    document: dict[str, object] = dataclasses.asdict(detail.summary)
    document.update(
        description=detail.description,
        region_code=detail.region_code,
        location_text=detail.location_text,
        channel=detail.channel,
        urgent=detail.urgent,
        identity=masked_identity(detail.identity) if hidden is None else None,
        identity_masked=hidden is None,
        identity_hidden=out.t(hidden) if hidden is not None else None,
        draft_form=detail.draft_form,
        timeline=[dataclasses.asdict(e) for e in detail.timeline],
        attachments=[dataclasses.asdict(a) for a in detail.attachments],
        follow_ups=[dataclasses.asdict(f) for f in detail.follow_ups],
    )
    return document


def _print(detail: ComplaintDetail, timezone: str, region: str, out: Output) -> None:
    s = detail.summary
    yes, no = out.t(N_("yes")), out.t(N_("no"))
    fields = [
        (N_("Registration number"), text_or_empty(s.registration_number)),
        (N_("UUID"), s.uuid),
        (N_("LAPOR! tracking ID"), text_or_empty(s.tracking_id)),
        (N_("Classification"), _classification(s.classification, out)),
        (N_("Title"), s.title),
        (N_("Status"), f"{status_label(s.status, out)} ({s.status})"),
        (N_("Sync"), sync_label(s.sync_state, out)),
        (N_("Incident date"), text_or_empty(s.incident_date)),
        (N_("Incident region"), " - ".join(filter(None, (detail.region_code, region))) or "-"),
        (N_("Incident location"), text_or_empty(detail.location_text)),
        (N_("Category"), text_or_empty(s.category_code)),
        (N_("Target agency"), text_or_empty(s.agency_code)),
        (N_("Intake channel"), _channel(detail.channel, out)),
        (N_("Anonymous"), yes if s.anonim else no),
        (N_("Confidential"), yes if s.rahasia else no),
        (N_("Urgent"), yes if detail.urgent else no),
        (N_("Recorded"), f"{local_time(s.created_at, timezone)} ({timezone})"),
    ]
    for label, value in fields:
        out.line(f"{out.t(label)}: {value}")
    out.line()
    out.line(out.t(N_("Description")) + ":")
    for text_line in (detail.description or "-").splitlines():
        out.line(_INDENT + text_line)
    if detail.draft_form:
        out.line()
        out.line(out.t(N_("Draft, as typed")) + ":")
        for name, typed in sorted(detail.draft_form.items()):
            if typed not in ("", None, False):
                out.line(f"{_INDENT}{name}: {typed}")
    out.line()
    print_identity(detail, out)
    out.line()
    out.line(out.t(N_("Timeline")) + ":")
    for event in detail.timeline:
        when = local_time(event.occurred_at, timezone)
        note = f" - {event.note}" if event.note else ""
        label = status_label(event.status, out)
        out.line(f"{_INDENT}{when}  {label} ({event.actor}, {event.source}){note}")
    if detail.attachments:
        out.line()
        out.line(out.t(N_("Attachments")) + ":")
        for a in detail.attachments:
            out.line(f"{_INDENT}{a.filename} ({a.media_type}, {a.size_bytes} B) {a.sha256[:12]}")
    if detail.follow_ups:
        out.line()
        out.line(out.t(N_("Follow-ups")) + ":")
        for f in detail.follow_ups:
            out.line(f"{_INDENT}{local_time(f.created_at, timezone)}  {f.author}: {f.text}")


def print_identity(detail: ComplaintDetail, out: Output) -> None:
    """The masked identity, or only the placeholder when this role may not see it."""
    if detail.identity_hidden is not None:
        label = out.t(N_("Complainant"))
        out.line(f"{label}: {out.t(detail.identity_hidden)}")
        return
    out.line(out.t(N_("Complainant (masked)")) + ":")
    for name, value in masked_identity(detail.identity).items():
        out.line(f"{_INDENT}{out.t(_IDENTITY_LABELS[name])}: {text_or_empty(value)}")


def _print_deadlines(
    detail: ComplaintDetail, sla: SlaSettings, timezone: str, today: dt.date, out: Output
) -> None:
    """The SLA dates in working days, with the ones already missed marked."""
    events = [(e.status, e.occurred_at) for e in detail.timeline]
    deadlines = deadlines_for_timeline(events, sla, timezone)
    if deadlines is None:
        return
    closed = Status(detail.summary.status).is_closed
    missed = set(overdue(deadlines, today, closed=closed))
    rows = [
        (Deadline.VERIFY_BY, deadlines.verify_by),
        (Deadline.FOLLOW_UP_BY, deadlines.follow_up_by),
        (Deadline.LEGAL_CEILING, deadlines.legal_ceiling),
    ]
    out.line()
    out.line(out.t(N_("Deadlines")) + ":")
    late_label = out.t(N_("overdue"))
    for deadline, day in rows:
        if day is None:
            continue
        late = f"  ({late_label})" if deadline in missed else ""
        out.line(f"{_INDENT}{out.t(DEADLINE_LABELS[deadline])}: {day.isoformat()}{late}")


def _classification(value: str | None, out: Output) -> str:
    try:
        return out.t(Classification(value).label) if value else "-"
    except ValueError:
        return value or "-"


def _channel(value: str, out: Output) -> str:
    try:
        return out.t(Channel(value).label)
    except ValueError:
        return value
