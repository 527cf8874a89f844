"""``website start``, ``cancel`` and ``not-sent``: taking, giving back and clearing a submission."""

from __future__ import annotations

import argparse

from lapor_desktop.i18n import N_
from lapor_desktop.services.website_lane import Refused

from ..exit_codes import ExitCode
from ..output import Output
from ..session import signed_in_desk
from .handover_text import handover_json, print_handover
from .lookup import find_item
from .refusals import refuse
from .typing_notes import TypingNotes


def start(args: argparse.Namespace, out: Output) -> int:
    """Take the lease (or resume one's own) and print what to type; notes the version shown."""
    with signed_in_desk(args, out) as (desk, me):
        item = find_item(desk, args.key, me.actor)
        if isinstance(item, Refused):
            return refuse(out, item.message)
        handover = desk.website.start(item.outbox_id, actor=me.actor)
        if isinstance(handover, Refused):
            return refuse(out, handover.message)
        TypingNotes(desk.paths.root).write(
            handover.outbox_id, me.actor.username, handover.typed_digest
        )
        address = desk.context.office.website.address
        timezone = desk.context.office.timezone
    if args.json:
        out.json(handover_json(handover, address, out))
    else:
        print_handover(handover, address, timezone, out)
    return ExitCode.OK


def cancel(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        item = find_item(desk, args.key, me.actor)
        if isinstance(item, Refused):
            return refuse(out, item.message)
        refused = desk.website.cancel(item.outbox_id, actor=me.actor)
        if refused is not None:
            return refuse(out, refused.message)
        TypingNotes(desk.paths.root).forget(item.outbox_id, me.actor.username)
    out.line(
        out.t(
            N_("Complaint {number} is back in the queue; its handed-over files are deleted."),
            number=item.registration_number,
        )
    )
    return ExitCode.OK


def not_sent(args: argparse.Namespace, out: Output) -> int:
    """The operator looked at LAPOR! and the unfinished submission is not there."""
    with signed_in_desk(args, out) as (desk, me):
        item = find_item(desk, args.key, me.actor)
        if isinstance(item, Refused):
            return refuse(out, item.message)
        refused = desk.website.confirm_not_sent(item.outbox_id, actor=me.actor)
        if refused is not None:
            return refuse(out, refused.message)
    out.line(
        out.t(
            N_("Noted: complaint {number} is not at LAPOR!; it may be typed in now."),
            number=item.registration_number,
        )
    )
    return ExitCode.OK
