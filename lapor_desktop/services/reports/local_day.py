"""The office day of a stored UTC timestamp, computed by the database for GROUP BY.

PostgreSQL knows time zones (``timezone(zone, ts)``). SQLite does not, so
it shifts by the zone's UTC offset: Indonesia's three zones (WIB, WITA,
WIT) have had a fixed offset and no daylight saving since 1964.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func
from sqlalchemy.sql.elements import ColumnElement


def local_day(column: Any, timezone: str, dialect: str) -> ColumnElement[Any]:
    """An SQL expression for the office day of ``column``; read it back with :func:`as_date`."""
    if dialect == "postgresql":
        return cast(func.timezone(timezone, column), Date)
    offset = ZoneInfo(timezone).utcoffset(dt.datetime(2000, 1, 1))
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return func.date(column, f"{seconds:+d} seconds")


def as_date(value: object) -> dt.date | None:
    """A day as the driver returns it: a ``date`` (PostgreSQL) or ISO text (SQLite)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
