"""``show``: one complaint in full, with its timeline, the complainant's identity masked.

The lookup service decides whether the signed-in role may see the identity
at all (``identity_hidden``); when it may, the command line still prints it
masked, because terminal output ends up in scroll-back, logs and tickets.
"""

from __future__ import annotations

import argparse
import dataclasses

from lapor_desktop.domain.complaint import Channel, Classification, ComplaintDetail
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.complaint_views import ComplaintView

from .commands import status_label, sync_label
from .exit_codes import ExitCode, NotFound
from .masking import masked_identity
from .output import Output, local_time, text_or_empty
from .session import signed_in_desk

_INDENT = "  "
OVERDUE = N_("overdue by {days} days")
OVERDUE_ONE_DAY = N_("overdue by 1 day")
_IDENTITY_LABELS = {
    "full_name": N_("Full name (as on KTP)"),
    "nik": N_("NIK"),
    "phone": N_("Phone number"),
    "email": N_("Email"),
    "address": N_("Address"),
}


def show(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        view = desk.lookup.view(args.key, actor=me.actor)
        timezone = desk.context.office.timezone
    if view is None:
        raise NotFound(
            Message(N_("No complaint has the number or ID {key}."), {"key": args.key.strip()[:80]})
        )
    if args.json:
        document = detail_json(view.detail, out)
        document.update(view_json(view))
        out.json(document)
    else:
        _print(view, timezone, out)
        _print_deadlines(view, out)
    return ExitCode.OK


def view_json(view: ComplaintView) -> dict[str, object]:
    """What the services decided about the complaint: names, closed, deadlines as of today."""
    return {
        "region_name": view.region_name,
        "category_name": view.category_name,
        "agency_name": view.agency_name,
        "closed": view.closed,
        "deadlines_as_of": view.today,
        "deadlines": [
            {
                "deadline": d.deadline.value,
                "due_on": d.due_on,
                "missed": d.missed,
                "days_late": d.days_late,
            }
            for d in view.deadline_views
        ],
    }


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


def _print(view: ComplaintView, timezone: str, out: Output) -> None:
    detail = view.detail
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
        (N_("Incident region"), _code_and_name(detail.region_code, view.region_name)),
        (N_("Incident location"), text_or_empty(detail.location_text)),
        (N_("Category"), _code_and_name(s.category_code, view.category_name)),
        (N_("Target agency"), _code_and_name(s.agency_code, view.agency_name)),
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


def _print_deadlines(view: ComplaintView, out: Output) -> None:
    """The SLA dates in working days, with the ones already missed marked."""
    if view.deadlines is None:
        return
    out.line()
    out.line(out.t(N_("Deadlines")) + ":")
    for d in view.deadline_views:
        late = ""
        if d.missed:
            msgid = OVERDUE_ONE_DAY if d.days_late == 1 else OVERDUE
            late = "  (" + out.t(msgid, days=d.days_late) + ")"
        out.line(f"{_INDENT}{out.t(d.label)}: {d.due_on.isoformat()}{late}")


def _code_and_name(code: str | None, name: str) -> str:
    """``2104 - Kabupaten Lingga``; the code alone when nothing more is known."""
    return " - ".join(dict.fromkeys(filter(None, (code, name)))) or "-"


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
