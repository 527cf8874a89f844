"""The incident date as typed at the desk: ISO or the Indonesian day-first forms.

Only day-first is read for slashes and hyphens (``05/03/2024`` is 5 March):
that is how dates are written in Indonesia, and guessing month-first would
silently swap days and months.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from lapor_desktop.i18n import N_, Message

# Before the proclamation of independence there was no Indonesian public service to complain about.
EARLIEST_INCIDENT_DATE = dt.date(1945, 8, 17)
# Older incidents are almost always a mistyped year; offices may pass another limit (or None).
DEFAULT_MAX_AGE_YEARS = 10

_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})", re.ASCII)
_DAY_FIRST = re.compile(
    r"(?P<day>[0-9]{1,2})(?P<sep>[/-])(?P<month>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4})", re.ASCII
)
_MAX_TYPED_LENGTH = 20


def parse_incident_date(
    text: str,
    today: dt.date,
    *,
    max_age_years: int | None = DEFAULT_MAX_AGE_YEARS,
) -> tuple[dt.date | None, Message | None]:
    """The date, or a message saying why it cannot be the incident date.

    Accepts ``YYYY-MM-DD``, ``DD/MM/YYYY`` and ``DD-MM-YYYY``. The date must
    not be after ``today`` nor before 17 August 1945, nor more than
    ``max_age_years`` before ``today`` when that is given.
    """
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        return None, Message(N_("Enter a date as DD/MM/YYYY, for example 17/08/2024."))
    match = None
    if len(typed) <= _MAX_TYPED_LENGTH:
        match = _ISO.fullmatch(typed) or _DAY_FIRST.fullmatch(typed)
    if match is None:
        return None, Message(
            N_("Type the date as DD/MM/YYYY (for example 17/08/2024) or YYYY-MM-DD.")
        )
    try:
        date = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None, Message(N_("{typed} is not a date in the calendar."), {"typed": typed})
    return _check_bounds(date, today, max_age_years)


def _check_bounds(
    date: dt.date, today: dt.date, max_age_years: int | None
) -> tuple[dt.date | None, Message | None]:
    shown = date.strftime("%d/%m/%Y")  # as the operator typed it, never ISO
    if date > today:
        return None, Message(
            N_("{date} is in the future; today is {today}."),
            {"date": shown, "today": today.strftime("%d/%m/%Y")},
        )
    if date < EARLIEST_INCIDENT_DATE:
        return None, Message(N_("{date} is before 17 August 1945."), {"date": shown})
    if max_age_years is not None and date < years_before(today, max_age_years):
        return None, Message(
            N_("{date} is more than {years} years ago; check the year."),
            {"date": shown, "years": max_age_years},
        )
    return date, None


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    year = max(dt.MINYEAR, day.year - years)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)
