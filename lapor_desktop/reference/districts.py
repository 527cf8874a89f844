"""District (kecamatan) codes known in any release since 2015, current or retired.

A NIK keeps the district code it was issued with, so checking its first six
digits against today's list alone would reject valid older NIKs.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

HISTORY_FILE = "region_codes_history.csv"


@functools.cache
def known_district_codes() -> frozenset[str]:
    """Every district code in the bundled history, read once per process."""
    text = (
        resources.files("lapor_desktop.reference")
        .joinpath("bundled", HISTORY_FILE)
        .read_text(encoding="utf-8")
    )
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return frozenset(row["code"] for row in rows if row["level"] == "district")


def is_known_district_code(code6: str) -> bool:
    """True for a six-digit district code that exists now or existed since 2015."""
    return (
        len(code6) == 6 and code6.isascii() and code6.isdigit() and code6 in known_district_codes()
    )
