"""Changing the office's settings: checked, permitted, written with its audit entry.

The settings screen and any other front end come here, so the rules
(who may change them, what a valid value is) hold whatever calls. The
national-service address and keys are checked by the sync layer, which
the core cannot import: the caller passes that check in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.services.changes import NOTHING, SETTINGS, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.office import load_office, put_office
from lapor_desktop.services.permissions import require
from lapor_desktop.settings import MIB, NationalServiceSettings, OfficeSettings
from lapor_desktop.validation.dates import parse_incident_date

MAX_WORKING_DAYS = 60
MAX_CEILING_DAYS = 365
MAX_ATTACHMENT_MIB = 500
MAX_IDLE_MINUTES = 120

NationalCheck = Callable[[NationalServiceSettings], "Sequence[SettingIssue]"]
"""The national service's address, keys, CA file (and a token being set), checked by the caller."""


@dataclass(frozen=True)
class SettingIssue:
    """What is wrong with one field, named as the settings screen names it."""

    field: str
    message: Message


@dataclass(frozen=True)
class SettingsSaved:
    settings: OfficeSettings
    changed: tuple[str, ...]
    """Names of the sections that changed (empty: nothing needed saving)."""
    changes: DeskChanges = field(default=NOTHING, compare=False)


@dataclass(frozen=True)
class SettingsRefused:
    issues: tuple[SettingIssue, ...]


SettingsOutcome = SettingsSaved | SettingsRefused


def parse_leave_days(text: str) -> tuple[tuple[dt.date, ...], Message | None]:
    """One date per line (DD/MM/YYYY or YYYY-MM-DD), as typed at the desk; sorted, no repeats."""
    days: list[dt.date] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        # Leave is planned ahead, so no date is "in the future".
        day, problem = parse_incident_date(line, dt.date.max, max_age_years=None)
        if day is None:
            assert problem is not None
            return (), Message(
                N_("Leave day {line}: {problem}"), {"line": line.strip(), "problem": problem}
            )
        if day not in days:
            days.append(day)
    return tuple(sorted(days)), None


def check_settings(settings: OfficeSettings) -> list[SettingIssue]:
    """Every rule the core holds for office settings; empty when they may be saved."""
    issues: list[SettingIssue] = []
    if not settings.office_name.strip():
        issues.append(SettingIssue("office_name", Message(N_("The office needs a name."))))
    sla = settings.sla
    for name, value, ceiling in (
        ("verification_working_days", sla.verification_working_days, MAX_WORKING_DAYS),
        ("follow_up_working_days", sla.follow_up_working_days, MAX_WORKING_DAYS),
        ("auto_close_working_days", sla.auto_close_working_days, MAX_WORKING_DAYS),
        ("legal_ceiling_days", sla.legal_ceiling_days, MAX_CEILING_DAYS),
    ):
        if not 1 <= value <= ceiling:
            issues.append(
                SettingIssue(
                    name,
                    Message(
                        N_("Enter a number of days from 1 to {maximum}."), {"maximum": ceiling}
                    ),
                )
            )
    if not MIB <= settings.attachments.max_bytes <= MAX_ATTACHMENT_MIB * MIB:
        issues.append(
            SettingIssue(
                "max_attachment_mib",
                Message(
                    N_("An attachment limit must be from 1 to {maximum} MB."),
                    {"maximum": MAX_ATTACHMENT_MIB},
                ),
            )
        )
    if not 1 <= settings.idle_lock_minutes <= MAX_IDLE_MINUTES:
        issues.append(
            SettingIssue(
                "idle_lock_minutes",
                Message(
                    N_("The window must lock after 1 to {maximum} idle minutes."),
                    {"maximum": MAX_IDLE_MINUTES},
                ),
            )
        )
    return issues


class SettingsService:
    """Reads and changes the office settings; every change needs ``CHANGE_SETTINGS``."""

    def __init__(self, context: DeskContext) -> None:
        self._context = context

    def current(self) -> OfficeSettings:
        """As stored now (another workstation may have changed them since start-up)."""
        stored = load_office(self._context.database)
        return stored if stored is not None else self._context.office

    def save(
        self,
        actor: Actor,
        settings: OfficeSettings,
        *,
        national_check: NationalCheck | None = None,
    ) -> SettingsOutcome:
        """Check, then write settings and audit entry in one transaction; the desk uses them next.

        The office code names the office in every registration number and is never changed here.
        """
        require(actor, Permission.CHANGE_SETTINGS)
        before = self.current()
        settings = dataclasses.replace(settings, office_code=before.office_code)
        issues = check_settings(settings)
        if national_check is not None:
            issues.extend(national_check(settings.national))
        if issues:
            return SettingsRefused(tuple(issues))
        changed = _changed_sections(before, settings)
        if changed:
            context = self._context
            now = context.now()
            with context.database.write() as session:
                put_office(session, settings, now=now)
                audit.record(
                    session,
                    at=now,
                    actor=actor.username,
                    station_id=context.station.station_id,
                    action="office_settings_changed",
                    entity_type="office",
                    entity_id=settings.office_code,
                    details={"sections": list(changed)},
                )
        self._context.office = settings
        saved = SettingsSaved(settings, changed, SETTINGS if changed else NOTHING)
        self._context.hub.publish(saved.changes)
        return saved

    def change_device_token(self, actor: Actor, store: Callable[[], object]) -> None:
        """Keep a new device token through ``store`` (the sync layer's secure store), audited.

        The audit entry says that the token changed, never what it is.
        """
        require(actor, Permission.CHANGE_SETTINGS)
        store()
        context = self._context
        now = context.now()
        with context.database.write() as session:
            audit.record(
                session,
                at=now,
                actor=actor.username,
                station_id=context.station.station_id,
                action="device_token_changed",
                entity_type="workstation",
                entity_id=context.station.station_id,
            )


def _changed_sections(before: OfficeSettings, after: OfficeSettings) -> tuple[str, ...]:
    names: Sequence[str] = [f.name for f in dataclasses.fields(OfficeSettings)]
    return tuple(name for name in names if getattr(before, name) != getattr(after, name))
