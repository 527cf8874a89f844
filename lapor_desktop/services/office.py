"""The office this desk serves: created once by ``init``, shared by all its workstations."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import OfficeSettingsRow

OFFICE_CODE = re.compile(r"^[0-9A-Z]{2,16}$")


class OfficeNotInitialised(RuntimeError):
    message = Message(N_("This desk has not been set up yet: run 'lapor-desktop init' first."))


def check_office_code(code: str) -> Message | None:
    if not OFFICE_CODE.match(code):
        return Message(
            N_(
                "The office code must be 2 to 16 capital letters or digits, "
                "e.g. 2104; got {code!r}."
            ),
            {"code": code},
        )
    return None


def load_office(database: Database) -> OfficeSettings | None:
    with database.read() as session:
        row = session.scalars(select(OfficeSettingsRow).where(OfficeSettingsRow.id == 1)).first()
        return OfficeSettings.from_json(row.settings_json) if row else None


def save_office(database: Database, settings: OfficeSettings, *, now: dt.datetime) -> None:
    with database.write() as session:
        put_office(session, settings, now=now)


def put_office(session: Session, settings: OfficeSettings, *, now: dt.datetime) -> None:
    """Write the office settings in the caller's transaction (beside its audit entry)."""
    row = session.get(OfficeSettingsRow, 1)
    if row is None:
        session.add(OfficeSettingsRow(id=1, settings_json=settings.to_json(), updated_at=now))
    else:
        row.settings_json = settings.to_json()
        row.updated_at = now
