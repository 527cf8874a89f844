"""The name an officer is known by, for what a citizen reads (the receipt's "received by").

An account name such as ``loket`` says nothing to the person holding the receipt; the
display name given when the account was made does. An account without one (or gone)
keeps its account name, so the line is never empty.
"""

from __future__ import annotations

from sqlalchemy import select

from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import User


def display_name(database: Database, username: str) -> str:
    """The officer's display name, or ``username`` when the account has none."""
    if not username:
        return ""
    with database.read() as session:
        name = session.scalar(select(User.display_name).where(User.username == username))
    return (name or "").strip() or username
