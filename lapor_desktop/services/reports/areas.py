"""Where the figures are counted: the whole office, one district (kecamatan) or one village.

An area is a region code prefix: a complaint is in it when its region code
starts with the area's code (a district's six digits, a village's ten). The
choices offered are the office's own districts and their villages, from the
reference data, so the dashboard never builds a list of places itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, true

from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.storage.models import Complaint

DISTRICT_DIGITS = 6
"""A region code's first six digits name its district (kecamatan): 210402 is Lingga."""
VILLAGE_DIGITS = 10


@dataclass(frozen=True)
class Area:
    """A district or a village the figures are limited to."""

    code: str
    name: str

    @property
    def is_district(self) -> bool:
        return len(self.code) == DISTRICT_DIGITS


def in_area(area: Area | None) -> ColumnElement[bool]:
    """The complaints of ``area`` (every complaint for None); exact, no LIKE patterns."""
    if area is None:
        return true()
    return func.substr(Complaint.region_code, 1, len(area.code)) == area.code


def region_column(area: Area | None) -> Any:
    """What the "by region" table groups by: districts, or the villages of a chosen district."""
    digits = DISTRICT_DIGITS if area is None else VILLAGE_DIGITS
    return func.substr(Complaint.region_code, 1, digits)


def districts(references: ReferenceLookup, office_code: str) -> tuple[Area, ...]:
    """The office's districts (the regency's children), by name."""
    return _areas(references, office_code)


def villages(references: ReferenceLookup, district: Area) -> tuple[Area, ...]:
    """The villages of one district, by name."""
    return _areas(references, district.code)


def find_area(references: ReferenceLookup, code: str) -> Area | None:
    """The district or village of ``code``, or None when the reference data does not know it."""
    row = references.region(code)
    if row is None or len(code) not in (DISTRICT_DIGITS, VILLAGE_DIGITS):
        return None
    return Area(row.code, row.name)


def _areas(references: ReferenceLookup, parent: str) -> tuple[Area, ...]:
    rows = references.children(parent)
    return tuple(sorted((Area(r.code, r.name) for r in rows), key=lambda a: a.name.casefold()))
