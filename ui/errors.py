"""Failures the operator can act on, told plainly; anything else is a bug and says so.

After qutebrowser's ``misc/sql.py``: a locked database, a full disk or a
read-only data folder is not a crash, so the window explains it (with the
core's :func:`~lapor_desktop.storage.problems.storage_problem`) and
carries on; what the operator typed stays in the form.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import OperationalError

from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.machine_key import MachineKeyError
from lapor_desktop.services.context import DeskLocked
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.storage.problems import storage_problem

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
UNEXPECTED = Message(
    N_(
        "Something unexpected went wrong: {detail}. What you typed is still in the form; "
        "please tell the IT staff."
    )
)
TYPING_KEPT = N_("{problem} What you typed is still in the form.")


def explain(error: BaseException, data_folder: Path | None = None) -> tuple[Message, bool]:
    """What to tell the operator, and whether it is a bug rather than a situation.

    ``data_folder`` lets a full disk or a read-only folder name the folder.
    """
    if isinstance(error, PermissionDenied | MachineKeyError):
        return error.message, False
    if isinstance(error, DeskLocked):
        return DeskLocked.message, False
    problem = storage_problem(error, data_folder)
    if problem is not None:
        return Message(TYPING_KEPT, {"problem": problem.message}), False
    if isinstance(error, OperationalError):
        text = str(error.orig).lower()
        if "locked" in text or "busy" in text:
            return DATABASE_BUSY, False
        return DATABASE_UNREACHABLE, False
    return Message(UNEXPECTED.template, {"detail": type(error).__name__}), True
