"""What every service needs, passed in once by the composition root (no globals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lapor_desktop.attachments.store import AttachmentStore
from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.settings import OfficeSettings, WorkstationSettings
from lapor_desktop.storage.database import Database

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Actor:
    """Who is acting. Accounts and roles arrive with the accounts issue; until then a name."""

    username: str


SYSTEM_ACTOR = Actor("system")


@dataclass
class DeskContext:
    database: Database
    office: OfficeSettings
    station: WorkstationSettings
    references: ReferenceLookup
    attachments: AttachmentStore
    clock: Clock = system_clock

    def now(self) -> dt.datetime:
        return self.clock()

    def office_today(self) -> dt.date:
        """Today where the office is (WIB, WITA or WIT), not where UTC is."""
        return self.clock().astimezone(ZoneInfo(self.office.timezone)).date()
