"""Reading a list by position: the same rows as paging by key, read from the nearest place."""

from __future__ import annotations

import dataclasses

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery, RowKey, plan_read
from tests.support.samples import valid_form

PAGE = 2
QUERIES = {
    "all, newest first": ComplaintQuery(),
    "all, oldest first": ComplaintQuery(ascending=True),
    "a word": ComplaintQuery(text="air"),
    "a word and a kind": ComplaintQuery(text="air", classification="pengaduan"),
    "a status": ComplaintQuery(status="draft"),
    "a word, oldest first": ComplaintQuery(text="Daik", ascending=True),
}


@pytest.fixture
def recorded(desk: Desk, clerk: Actor) -> None:
    """Twenty-six complaints: some about water, two kinds, and drafts among them."""
    for n in range(26):
        water = n % 3 == 0
        form = valid_form(
            title=f"Air PDAM keruh nomor {n}" if water else f"Jalan rusak nomor {n} di Daik",
            classification="aspirasi" if n % 2 else "pengaduan",
        )
        if n % 5 == 4:
            desk.intake.save_draft(form, actor=clerk)
        else:
            assert desk.intake.submit(form, actor=clerk).queued


def by_key(desk: Desk, clerk: Actor, query: ComplaintQuery) -> list[str]:
    """The list as the key-paged API gives it, page after page."""
    uuids: list[str] = []
    key: int | None = None
    while True:
        page, key = desk.lookup.find_page(
            dataclasses.replace(query, limit=PAGE, before_id=key), actor=clerk
        )
        uuids += [summary.uuid for summary in page]
        if key is None:
            return uuids


@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.usefixtures("recorded")
def test_first_middle_and_last_pages_match_the_key_paged_order(
    desk: Desk, clerk: Actor, name: str
) -> None:
    query = dataclasses.replace(QUERIES[name], limit=PAGE)
    expected = by_key(desk, clerk, query)
    total = desk.lookup.count(query, actor=clerk)
    assert total == len(expected) > PAGE + 1

    last = (total - 1) // PAGE * PAGE
    for start in (0, PAGE, total // 2, last - PAGE, last):
        page = desk.lookup.page_at(query, start, total=total, actor=clerk)
        assert [s.uuid for s in page.rows] == expected[start : start + PAGE], start


@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.usefixtures("recorded")
def test_a_page_read_by_key_from_its_neighbour_matches_too(
    desk: Desk, clerk: Actor, name: str
) -> None:
    query = dataclasses.replace(QUERIES[name], limit=PAGE)
    expected = by_key(desk, clerk, query)
    total = len(expected)
    middle = desk.lookup.page_at(query, PAGE * 2, total=total, actor=clerk)

    after = desk.lookup.page_at(query, PAGE * 3, total=total, near=middle.anchors(), actor=clerk)
    before = desk.lookup.page_at(query, PAGE, total=total, near=middle.anchors(), actor=clerk)

    assert [s.uuid for s in after.rows] == expected[PAGE * 3 : PAGE * 4]
    assert [s.uuid for s in before.rows] == expected[PAGE : PAGE * 2]


@pytest.mark.usefixtures("recorded")
def test_the_word_count_matches_the_rows_found(desk: Desk, clerk: Actor) -> None:
    for text in ("air", "jalan rusak", "nomor", "tidak-ada-kata-ini", "!!!"):
        query = ComplaintQuery(text=text, limit=PAGE)
        assert desk.lookup.count(query, actor=clerk) == len(by_key(desk, clerk, query)), text


@pytest.mark.usefixtures("recorded")
def test_past_the_end_is_an_empty_page(desk: Desk, clerk: Actor) -> None:
    query = ComplaintQuery(limit=PAGE)
    total = desk.lookup.count(query, actor=clerk)

    page = desk.lookup.page_at(query, total, total=total, actor=clerk)

    assert page.rows == [] and page.anchors() == ()


def test_the_last_page_of_a_million_is_read_backwards_from_the_end() -> None:
    read = plan_read(ComplaintQuery(limit=100), 999_900, 1_000_000, 1_000_000, ())

    assert read.reverse and read.offset == 0
    assert read.query.ascending and read.query.before_id is None


def test_a_page_beside_one_already_read_is_read_by_key_without_an_offset() -> None:
    query = ComplaintQuery(limit=100)
    near = (RowKey(499_900, 500_100), RowKey(499_999, 500_001))

    after = plan_read(query, 500_000, 500_100, 1_000_000, near)
    before = plan_read(query, 499_800, 499_900, 1_000_000, near)

    assert (after.offset, after.reverse, after.query.before_id) == (0, False, 500_001)
    assert (before.offset, before.reverse, before.query.before_id) == (0, True, 500_100)
    assert before.query.ascending


def test_the_middle_is_read_from_the_nearer_end() -> None:
    query = ComplaintQuery(limit=100)

    upper = plan_read(query, 400_000, 400_100, 1_000_000, ())
    lower = plan_read(query, 600_000, 600_100, 1_000_000, ())

    assert (upper.offset, upper.reverse) == (400_000, False)
    assert (lower.offset, lower.reverse) == (399_900, True)
