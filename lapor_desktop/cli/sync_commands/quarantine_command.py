"""``lapor-desktop quarantine list|resend ID``: the supervisor's decisions on refused records.

Correcting a complaint's content is done in the desk window (or by editing
it, which queues it again); ``resend`` sends a record again as it stands,
with its corrected content if it was corrected. Every decision is audited.
"""

from __future__ import annotations

import argparse

from lapor_desktop.cli.exit_codes import NotFound
from lapor_desktop.cli.output import EMPTY, Output, local_time, shorten
from lapor_desktop.i18n import N_
from lapor_desktop.services.quarantine import QuarantineService, ResendRefused

from .desk_access import DeskAccess

REASON_WIDTH = 70


def quarantine(args: argparse.Namespace, out: Output, access: DeskAccess) -> int:
    with access.signed_in(args, out) as (desk, principal):
        service = QuarantineService(desk.context, desk.intake)
        if args.quarantine_command == "resend":
            done = service.resend(args.key, actor=principal.actor)
            if isinstance(done, ResendRefused):
                raise NotFound(done.message)
            template = (
                N_("Queued again with its corrected content: {number} (outbox {outbox_id}).")
                if done.corrected
                else N_("Queued again: {number} (outbox {outbox_id}).")
            )
            out.line(
                out.t(template, number=done.registration_number or EMPTY, outbox_id=done.outbox_id)
            )
            return 0
        records = service.list(actor=principal.actor)
        timezone = desk.context.office.timezone
        if args.json:
            out.json(
                {
                    "quarantined": [
                        {
                            "outbox_id": r.outbox_id,
                            "registration_number": r.registration_number,
                            "complaint_uuid": r.complaint_uuid,
                            "kind": r.kind,
                            "reason": r.reason,
                            "since": r.quarantined_at,
                            "attempts": r.attempts,
                        }
                        for r in records
                    ]
                }
            )
            return 0
        if not records:
            out.line(out.t(N_("Nothing is quarantined.")))
            return 0
        headers = [out.t(N_("Registration number")), "ID", out.t(N_("Since")), out.t(N_("Reason"))]
        rows = [
            [
                r.registration_number or EMPTY,
                str(r.outbox_id),
                local_time(r.quarantined_at, timezone),
                shorten(r.reason, REASON_WIDTH),
            ]
            for r in records
        ]
        out.table(headers, rows)
    return 0
