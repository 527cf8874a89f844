"""Failures the operator can act on, told plainly; anything else is a bug and says so.

After qutebrowser's ``misc/sql.py``: a locked database or a full disk is
not a crash, so the window explains it and carries on.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import OperationalError

from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.machine_key import MachineKeyError
from lapor_desktop.services.context import DeskLocked
from lapor_desktop.services.permissions import PermissionDenied

DATABASE_BUSY = Message(
    N_(
        "The database is busy (another workstation is saving). Nothing was lost; "
        "try again in a moment."
    )
)
DATABASE_UNREACHABLE = Message(
    N_(
        "The database cannot be reached. Check the office network or the database "
        "server, then try again. What you typed is still in the form."
    )
)
DISK_FULL = Message(
    N_("The disk is full. Free some space, then save again; what you typed is still in the form.")
)
UNEXPECTED = Message(
    N_(
        "Something unexpected went wrong: {detail}. What you typed is still in the form; "
        "please tell the IT staff."
    )
)


def explain(error: BaseException) -> tuple[Message, bool]:
    """What to tell the operator, and whether it is a bug rather than a situation."""
    if isinstance(error, PermissionDenied | MachineKeyError):
        return error.message, False
    if isinstance(error, DeskLocked):
        return DeskLocked.message, False
    if isinstance(error, OperationalError):
        text = str(error.orig).lower()
        if "locked" in text or "busy" in text:
            return DATABASE_BUSY, False
        return DATABASE_UNREACHABLE, False
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return DISK_FULL, False
    return Message(UNEXPECTED.template, {"detail": type(error).__name__}), True
