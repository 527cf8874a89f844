"""A handover as the terminal shows it and as scripts read it.

The fields come in the order of the LAPOR! report form; anonim and rahasia are shouted,
because two leaks at LAPOR! came from an admin who forgot them. The identity is masked,
as everywhere on the command line (scroll-back, logs, tickets): the full one is in the
desk window's panel, or hidden with the reason the role rules give.
"""

from __future__ import annotations

from lapor_desktop.domain.complaint import Identity
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.website_handover import Handover
from lapor_desktop.services.website_records import CHECK_FIRST

from ..masking import masked_identity
from ..output import Output, local_time, text_or_empty

INDENT = "  "
LOUD = ">>> {label}: {value} <<<"


def masked(handover: Handover) -> dict[str, str] | None:
    if handover.identity_hidden is not None:
        return None
    return masked_identity(Identity(**{f.key: f.value for f in handover.identity}))


def handover_json(handover: Handover, address: str, out: Output) -> dict[str, object]:
    hidden = handover.identity_hidden
    return {
        "outbox_id": handover.outbox_id,
        "complaint_uuid": handover.complaint_uuid,
        "registration_number": handover.registration_number,
        "typed_digest": handover.typed_digest,
        "started_at": handover.started_at,
        "check_first": handover.check_first,
        "anonim": handover.anonim,
        "rahasia": handover.rahasia,
        "lapor_address": address,
        "fields": [
            {"key": f.key, "label": out.t(f.label), "value": out.t(f.value) if f.flag else f.value}
            | {"flag": f.flag}
            for f in handover.fields
        ],
        "identity": masked(handover),
        "identity_masked": hidden is None,
        "identity_hidden": out.t(hidden) if hidden is not None else None,
        "folder": str(handover.folder) if handover.folder else None,
        "files": [
            {
                "name": f.name,
                "path": str(f.path) if f.path else None,
                "warning": f.warning.render(out.language) if f.warning else None,
            }
            for f in handover.files
        ],
    }


def print_handover(handover: Handover, address: str, timezone: str, out: Output) -> None:
    number = handover.registration_number
    out.line(out.t(N_("Complaint {number} (outbox ID {id})"), number=number, id=handover.outbox_id))
    out.line(
        out.t(
            N_("Being typed by you since {since}."), since=local_time(handover.started_at, timezone)
        )
    )
    if handover.check_first:
        out.line()
        out.line(
            "!!! " + Message(CHECK_FIRST, {"registration_number": number}).render(out.language)
        )
    out.line()
    out.line(out.t(N_("Open LAPOR! at: {address}"), address=address))
    out.line(out.t(N_("Fields in the order of the LAPOR! form:")))
    for f in handover.fields:
        label = out.t(f.label)
        if f.flag:
            out.line(INDENT + LOUD.format(label=label.upper(), value=out.t(f.value).upper()))
        elif "\n" in f.value:
            out.line(f"{INDENT}{label}:")
            for text_line in f.value.splitlines():
                out.line(INDENT * 2 + text_line)
        else:
            out.line(f"{INDENT}{label}: {text_or_empty(f.value)}")
    out.line()
    _print_identity(handover, out)
    _print_files(handover, out)
    out.line()
    out.line(
        out.t(
            N_(
                "When LAPOR! shows the tracking ID: lapor-desktop website record {id} TRACKING-ID "
                "(or: lapor-desktop website cancel {id})."
            ),
            id=handover.outbox_id,
        )
    )


def _print_identity(handover: Handover, out: Output) -> None:
    identity = masked(handover)
    if identity is None:
        out.line(f"{out.t(N_('Complainant'))}: {out.t(handover.identity_hidden or '')}")
        return
    out.line(out.t(N_("Complainant (masked; in full in the desk window):")))
    for f in handover.identity:
        out.line(f"{INDENT}{out.t(f.label)}: {text_or_empty(identity[f.key])}")


def _print_files(handover: Handover, out: Output) -> None:
    if not handover.files:
        return
    out.line()
    folder = str(handover.folder) if handover.folder else "-"
    out.line(out.t(N_("Files to upload, from {folder}:"), folder=folder))
    for f in handover.files:
        out.line(f"{INDENT}{f.name}" if f.path else f"{INDENT}({f.name})")
        if f.warning is not None:
            out.line(INDENT * 2 + f.warning.render(out.language))
