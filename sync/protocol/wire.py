"""Reading and writing the protocol's JSON: strict field access and the one time format.

Every decoder goes through :class:`Fields`, so a malformed message from
either side becomes a :class:`ProtocolError` naming the offending field,
never a ``KeyError`` or ``TypeError`` deep in the engine.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Collection

_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z", re.ASCII
)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)
TEXT_MAX = 100_000


class ProtocolError(ValueError):
    """A message that does not have the documented shape; ``path`` names where."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path or '(body)'}: {problem}")
        self.path = path
        self.problem = problem


def format_time(moment: dt.datetime) -> str:
    """The protocol's only time format: UTC, microseconds, a ``Z`` (RFC 3339)."""
    if moment.tzinfo is None:
        raise ValueError("protocol times must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str, path: str = "") -> dt.datetime:
    if not _TIME.fullmatch(text):
        raise ProtocolError(path, "not a UTC time like 2026-11-27T02:30:00.000000Z")
    try:
        return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
    except ValueError as error:
        raise ProtocolError(path, "not a valid date and time") from error


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def load_json(body: bytes) -> object:
    """Parse a body as strict JSON (UTF-8, no NaN or Infinity); ProtocolError otherwise.

    Escaped lone surrogates (``"\\ud800"``) are refused too (as I-JSON does): no database
    can store them and no hash of them can be computed the same way everywhere.
    """
    try:
        parsed = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError) as error:
        raise ProtocolError("", "the body is not valid JSON") from error
    return parsed


def dump_json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def whole_number(text: str) -> int | None:
    """An ASCII decimal (headers, query parameters); None otherwise (``"²".isdigit()`` is true)."""
    return int(text) if _DIGITS.fullmatch(text) else None


def canonical_uuid(text: str, path: str = "") -> str:
    """A UUID in its one lowercase hyphenated form: the dedupe key must have a single spelling."""
    try:
        parsed = uuid.UUID(text)
    except ValueError as error:
        raise ProtocolError(path, "not a UUID") from error
    if str(parsed) != text:
        raise ProtocolError(path, "a UUID must be lowercase and hyphenated")
    return text


def check_sha256(text: str, path: str = "") -> str:
    if not _SHA256.fullmatch(text):
        raise ProtocolError(path, "not a SHA-256 in lowercase hexadecimal")
    return text


class Fields:
    """One JSON object being read; every accessor checks presence and type."""

    def __init__(self, obj: object, path: str = "") -> None:
        if not isinstance(obj, dict):
            raise ProtocolError(path, "expected an object")
        self.obj: dict[str, object] = obj
        self.path = path

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str) -> object:
        if name not in self.obj:
            raise ProtocolError(self.where(name), "missing")
        return self.obj[name]

    def text(self, name: str, *, max_length: int = TEXT_MAX, allow_empty: bool = True) -> str:
        value = self.raw(name)
        if not isinstance(value, str):
            raise ProtocolError(self.where(name), "expected text")
        if len(value) > max_length:
            raise ProtocolError(self.where(name), f"longer than {max_length} characters")
        if not allow_empty and not value:
            raise ProtocolError(self.where(name), "must not be empty")
        return value

    def optional_text(self, name: str, *, max_length: int = TEXT_MAX) -> str | None:
        if self.obj.get(name) is None:
            return None
        return self.text(name, max_length=max_length)

    def choice(self, name: str, allowed: Collection[str]) -> str:
        value = self.text(name, max_length=64)
        if value not in allowed:
            raise ProtocolError(self.where(name), f"unknown value {value!r}")
        return value

    def integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError(self.where(name), "expected an integer")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise ProtocolError(self.where(name), "out of range")
        return value

    def optional_integer(self, name: str, *, minimum: int | None = None) -> int | None:
        if self.obj.get(name) is None:
            return None
        return self.integer(name, minimum=minimum)

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            raise ProtocolError(self.where(name), "expected true or false")
        return value

    def time(self, name: str) -> dt.datetime:
        return parse_time(self.text(name, max_length=40), self.where(name))

    def optional_time(self, name: str) -> dt.datetime | None:
        if self.obj.get(name) is None:
            return None
        return self.time(name)

    def uuid(self, name: str) -> str:
        return canonical_uuid(self.text(name, max_length=36), self.where(name))

    def sha256(self, name: str) -> str:
        return check_sha256(self.text(name, max_length=64), self.where(name))

    def nested(self, name: str) -> Fields:
        return Fields(self.raw(name), self.where(name))

    def optional_nested(self, name: str) -> Fields | None:
        if self.obj.get(name) is None:
            return None
        return self.nested(name)

    def array(self, name: str, *, max_items: int | None = None) -> list[object]:
        value = self.raw(name)
        if not isinstance(value, list):
            raise ProtocolError(self.where(name), "expected a list")
        if max_items is not None and len(value) > max_items:
            raise ProtocolError(self.where(name), f"more than {max_items} entries")
        return value
