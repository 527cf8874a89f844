"""Dates and times as people at the desk read them: office time zone, month names, WIB/WITA/WIT.

Stored times are UTC; a receipt or a list must show the office's own
clock, named the Indonesian way, or a citizen in Makassar is told the
wrong hour.
"""

from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo

from lapor_desktop.i18n import N_, translate

MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)

ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
"""Indonesia's three time zones by the names printed on official documents."""

EMPTY = "—"


def local(moment: dt.datetime, timezone: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(timezone))


def long_date(day: dt.date, language: str) -> str:
    """``27 November 2026``, the month named in the current language."""
    month = translate(MONTHS[day.month - 1], language)
    return f"{day.day} {month} {day.year}"


def clock_time(moment: dt.datetime, language: str) -> str:
    """``09.30`` in Indonesian, ``09:30`` in English."""
    template = translate(N_("{hour}:{minute}"), language)
    return template.format(hour=f"{moment.hour:02d}", minute=f"{moment.minute:02d}")


def long_datetime(moment: dt.datetime, timezone: str, language: str) -> str:
    """``27 November 2026, 09.30 WIB``: for receipts and the detail view."""
    here = local(moment, timezone)
    zone = ZONE_NAMES.get(timezone, timezone)
    return f"{long_date(here.date(), language)}, {clock_time(here, language)} {zone}"


def short_datetime(moment: dt.datetime, timezone: str, language: str) -> str:
    """``27/11/2026 09.30``: compact, for list rows."""
    here = local(moment, timezone)
    return f"{here:%d/%m/%Y} {clock_time(here, language)}"


def short_date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else EMPTY


def enum_label(kind: type[enum.Enum], value: str | None, language: str) -> str:
    """A stored value's label (a status, a channel); an unknown value is shown as stored."""
    if not value:
        return EMPTY
    try:
        member = kind(value)
    except ValueError:
        return value
    return translate(str(member.label), language)  # type: ignore[attr-defined]
