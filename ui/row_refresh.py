"""Reading a few rows of the list again after a change, without counting the rest.

A saved complaint keeps its position (the list is in key order), so its row
is read again on its own, by key from the row beside it: one indexed query
whatever the list's length. Only when complaints came or went, or a filter
may have let one in or out, does the whole list count and reset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from lapor_desktop.services.lookup import ComplaintQuery, ListedComplaint, ListPage, RowKey

MAX_PATCHED_ROWS = 200
"""More changed rows than this (a big sync batch) read the list again instead."""


class RowSource(Protocol):
    def count(self, query: ComplaintQuery) -> int: ...

    def page_at(
        self, query: ComplaintQuery, start: int, total: int, near: tuple[RowKey, ...]
    ) -> ListPage: ...


@dataclass(frozen=True)
class RowsRead:
    """The list's count now and, if it is unchanged, each asked-for row as it reads now."""

    total: int
    rows: Mapping[int, ListedComplaint | None]


def is_filtered(query: ComplaintQuery) -> bool:
    """Whether an edit could move a complaint into or out of the list (the period cannot)."""
    return any(
        (
            query.text,
            query.status,
            query.sync_state,
            query.classification,
            query.agency_code,
            query.category_code,
            query.overdue_on,
        )
    )


def neighbours(pages: Sequence[ListPage], row: int) -> tuple[RowKey, ...]:
    """The rows just before and after ``row`` among those read: where a keyed read starts."""
    found: list[RowKey] = []
    for page in pages:
        for position in (row - 1, row + 1):
            offset = position - page.start
            if 0 <= offset < len(page.keys):
                found.append(RowKey(position, page.keys[offset]))
    return tuple(found)


def read_rows(
    source: RowSource,
    query: ComplaintQuery,
    total: int,
    wanted: Mapping[int, tuple[RowKey, ...]],
) -> RowsRead:
    """On the database worker: count, then each wanted row alone (skipped if the count moved)."""
    now = source.count(query)
    if now != total:
        return RowsRead(now, {})
    single = dataclasses.replace(query, limit=1, before_id=None)
    rows: dict[int, ListedComplaint | None] = {}
    for row, near in wanted.items():
        page = source.page_at(single, row, total, near)
        rows[row] = page.rows[0] if page.rows else None
    return RowsRead(now, rows)


def with_row(page: ListPage, row: int, summary: ListedComplaint) -> ListPage | None:
    """``page`` with one row replaced; None if that place now holds another complaint."""
    offset = row - page.start
    if not 0 <= offset < len(page.rows) or page.rows[offset].uuid != summary.uuid:
        return None
    rows = list(page.rows)
    rows[offset] = summary
    return ListPage(page.start, rows, page.keys)
