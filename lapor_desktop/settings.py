"""The one typed settings schema, and the store that reads and writes it.

Office settings (shared by every workstation of an office, so kept in the
database) and workstation settings (kept in ``settings.json`` in the data
folder). The frozen dataclasses below are the schema: their fields, types,
defaults and ``_rule`` ranges. A missing key takes its default, so an older
file always loads; an unknown key (a typo such as ``idle_lock_minute``), a
wrong type or a value out of range is refused with :class:`SettingsRejected`,
naming the key and where it was, and nothing is overwritten.

Why msgspec rather than pydantic v2: both check the same schema, but msgspec
decodes straight into these plain dataclasses (which the whole desk builds with
keywords and changes with ``dataclasses.replace``) and costs about 9 ms to
import, against 45 ms or more for pydantic before it has built one model; the
command line must start in 0.15 s. It is imported only when settings are
read or written, so importing this module stays free.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import secrets
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lapor_desktop import durable_files
from lapor_desktop.domain.tracking_id import DEFAULT_PATTERN
from lapor_desktop.i18n import N_, Message

if TYPE_CHECKING:
    import msgspec

T = TypeVar("T")

MIB = 1024 * 1024

# Crockford's base32 without I, L, O, U: easy to read aloud and to type.
STATION_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_RULE = "lapor.rule"


def _rule(default: Any, **constraints: object) -> Any:
    """A field with a default and the range or pattern its stored value must meet."""
    return field(default=default, metadata={_RULE: constraints})


@dataclass(frozen=True)
class SlaSettings:
    """Deadlines of the LAPOR! lifecycle (Permenpan-RB 62/2018, Perpres 76/2013)."""

    verification_working_days: int = _rule(3, ge=1)
    follow_up_working_days: int = _rule(5, ge=1)
    auto_close_working_days: int = _rule(10, ge=1)
    legal_ceiling_days: int = _rule(60, ge=1)
    leave_days: tuple[dt.date, ...] = ()
    """Office leave days (cuti bersama and local days off) on top of public holidays."""


@dataclass(frozen=True)
class AttachmentSettings:
    max_bytes: int = _rule(20 * MIB, ge=1)
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
    adapter: str = _rule("lapor-v1", pattern="^[a-z0-9][a-z0-9._-]{0,63}$")
    """Which adapter speaks to the service: ours (``lapor-v1``) or one installed by entry point."""

    @property
    def configured(self) -> bool:
        return bool(self.server_url and self.public_keys)


ROUTES = ("protocol", "website")
"""How new complaints reach LAPOR!: the sync engine's API, or an operator at the website."""


@dataclass(frozen=True)
class WebsiteLaneSettings:
    """The LAPOR! website lane: where operators type complaints in, and how its IDs look."""

    route: str = _rule("protocol", pattern="^(protocol|website)$")
    """The route of new complaints; a supervisor can move one complaint to the other."""
    address: str = "https://www.lapor.go.id"
    """The report form the operator opens ("Buka situs LAPOR!"); training opens the practice one."""
    tracking_id_pattern: str = DEFAULT_PATTERN
    """What a pasted tracking ID must look like (a regular expression, matched whole)."""
    stale_after_minutes: int = _rule(120, ge=5)
    """A submission started longer ago may already be at LAPOR!: the operator checks first."""


@dataclass(frozen=True)
class OfficeSettings:
    office_code: str
    office_name: str
    timezone: str = "Asia/Jakarta"
    sla: SlaSettings = field(default_factory=SlaSettings)
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)
    validation: ValidationSettings = field(default_factory=ValidationSettings)
    national: NationalServiceSettings = field(default_factory=NationalServiceSettings)
    website: WebsiteLaneSettings = field(default_factory=WebsiteLaneSettings)
    idle_lock_minutes: int = 5
    """The desk window locks after this long without input (a shared PC at a public counter).

    A stored value below 1 is read as 1; the upper limit is the settings service's rule.
    """

    def to_json(self) -> str:
        return _encode(self, order="sorted").decode("utf-8")

    @classmethod
    def from_json(cls, text: str | bytes, *, where: str | Message | None = None) -> OfficeSettings:
        """Read stored office settings; :class:`SettingsRejected` names any key that does not fit.

        ``where`` names their origin in the message (by default, the database).
        """
        origin = where if where is not None else Message(N_("the database (office settings)"))
        office = _decode(cls, text, origin)
        return dataclasses.replace(office, idle_lock_minutes=max(1, office.idle_lock_minutes))


@dataclass(frozen=True)
class WorkstationSettings:
    """What belongs to this PC only."""

    station_id: str = field(metadata={_RULE: {"pattern": "^[0-9A-Z]{4}$"}})
    language: str = "id"
    training: bool = False
    """A training desk (``lapor-desktop demo``): marked everywhere, talks to loopback only."""
    backups_kept: int = 14
    """How many automatic backups of the database to keep (``<data>/backups``); at least 1."""
    database_timeout_seconds: int = _rule(5, ge=2)
    """How long this PC waits for the office's PostgreSQL server (connect, answer, keepalive).

    A workstation setting, not an office one: it is needed before the first connection
    (office settings live in that database) and fits this PC's own link to the server.
    """
    spool_station_id: str = _rule("", pattern="^([0-9A-Z]{4})?$")
    """The station part of the numbers this PC gives while the office database is away.

    Drawn once from that database (``services.spool``) and reserved in it, so a number
    given from the spool can equal neither one of this PC's own nor another PC's.
    """

    @staticmethod
    def new() -> WorkstationSettings:
        return WorkstationSettings(station_id=new_station_id())

    def training_copy(self) -> WorkstationSettings:
        return dataclasses.replace(self, training=True)

    @classmethod
    def load(cls, path: Path) -> WorkstationSettings | None:
        """This PC's settings; ``None`` if the file does not exist yet.

        A file that does not fit the schema raises :class:`SettingsRejected`
        and is left untouched, so nothing typed into it by hand is lost.
        """
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            return None
        station = _decode(cls, content, str(path))
        return dataclasses.replace(station, backups_kept=max(1, station.backups_kept))

    def save(self, path: Path) -> None:
        """Write the file whole, or leave the old one (``durable_files``)."""
        import msgspec

        durable_files.write_bytes(
            path, msgspec.json.format(_encode(self), indent=2) + b"\n", mode=0o600
        )


class SettingsRejected(RuntimeError):
    """Stored settings that do not fit the schema; ``message`` says which key, where, and why."""

    def __init__(self, message: Message, *, where: str | Message, key: str) -> None:
        super().__init__(message.bilingual())
        self.message = message
        self.where = where
        self.key = key
        """The key refused, dotted from the top (``sla.leave_days[0]``); empty for the whole."""


def new_station_id() -> str:
    """Four random characters naming this workstation in registration numbers.

    Chosen once, without asking any other PC: about a million values, so two
    stations of one office share one with odds of about 1 in 20,000 even for
    ten stations; the database's unique constraint catches that case.
    """
    return "".join(secrets.choice(STATION_ALPHABET) for _ in range(4))


def _encode(settings: object, *, order: typing.Literal["sorted"] | None = None) -> bytes:
    import msgspec

    return msgspec.json.encode(settings, order=order)


def _decode(cls: type[T], content: str | bytes, where: str | Message) -> T:
    """Check ``content`` against the strict mirror of ``cls``, then build ``cls`` itself."""
    import msgspec

    try:
        checked = msgspec.json.decode(content, type=_strict(typing.cast(type, cls)))
    except msgspec.ValidationError as exc:
        raise _rejected(str(exc), where) from exc
    except msgspec.DecodeError as exc:
        raise _not_json(str(exc), where) from exc
    return msgspec.convert(checked, cls, from_attributes=True)


@functools.cache
def _strict(cls: type) -> type[msgspec.Struct]:
    """The schema dataclass as a msgspec struct that refuses unknown keys and applies the rules.

    msgspec decodes dataclasses too, but silently drops unknown keys; a struct
    built from the same fields does not, so the dataclass stays the one source.
    """
    import msgspec

    hints = typing.get_type_hints(cls)
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for each in dataclasses.fields(cls):
        kind = hints[each.name]
        if dataclasses.is_dataclass(kind):
            kind = _strict(typing.cast(type, kind))
        constraints = each.metadata.get(_RULE)
        if constraints:
            kind = typing.Annotated[kind, msgspec.Meta(**constraints)]
        if each.default is not dataclasses.MISSING:
            fields.append((each.name, kind, each.default))
        elif each.default_factory is not dataclasses.MISSING:
            factory = kind if isinstance(kind, type) else each.default_factory
            fields.append((each.name, kind, msgspec.field(default_factory=factory)))
        else:
            fields.append((each.name, kind))
    return msgspec.defstruct(cls.__name__, fields, forbid_unknown_fields=True, frozen=True)


_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<key>[^`]*)`$")
_WRONG_TYPE = re.compile(r"^Expected `(?P<expected>[^`]*)`, got `(?P<got>[^`]*)`$")
_TOO_SMALL = re.compile(r"^Expected `[^`]*` >= (?P<minimum>-?\d+)$")
_PATTERN = re.compile(r"^Expected `str` matching regex '(?P<pattern>.*)'$")


def _rejected(error: str, where: str | Message) -> SettingsRejected:
    """msgspec's English error turned into a message in both languages, naming the key."""
    matched = _AT.match(error)
    problem = matched["problem"] if matched else error
    parent = (matched["path"] or "") if matched else ""
    parent = parent.lstrip(".")
    if unknown := _UNKNOWN.match(problem):
        key = _join(parent, unknown["key"])
        template = N_(
            'The settings in {where} were not loaded: the key "{key}" is not known. Correct '
            "its spelling or remove it (a newer version of LAPOR! Desktop may have added it); "
            "nothing was overwritten."
        )
        return _refusal(template, where, key)
    if missing := _MISSING.match(problem):
        key = _join(parent, missing["key"])
        template = N_(
            'The settings in {where} were not loaded: the key "{key}" is missing; '
            "nothing was overwritten."
        )
        return _refusal(template, where, key)
    if not parent:
        return _not_json(problem, where)
    template = N_(
        'The settings in {where} were not loaded: the value of "{key}" is not valid '
        "({detail}); nothing was overwritten."
    )
    return _refusal(template, where, parent, detail=_detail(problem))


def _not_json(detail: str, where: str | Message) -> SettingsRejected:
    template = N_(
        "The settings in {where} were not loaded: they are not a valid JSON object "
        "({detail}); nothing was overwritten."
    )
    return _refusal(template, where, "", detail=detail)


def _refusal(template: str, where: str | Message, key: str, **extra: object) -> SettingsRejected:
    params: Mapping[str, object] = {"where": where, "key": key, **extra}
    return SettingsRejected(Message(template, params), where=where, key=key)


_JSON_KINDS = {
    "int": N_("a whole number"),
    "float": N_("a decimal number"),
    "str": N_("text"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("a group of keys"),
    "null": N_("null"),
}


def _detail(problem: str) -> Message | str:
    if wrong := _WRONG_TYPE.match(problem):
        return Message(
            N_("{expected} was expected, not {got}"),
            {"expected": _kind(wrong["expected"]), "got": _kind(wrong["got"])},
        )
    if small := _TOO_SMALL.match(problem):
        return Message(N_("it must be at least {minimum}"), {"minimum": small["minimum"]})
    if form := _PATTERN.match(problem):
        return Message(N_("it must match the pattern {pattern}"), {"pattern": form["pattern"]})
    return problem


def _kind(name: str) -> Message | str:
    return Message(_JSON_KINDS[name]) if name in _JSON_KINDS else name


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key
