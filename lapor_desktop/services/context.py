"""What every service needs, passed in once when the desk opens (no globals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from lapor_desktop.attachments.store import AttachmentStore
from lapor_desktop.domain.roles import Role
from lapor_desktop.i18n import N_, Message
from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.services.events import EventHub
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.settings import OfficeSettings, WorkstationSettings
from lapor_desktop.storage.database import Database

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person (``Principal.actor``) with their role."""

    username: str
    role: Role
    must_change_password: bool = False


class DeskLocked(RuntimeError):
    """Identity data was needed but no data key is unlocked on this workstation."""

    message = Message(
        N_(
            "The complainants' data is locked on this computer: sign in with a password "
            "once to unlock it."
        )
    )


@dataclass
class DeskContext:
    database: Database
    office: OfficeSettings
    station: WorkstationSettings
    references: ReferenceLookup
    attachments_root: Path
    clock: Clock = system_clock
    vault: IdentityVault | None = None
    """Seals and opens identities; None until a data key is unlocked."""
    hub: EventHub = field(default_factory=EventHub)
    """Where every write announces what it changed (one per desk, any thread)."""

    def now(self) -> dt.datetime:
        return self.clock()

    def attachment_store(self) -> AttachmentStore:
        """The encrypted file store; needs the data key like the identities do."""
        return AttachmentStore(self.attachments_root, self.require_vault().file_key)

    def require_vault(self) -> IdentityVault:
        if self.vault is None:
            raise DeskLocked(DeskLocked.message.render("en"))
        return self.vault

    def office_today(self) -> dt.date:
        """Today where the office is (WIB, WITA or WIT), not where UTC is."""
        return self.clock().astimezone(ZoneInfo(self.office.timezone)).date()
