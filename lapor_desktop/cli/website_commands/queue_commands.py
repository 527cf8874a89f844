"""``website queue`` and ``website show``: what waits to be typed, and who is typing what."""

from __future__ import annotations

import argparse

from lapor_desktop.i18n import N_
from lapor_desktop.services.website_lane import QueueItem, Refused

from ..exit_codes import ExitCode
from ..output import EMPTY, Output, local_time, shorten
from ..session import signed_in_desk
from .lookup import find_item
from .refusals import refuse

_TITLE_WIDTH = 40


def queue(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        items = desk.website.queue(actor=me.actor)
        timezone = desk.context.office.timezone
    if args.json:
        out.json({"waiting": len(items), "queue": [item_json(i) for i in items]})
        return ExitCode.OK
    if not items:
        out.line(out.t(N_("Nothing waits to be typed into LAPOR!.")))
        return ExitCode.OK
    yes = out.t(N_("yes"))
    headers = [
        out.t(N_("ID")),
        out.t(N_("Registration number")),
        out.t(N_("Urgent")),
        out.t(N_("Queued")),
        out.t(N_("Typed by")),
        out.t(N_("Since")),
        out.t(N_("Check LAPOR! first")),
        out.t(N_("Title")),
    ]
    rows = [
        [
            str(i.outbox_id),
            i.registration_number,
            yes if i.urgent else EMPTY,
            local_time(i.queued_at, timezone),
            f"{i.holder.user}@{i.holder.station}" if i.holder else EMPTY,
            local_time(i.holder.since, timezone) if i.holder and i.holder.since else EMPTY,
            yes if i.check_first else EMPTY,
            shorten(i.title, _TITLE_WIDTH),
        ]
        for i in items
    ]
    out.table(headers, rows)
    out.line(out.t(N_("{count} waiting to be typed into LAPOR!."), count=len(items)))
    return ExitCode.OK


def show(args: argparse.Namespace, out: Output) -> int:
    """One queue line in full; takes no lease and opens no identity."""
    with signed_in_desk(args, out) as (desk, me):
        item = find_item(desk, args.key, me.actor)
        timezone = desk.context.office.timezone
    if isinstance(item, Refused):
        return refuse(out, item.message)
    if args.json:
        out.json(item_json(item))
        return ExitCode.OK
    _print_item(item, timezone, out)
    return ExitCode.OK


def _print_item(item: QueueItem, timezone: str, out: Output) -> None:
    yes, no = out.t(N_("yes")), out.t(N_("no"))
    out.line(f"{out.t(N_('Registration number'))}: {item.registration_number}")
    out.line(f"{out.t(N_('ID'))}: {item.outbox_id}")
    out.line(f"{out.t(N_('UUID'))}: {item.complaint_uuid}")
    out.line(f"{out.t(N_('Title'))}: {item.title}")
    out.line(f"{out.t(N_('Urgent'))}: {yes if item.urgent else no}")
    out.line(f"{out.t(N_('Queued'))}: {local_time(item.queued_at, timezone)}")
    if item.holder is None:
        out.line(out.t(N_("Nobody is typing it.")))
    else:
        since = local_time(item.holder.since, timezone) if item.holder.since else "?"
        out.line(
            out.t(
                N_("Typed by {user} (workstation {station}) since {since}, lease until {until}."),
                user=item.holder.user,
                station=item.holder.station,
                since=since,
                until=local_time(item.holder.until, timezone),
            )
        )
    if item.check_first:
        out.line(out.t(N_("Started before and never finished: look for it at LAPOR! first.")))


def item_json(item: QueueItem) -> dict[str, object]:
    holder = item.holder
    return {
        "outbox_id": item.outbox_id,
        "complaint_uuid": item.complaint_uuid,
        "registration_number": item.registration_number,
        "title": item.title,
        "urgent": item.urgent,
        "queued_at": item.queued_at,
        "held_by": holder.user if holder else None,
        "station": holder.station if holder else None,
        "since": holder.since if holder else None,
        "lease_until": holder.until if holder else None,
        "mine": item.mine,
        "check_first": item.check_first,
    }


__all__ = ["item_json", "queue", "show"]
