"""A reporting period: whole office days, from a first day to a last day, in the office's zone.

A complaint belongs to the period when it was received (queued: the moment
its deadlines start) on one of those days where the office is. One queued
at 00:30 WIB on 1 December is December's, though UTC still says 30 November.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

MONTH_NAMES_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
"""Indonesian month names: proper names of the calendar, not translated text."""


@dataclass(frozen=True)
class Period:
    """The office days ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period cannot end before it starts: {self.first} > {self.last}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        days = calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, days))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def parse_month(cls, text: str) -> Period | None:
        """``2026-11`` as November 2026; None for anything else."""
        found = _MONTH.match(text.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            return None
        return cls.month(int(found.group(1)), int(found.group(2)))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_month(self) -> bool:
        return self.first.day == 1 and self == Period.month(self.first.year, self.first.month)

    def bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """UTC moments: the first day's local midnight and the midnight after the last day."""
        zone = ZoneInfo(timezone)
        start = dt.datetime.combine(self.first, dt.time(), zone)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    @property
    def is_year(self) -> bool:
        return self == Period.year(self.first.year)

    def previous(self) -> Period:
        """The month before a month, the year before a year, else as many days just before."""
        if self.is_year:
            return Period.year(self.first.year - 1)
        if self.is_month:
            before = self.first - dt.timedelta(days=1)
            return Period.month(before.year, before.month)
        return Period(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))

    def a_year_earlier(self) -> Period:
        """The same days a year before (29 February becomes the 28th)."""
        if self.is_month:
            return Period.month(self.first.year - 1, self.first.month)
        if self.is_year:
            return Period.year(self.first.year - 1)
        return Period(_year_before(self.first), _year_before(self.last))

    def label(self) -> str:
        """``November 2026``, ``2026``, or ``1-15 November 2026`` style, in Indonesian."""
        if self.is_month:
            return f"{MONTH_NAMES_ID[self.first.month - 1]} {self.first.year}"
        if self.is_year:
            return str(self.first.year)
        return f"{_day_label(self.first)} – {_day_label(self.last)}"


def day_label(day: dt.date) -> str:
    """``7 Desember 2026``: a date as an Indonesian letter writes it."""
    return _day_label(day)


def _day_label(day: dt.date) -> str:
    return f"{day.day} {MONTH_NAMES_ID[day.month - 1]} {day.year}"


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
