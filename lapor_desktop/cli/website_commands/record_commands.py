"""``website record``, ``status`` and ``route``: what the lane writes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.website_lane import Refused
from lapor_desktop.services.website_records import WebsiteRefused

from ..exit_codes import ExitCode, UsageError
from ..output import Output
from ..session import signed_in_desk
from .lookup import find_item
from .refusals import NOT_STARTED_HERE, refuse
from .typing_notes import TypingNotes


def record(args: argparse.Namespace, out: Output) -> int:
    """The tracking ID pasted back, for the version ``website start`` printed to this operator."""
    with signed_in_desk(args, out) as (desk, me):
        item = find_item(desk, args.key, me.actor)
        if isinstance(item, Refused):
            return refuse(out, item.message)
        notes = TypingNotes(desk.paths.root)
        digest = notes.typed_digest(item.outbox_id, me.actor.username)
        if digest is None:
            params = {"registration_number": item.registration_number, "id": item.outbox_id}
            return refuse(out, Message(NOT_STARTED_HERE, params))
        recorded = desk.website_records.record_tracking_id(
            item.outbox_id, args.tracking_id, typed_digest=digest, actor=me.actor
        )
        if isinstance(recorded, WebsiteRefused):
            return refuse(out, recorded.message)
        notes.forget(item.outbox_id, me.actor.username)
    citizen = recorded.citizen_text.render(out.language)
    if args.json:
        out.json(
            {
                "registration_number": recorded.registration_number,
                "tracking_id": recorded.tracking_id,
                "citizen_text": citizen,
            }
        )
        return ExitCode.OK
    out.line(
        out.t(
            N_("Complaint {number} reached LAPOR! with tracking ID {tracking_id}."),
            number=recorded.registration_number,
            tracking_id=recorded.tracking_id,
        )
    )
    out.line(out.t(N_("Text for the citizen (SMS/WhatsApp):")))
    out.line(citizen)
    return ExitCode.OK


def status(args: argparse.Namespace, out: Output) -> int:
    """A status (and the agency's answer) read on LAPOR!, into the timeline."""
    text = _pasted(args.text)
    with signed_in_desk(args, out) as (desk, me):
        changed = desk.website_records.record_status(
            args.key, args.status, args.date, text, actor=me.actor
        )
    if isinstance(changed, WebsiteRefused):
        return refuse(out, changed.message)
    out.line(out.t(N_("Recorded in the timeline of {key}."), key=args.key.strip()))
    return ExitCode.OK


def route(args: argparse.Namespace, out: Output) -> int:
    """A supervisor moves one waiting complaint to the other route, with the reason."""
    with signed_in_desk(args, out) as (desk, me):
        moved = desk.website_records.move_route(args.key, args.route, args.reason, actor=me.actor)
    if isinstance(moved, WebsiteRefused):
        return refuse(out, moved.message)
    out.line(
        out.t(N_("{key} now goes by the {route} route."), key=args.key.strip(), route=args.route)
    )
    return ExitCode.OK


def _pasted(source: str | None) -> str:
    if source is None:
        return ""
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(
            Message(
                N_("The text file {file} cannot be read: {detail}"),
                {"file": source, "detail": str(error)},
            )
        ) from None
