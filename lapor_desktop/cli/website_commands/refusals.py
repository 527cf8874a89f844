"""Each way the website lane says no, with its own exit code, so a script can tell them apart.

A refusal is an expected outcome, not an exception (like a sync outcome): the service's
message is printed in both languages and the code comes from the message it chose.
"""

from __future__ import annotations

import enum

from lapor_desktop.domain import tracking_id
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import website_lane, website_records

from ..exit_codes import ExitCode
from ..output import Output

NOT_STARTED_HERE = N_(
    "Complaint {registration_number} was not started with the command line on this "
    "workstation: run 'lapor-desktop website start {id}', check the text you typed, then "
    "record the tracking ID. Nothing was recorded."
)


class WebsiteExit(enum.IntEnum):
    HELD = 20
    """Another operator is typing it: the message names who and since when."""
    NOT_HOLDER = 21
    """You are not typing it (never started here, or taken over after its lease ran out)."""
    BAD_TRACKING_ID = 22
    """The pasted text holds no tracking ID of the office's format (letters, nothing, several)."""
    DUPLICATE = 23
    """The tracking ID already belongs to another complaint."""
    EDITED = 24
    """The complaint changed since it was started: start it again."""
    NOT_NOW = 25
    """Not waiting on this route, being typed, to be checked at LAPOR! first, or a status
    that cannot follow the current one."""


_CODES: dict[str, int] = {
    website_lane.HELD: WebsiteExit.HELD,
    website_lane.NOT_YOURS: WebsiteExit.NOT_HOLDER,
    website_records.NOT_HELD: WebsiteExit.NOT_HOLDER,
    NOT_STARTED_HERE: WebsiteExit.NOT_HOLDER,
    website_records.DUPLICATE: WebsiteExit.DUPLICATE,
    website_records.EDITED: WebsiteExit.EDITED,
    tracking_id.EMPTY: WebsiteExit.BAD_TRACKING_ID,
    tracking_id.NOT_FOUND: WebsiteExit.BAD_TRACKING_ID,
    tracking_id.WRONG_FORMAT: WebsiteExit.BAD_TRACKING_ID,
    tracking_id.SEVERAL: WebsiteExit.BAD_TRACKING_ID,
    tracking_id.BAD_PATTERN: ExitCode.DATABASE,
    website_lane.NOT_WAITING: WebsiteExit.NOT_NOW,
    website_records.NOT_MOVABLE: WebsiteExit.NOT_NOW,
    website_records.CHECK_FIRST: WebsiteExit.NOT_NOW,
    website_records.BAD_MOVE: WebsiteExit.NOT_NOW,
    website_records.NOT_BY_WEBSITE: WebsiteExit.NOT_NOW,
    website_lane.NO_SUCH: ExitCode.NOT_FOUND,
    website_records.NO_COMPLAINT: ExitCode.NOT_FOUND,
}
"""Everything else the lane refuses is a bad argument (a date, a status, a reason): exit 2."""


def exit_code(message: Message) -> int:
    return _CODES.get(message.template, ExitCode.USAGE)


def refuse(out: Output, message: Message) -> int:
    """Print the refusal bilingually on stderr; its code for the command to return."""
    out.error(message)
    return exit_code(message)
