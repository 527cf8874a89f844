"""How many complaints the office received in a period, by every dimension the recap shows.

One GROUP BY over the period's complaints (every dimension at once, so the
database scans the period once); the margins are summed from those groups,
never from rows. Drafts are not received complaints and are never counted;
rahasia complaints are counted like any other (only counted: nothing here
describes a complaint).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from lapor_desktop.domain.complaint import Channel, Classification
from lapor_desktop.domain.status import Status
from lapor_desktop.i18n import N_
from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.services.reports.areas import (
    DISTRICT_DIGITS,
    VILLAGE_DIGITS,
    Area,
    in_area,
    region_column,
)
from lapor_desktop.services.reports.period import Period
from lapor_desktop.storage.models import Complaint

UNKNOWN = N_("(not filled in)")
ROUTE_BUNDLE = "bundle"
ROUTES = ("protocol", "website", ROUTE_BUNDLE)
ROUTE_LABELS = {
    "protocol": N_("Sync (LAPOR! protocol)"),
    "website": N_("LAPOR! website, by an operator"),
    ROUTE_BUNDLE: N_("Relayed bundle"),
}


@dataclass(frozen=True)
class Count:
    """One line of a table: the stored key, its label and how many.

    ``label`` is a msgid (classification, channel, status, route) or a proper
    name from the reference data; render it with ``i18n.translate``, which
    leaves a name as it is.
    """

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ReceivedFigures:
    """The period's complaints, counted by each dimension (each table sums to ``total``)."""

    period: Period
    total: int
    rahasia: int
    anonim: int
    by_classification: tuple[Count, ...]
    by_category: tuple[Count, ...]
    by_agency: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    by_district: tuple[Count, ...]
    by_village: tuple[Count, ...]
    """Only for a chosen area (the villages of a district, or the one village); else empty."""
    by_status: tuple[Count, ...]
    reached_lapor: tuple[Count, ...]
    """By route, in :data:`ROUTES` order (a return bundle settles its complaints as "bundle")."""
    not_yet_at_lapor: int


_DIMENSIONS = (
    "classification",
    "category",
    "agency",
    "channel",
    "region",
    "status",
    "route",
    "rahasia",
    "anonim",
)


def received_in(period: Period, timezone: str, area: Area | None = None) -> ColumnElement[bool]:
    """The one "received in the period" rule: queued on one of its office days, not a draft.

    With an ``area``, only the complaints whose region is in it.
    """
    start, end = period.bounds(timezone)
    return and_(
        Complaint.submitted_at >= start,
        Complaint.submitted_at < end,
        Complaint.status != Status.DRAFT.value,
        in_area(area),
    )


def received_figures(
    session: Session,
    period: Period,
    timezone: str,
    references: ReferenceLookup,
    area: Area | None = None,
) -> ReceivedFigures:
    columns: tuple[Any, ...] = (
        Complaint.classification,
        Complaint.category_code,
        Complaint.agency_code,
        Complaint.channel,
        region_column(area),
        Complaint.status,
        Complaint.delivered_via,
        Complaint.rahasia,
        Complaint.anonim,
    )
    rows = session.execute(
        select(*columns, func.count()).where(received_in(period, timezone, area)).group_by(*columns)
    ).all()
    margins: dict[str, Counter[str | None]] = {name: Counter() for name in _DIMENSIONS}
    for row in rows:
        count = int(row[-1])
        for name, value in zip(_DIMENSIONS, row[:-1], strict=True):
            margins[name][_key(value)] += count
    total = sum(margins["status"].values())
    agencies = {a.code: a.name for a in references.agencies()}
    categories = {c.code: c.name for c in references.categories()}
    routes = margins["route"]
    district_counts, village_counts = _regions(margins["region"], area)
    region_name = _name(lambda code: _region_name(references, code))
    return ReceivedFigures(
        period=period,
        total=total,
        rahasia=margins["rahasia"]["True"],
        anonim=margins["anonim"]["True"],
        by_classification=_table(margins["classification"], _enum_label(Classification)),
        by_category=_table(margins["category"], _name(categories.get)),
        by_agency=_table(margins["agency"], _name(agencies.get)),
        by_channel=_table(margins["channel"], _enum_label(Channel)),
        by_district=_table(district_counts, region_name),
        by_village=_table(village_counts, region_name) if area is not None else (),
        by_status=_table(margins["status"], _enum_label(Status)),
        reached_lapor=tuple(Count(r, ROUTE_LABELS[r], routes.get(r, 0)) for r in ROUTES),
        not_yet_at_lapor=routes.get(None, 0),
    )


def _key(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _regions(
    regions: Counter[str | None], area: Area | None
) -> tuple[Counter[str | None], Counter[str | None]]:
    """Districts and villages from the region keys grouped (villages only within an area).

    A complaint placed only at its district has no village: the unfilled line.
    """
    districts: Counter[str | None] = Counter()
    villages: Counter[str | None] = Counter()
    for key, count in regions.items():
        districts[key[:DISTRICT_DIGITS] if key else None] += count
        if area is not None:
            villages[key if key and len(key) == VILLAGE_DIGITS else None] += count
    return districts, villages


def _table(counts: Counter[str | None], label: Callable[[str], str]) -> tuple[Count, ...]:
    """Largest first, then by key; the unfilled line last."""
    known = sorted(
        ((key, n) for key, n in counts.items() if key is not None), key=lambda kn: (-kn[1], kn[0])
    )
    lines = [Count(key, label(key), n) for key, n in known]
    if counts.get(None):
        lines.append(Count("", UNKNOWN, counts[None]))
    return tuple(lines)


def _enum_label(kind: type[Classification] | type[Channel] | type[Status]) -> Callable[[str], str]:
    labels: dict[str, str] = {member.value: member.label for member in kind}
    return lambda key: labels.get(key, key)


def _name(lookup: Callable[[str], str | None]) -> Callable[[str], str]:
    return lambda key: lookup(key) or key


def _region_name(references: ReferenceLookup, code: str) -> str | None:
    row = references.region(code)
    return row.name if row is not None else None


def totals(counts: Iterable[Count]) -> int:
    return sum(c.count for c in counts)
