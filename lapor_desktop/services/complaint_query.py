"""What a list or a search asks for, and how a page of it is read (by position or by key).

Plain values shared by the lookup service, the window's list model and the
command line; no database access here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lapor_desktop.domain.complaint import ComplaintSummary

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListedComplaint(ComplaintSummary):
    """A list row: the summary, and whether a deadline is missed (``flag_overdue_on``)."""

    overdue: bool = False


@dataclass(frozen=True)
class ComplaintQuery:
    """Filters for lists and searches; every one optional, all combined with AND."""

    text: str = ""
    status: str | None = None
    sync_state: str | None = None
    classification: str | None = None
    agency_code: str | None = None
    category_code: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    overdue_on: dt.date | None = None
    """Only complaints with a deadline missed as of this (office) day."""
    flag_overdue_on: dt.date | None = None
    """Mark each row of a page that has a deadline missed as of this day (the list's badge)."""
    ascending: bool = False
    """Oldest first instead of newest first."""
    order: str | None = None
    """``"relevance"`` or ``"newest"``; None: by relevance when there is text (and not
    ``ascending``). Keyed pages (``before_id``) are always in id order."""
    limit: int = PAGE_SIZE
    before_id: int | None = None
    """Keyset paging: the next page continues past the last row's id (in the list's order)."""


def by_relevance(query: ComplaintQuery) -> bool:
    """Whether the query's rows come most relevant first (a text search, unless told otherwise)."""
    if query.before_id is not None or not query.text.strip():
        return False
    if query.order is not None:
        return query.order == "relevance"
    return not query.ascending


@dataclass(frozen=True)
class RowKey:
    """A row already read: its position in a list's order and its key (the complaint's id)."""

    position: int
    key: int


@dataclass(frozen=True)
class ListPage:
    """Rows ``start`` onwards of a list, with their keys (to read on from them by key)."""

    start: int
    rows: list[ListedComplaint]
    keys: tuple[int, ...]

    def anchors(self) -> tuple[RowKey, ...]:
        """The first and last row: where a read of a neighbouring page may start."""
        if not self.keys:
            return ()
        last = self.start + len(self.keys) - 1
        return RowKey(self.start, self.keys[0]), RowKey(last, self.keys[-1])


@dataclass(frozen=True)
class PageRead:
    """How to read a page: a query (maybe in the opposite order) and a small offset."""

    query: ComplaintQuery
    offset: int
    reverse: bool


def plan_read(
    query: ComplaintQuery, start: int, end: int, total: int, near: Sequence[RowKey]
) -> PageRead:
    """The read of rows ``start``..``end`` with the smallest OFFSET.

    From the top; from the end (``total`` rows), read in the opposite order;
    or by key from a row already read (``near``), forwards or backwards. A
    database steps over every skipped row, so the nearest known place wins.
    """
    size = end - start
    forward = replace(query, limit=size, before_id=None)
    backward = replace(forward, ascending=not query.ascending)
    reads = [PageRead(forward, start, False), PageRead(backward, max(total - end, 0), True)]
    for anchor in near:
        if anchor.position < start:
            keyed = replace(forward, before_id=anchor.key)
            reads.append(PageRead(keyed, start - anchor.position - 1, False))
        elif anchor.position >= end:
            keyed = replace(backward, before_id=anchor.key)
            reads.append(PageRead(keyed, anchor.position - end, True))
    return min(reads, key=lambda read: read.offset)
