"""``website SUBCOMMAND``: each subcommand's function, imported when it runs."""

from __future__ import annotations

import argparse

from ..output import Output
from . import lease_commands, office_route, queue_commands, record_commands

_SUBCOMMANDS = {
    "queue": queue_commands.queue,
    "show": queue_commands.show,
    "start": lease_commands.start,
    "cancel": lease_commands.cancel,
    "not-sent": lease_commands.not_sent,
    "record": record_commands.record,
    "status": record_commands.status,
    "route": record_commands.route,
    "new-complaints": office_route.new_complaints,
}


def website_command(args: argparse.Namespace, out: Output) -> int:
    return _SUBCOMMANDS[args.website_command](args, out)
