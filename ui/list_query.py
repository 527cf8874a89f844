"""What the list's filters mean as a query, and what to tell the operator about an answer.

Kept apart from the widget so the rules (office-day bounds, whether a search
can leave a complaint out, the hint shown instead of the detail) read on
their own and the list stays a layout.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.lookup import ComplaintQuery
from ui.row_refresh import is_filtered

PERIODS = (
    ("", N_("Any time")),
    ("today", N_("Today")),
    ("7", N_("Last 7 days")),
    ("30", N_("Last 30 days")),
    ("month", N_("This month")),
)
NO_MATCH = N_("No complaint matches this search. Check the number, or try the NIK or phone.")
ONE_MATCH = N_("One complaint matches: press Enter to open it.")
SEVERAL_MATCH = N_("{count} complaints match: press Down or Enter to choose one in the list.")
CHOOSE_ONE = N_("Choose a complaint in the list to see it here.")


def period_bounds(
    key: str, today: dt.date, timezone: str
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A period of :data:`PERIODS` as UTC bounds of office days; none for "any time"."""
    if not key:
        return None, None
    if key == "today":
        start = today
    elif key == "month":
        start = today.replace(day=1)
    else:
        start = today - dt.timedelta(days=int(key) - 1)
    zone = ZoneInfo(timezone)

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)

    return at(start), at(today + dt.timedelta(days=1))


def leaves_some_out(query: ComplaintQuery) -> bool:
    """Whether the answer can lack a complaint (any search word, filter or period)."""
    return is_filtered(query) or query.created_from is not None


def search_hint(rows: int, query: ComplaintQuery) -> Message:
    """What the detail pane says while it shows nothing, after an answer of ``rows`` rows."""
    if rows == 0:
        return Message(NO_MATCH)
    if rows == 1:
        return Message(ONE_MATCH)
    if query.text:
        return Message(SEVERAL_MATCH, {"count": rows})
    return Message(CHOOSE_ONE)
