"""``website new-complaints protocol|website``: the office's route for complaints saved from now on.

The office setting ``website.route`` (supervisor, as every office setting): an office without
a LAPOR! developer account sends its new complaints to the website lane; complaints already
queued keep their route (``website route`` moves one).
"""

from __future__ import annotations

import argparse
import dataclasses

from lapor_desktop.i18n import N_
from lapor_desktop.services.settings_service import SettingsRefused, SettingsService

from ..exit_codes import ExitCode, UsageError
from ..output import Output
from ..session import signed_in_desk

ROUTE_SET = N_(
    "New complaints now go by the {route} route; complaints already waiting keep theirs."
)
ROUTE_KEPT = N_("New complaints already go by the {route} route; nothing changed.")


def new_complaints(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        service = SettingsService(desk.context)
        office = service.current()
        website = dataclasses.replace(office.website, route=args.route)
        saved = service.save(me.actor, dataclasses.replace(office, website=website))
    if isinstance(saved, SettingsRefused):
        raise UsageError(saved.issues[0].message)
    said = ROUTE_SET if saved.changed else ROUTE_KEPT
    out.line(out.t(said, route=args.route))
    return ExitCode.OK
