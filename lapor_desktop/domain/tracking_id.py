"""The tracking ID that LAPOR! shows after a report is submitted, as an operator pastes it back.

Operators copy it from a web page: with spaces, a leading ``#``, or the
whole sentence around it ("Laporan Anda ... dengan Tracking ID #1234567").
Every example seen on lapor.go.id is an integer, but the format is not
documented publicly, so the accepted pattern is an office setting
(:data:`DEFAULT_PATTERN` until someone knows better).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lapor_desktop.i18n import N_, Message

DEFAULT_PATTERN = r"[0-9]{4,12}"
"""Digits only, 4 to 12 of them: what the public report pages (lapor.go.id/pengaduan/<ID>) use."""

_LABELLED = re.compile(
    r"(?:tracking\s*id|id\s*pelacakan|nomor\s*laporan)\s*[:#]?\s*#?\s*(\S+)", re.I
)
_LABELLED_GROUPED = re.compile(
    r"(?:tracking\s*id|id\s*pelacakan|nomor\s*laporan)\s*[:#]?\s*#?\s*"
    r"([0-9]{1,3}(?:[ .\u00a0\u202f][0-9]{3})+)\b",
    re.I,
)
_HASHED = re.compile(r"#\s*([0-9A-Za-z-]+)")
_GROUPED_DIGITS = re.compile(r"^[0-9][0-9 .\u00a0\u202f-]*[0-9]$")

EMPTY = N_("Paste the tracking ID that LAPOR! showed after the report was sent.")
NOT_FOUND = N_(
    "No tracking ID was found in what was pasted ({text}). Copy only the number that LAPOR! "
    "shows after the report was sent."
)
WRONG_FORMAT = N_(
    "{value} does not look like a LAPOR! tracking ID (expected: {expected}). Check that "
    "nothing else was copied with it."
)
SEVERAL = N_(
    "What was pasted holds more than one possible tracking ID ({found}); paste only the one "
    "for this complaint."
)
BAD_PATTERN = N_("The office's tracking ID format {pattern} is not a valid pattern: {reason}.")


@dataclass(frozen=True)
class TrackingId:
    """A normalised tracking ID, ready to store and to print."""

    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class TrackingIdRefused:
    message: Message


def describe_pattern(pattern: str) -> str:
    """What the operator is told to expect, for the default and for an office's own pattern."""
    return "4-12 angka / digits" if pattern == DEFAULT_PATTERN else pattern


def parse_tracking_id(
    pasted: str, pattern: str = DEFAULT_PATTERN
) -> TrackingId | TrackingIdRefused:
    """The tracking ID in ``pasted``, or why none can be taken from it.

    Tries, in order: the whole text once spaces and a leading ``#`` are gone
    (digits grouped as ``1 234 567`` or ``1.234.567`` are joined), then a
    labelled ID in a sentence ("Tracking ID: 123"), then the one ``#``-marked
    token, then the one token of the text that matches the format.
    """
    try:
        shape = re.compile(pattern)
    except re.error as exc:
        return TrackingIdRefused(Message(BAD_PATTERN, {"pattern": pattern, "reason": str(exc)}))
    text = " ".join(pasted.split())
    if not text:
        return TrackingIdRefused(Message(EMPTY))
    for candidate in _candidates(text):
        if shape.fullmatch(candidate):
            return TrackingId(candidate)
    tokens = {_trim(t) for t in re.findall(r"[0-9A-Za-z-]+", text)}
    tokens = {t for t in tokens if shape.fullmatch(t)}
    if len(tokens) == 1:
        return TrackingId(tokens.pop())
    if len(tokens) > 1:
        return TrackingIdRefused(Message(SEVERAL, {"found": ", ".join(sorted(tokens))}))
    expected = describe_pattern(pattern)
    whole = text.lstrip("#").strip()
    if len(whole) <= 24 and " " not in whole:
        return TrackingIdRefused(Message(WRONG_FORMAT, {"value": whole, "expected": expected}))
    return TrackingIdRefused(Message(NOT_FOUND, {"text": _shorten(text)}))


def _candidates(text: str) -> list[str]:
    whole = _trim(text.lstrip("#"))
    found = [whole]
    if _GROUPED_DIGITS.match(whole):
        found.append(re.sub(r"[^0-9]", "", whole))
    found += [_trim(m.group(1)) for m in _LABELLED.finditer(text)]
    # A labelled number the page grouped ("Tracking ID: #1 234 567").
    found += [re.sub(r"[^0-9]", "", m.group(1)) for m in _LABELLED_GROUPED.finditer(text)]
    found += [_trim(m.group(1)) for m in _HASHED.finditer(text)]
    return found


def _trim(token: str) -> str:
    """Without the punctuation a sentence puts around a word."""
    return token.strip().strip(".,;:!?-()[]\"'")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
