"""The one typed settings schema.

Office settings (shared by every workstation of an office, so kept in the
database) and workstation settings (kept in ``settings.json`` in the data
folder). Both round-trip through plain JSON; unknown keys are ignored and
missing keys take their defaults, so an older file always loads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

MIB = 1024 * 1024


@dataclass(frozen=True)
class SlaSettings:
    """Deadlines of the LAPOR! lifecycle (Permenpan-RB 62/2018, Perpres 76/2013)."""

    verification_working_days: int = 3
    follow_up_working_days: int = 5
    auto_close_working_days: int = 10
    legal_ceiling_days: int = 60
    leave_days: tuple[dt.date, ...] = ()
    """Office leave days (cuti bersama and local days off) on top of public holidays."""


@dataclass(frozen=True)
class AttachmentSettings:
    max_bytes: int = 20 * MIB
    allow_audio_video: bool = True


@dataclass(frozen=True)
class ValidationSettings:
    require_nik: bool = False
    """Offices that always see a KTP can make the NIK compulsory."""


@dataclass(frozen=True)
class NationalServiceSettings:
    """Where this office's desks send complaints, and how they know the answers are genuine.

    Shared by every workstation of the office. The device token is not here:
    it is a per-workstation secret kept in the keyring (``sync.device_token``).
    """

    server_url: str = ""
    """Empty: not configured yet (or "training only for now")."""
    public_keys: tuple[str, ...] = ()
    """The service's Ed25519 receipt keys (base64); more than one during a key rotation."""
    pinned_ca_file: str = ""
    """Optional CA bundle to trust instead of the system's, for the national service only."""

    @property
    def configured(self) -> bool:
        return bool(self.server_url and self.public_keys)


@dataclass(frozen=True)
class OfficeSettings:
    office_code: str
    office_name: str
    timezone: str = "Asia/Jakarta"
    sla: SlaSettings = field(default_factory=SlaSettings)
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)
    validation: ValidationSettings = field(default_factory=ValidationSettings)
    national: NationalServiceSettings = field(default_factory=NationalServiceSettings)
    idle_lock_minutes: int = 5
    """The desk window locks after this long without input (a shared PC at a public counter)."""

    def to_json(self) -> str:
        return json.dumps(_to_plain(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> OfficeSettings:
        raw = json.loads(text)
        return OfficeSettings(
            office_code=str(raw["office_code"]),
            office_name=str(raw["office_name"]),
            timezone=str(raw.get("timezone", "Asia/Jakarta")),
            sla=_sla_from(raw.get("sla", {})),
            attachments=_from_plain(AttachmentSettings, raw.get("attachments", {})),
            validation=_from_plain(ValidationSettings, raw.get("validation", {})),
            national=_national_from(raw.get("national", {})),
            idle_lock_minutes=max(1, int(raw.get("idle_lock_minutes", 5))),
        )


@dataclass(frozen=True)
class WorkstationSettings:
    """What belongs to this PC only."""

    station_id: str
    language: str = "id"
    training: bool = False
    """A training desk (``lapor-desktop demo``): marked everywhere, talks to loopback only."""
    backups_kept: int = 14
    """How many automatic backups of the SQLite database to keep (``<data>/backups``)."""

    @staticmethod
    def new() -> WorkstationSettings:
        return WorkstationSettings(station_id=new_station_id())

    def training_copy(self) -> WorkstationSettings:
        return dataclasses.replace(self, training=True)

    @classmethod
    def load(cls, path: Path) -> WorkstationSettings | None:
        if not path.exists():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        return WorkstationSettings(
            station_id=str(raw["station_id"]),
            language=str(raw.get("language", "id")),
            training=raw.get("training") is True,
            backups_kept=max(1, int(raw.get("backups_kept", 14))),
        )

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)


# Crockford's base32 without I, L, O, U: easy to read aloud and to type.
STATION_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_station_id() -> str:
    """Four random characters naming this workstation in registration numbers.

    Chosen once, without asking any other PC: about a million values, so two
    stations of one office share one with odds of about 1 in 20,000 even for
    ten stations; the database's unique constraint catches that case.
    """
    return "".join(secrets.choice(STATION_ALPHABET) for _ in range(4))


def _to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_to_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_plain(cls: type[T], raw: dict[str, Any]) -> T:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in raw.items() if k in names})


def _national_from(raw: dict[str, Any]) -> NationalServiceSettings:
    keys = tuple(str(k) for k in raw.get("public_keys", ()))
    plain = {k: str(v) for k, v in raw.items() if k != "public_keys"}
    return dataclasses.replace(_from_plain(NationalServiceSettings, plain), public_keys=keys)


def _sla_from(raw: dict[str, Any]) -> SlaSettings:
    leave = tuple(dt.date.fromisoformat(d) for d in raw.get("leave_days", ()))
    plain = {k: int(v) for k, v in raw.items() if k != "leave_days"}
    return dataclasses.replace(_from_plain(SlaSettings, plain), leave_days=leave)
