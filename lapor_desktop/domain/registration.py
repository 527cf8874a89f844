"""Registration numbers: what the citizen's receipt shows and staff read over the phone.

``OFFICE-YYYYMMDD-STATION-SEQ``, e.g. ``2104-20261129-K7QX-0012``. The
station part is chosen by each PC on its own (``settings.new_station_id``)
and the sequence is per station and day, so two workstations working
offline never produce the same number without ever talking to each other.
"""

from __future__ import annotations

import datetime as dt
import re

PATTERN = re.compile(
    r"^(?P<office>[0-9A-Z]{2,16})-(?P<day>\d{8})-(?P<station>[0-9A-Z]{4})-(?P<seq>\d{4,})$"
)


def format_registration_number(
    office_code: str, day: dt.date, station_id: str, sequence: int
) -> str:
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{office_code}-{day:%Y%m%d}-{station_id}-{sequence:04d}"


def looks_like_registration_number(text: str) -> bool:
    return PATTERN.match(text.strip().upper()) is not None
