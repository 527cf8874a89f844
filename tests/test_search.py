"""Full-text search with filters, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from tests.support.samples import valid_form


@pytest.fixture
def filled(desk: Desk, clerk: Actor) -> dict[str, str]:
    saved = {
        "road": desk.intake.submit(valid_form(), actor=clerk),
        "water": desk.intake.submit(
            valid_form(
                title="Air bersih PDAM tidak mengalir",
                description="Sudah seminggu air tidak mengalir di rumah warga Dabo.",
                classification="aspirasi",
            ),
            actor=clerk,
        ),
        "school": desk.intake.submit(
            valid_form(title="Sekolah kekurangan guru", description="Guru SD sering tidak hadir."),
            actor=clerk,
        ),
        "draft": desk.intake.save_draft(
            valid_form(title="Lampu jalan padam", nik="1"), actor=clerk
        ),
    }
    assert all(o.uuid for o in saved.values())
    return {k: o.uuid for k, o in saved.items()}


def _found(desk: Desk, clerk: Actor, **query: object) -> set[str]:
    return {s.uuid for s in desk.lookup.find(ComplaintQuery(**query), actor=clerk)}  # type: ignore[arg-type]


def test_a_word_from_the_title_or_description_finds_the_complaint(
    desk: Desk, clerk: Actor, filled: dict[str, str]
) -> None:
    assert _found(desk, clerk, text="PDAM") == {filled["water"]}
    assert _found(desk, clerk, text="mengalir dabo") == {filled["water"]}
    assert _found(desk, clerk, text="guru") == {filled["school"]}


def test_words_match_as_prefixes_and_ignore_case(
    desk: Desk, clerk: Actor, filled: dict[str, str]
) -> None:
    assert _found(desk, clerk, text="sekol") == {filled["school"]}
    assert _found(desk, clerk, text="LAMPU") == {filled["draft"]}


def test_the_registration_number_finds_its_complaint(
    desk: Desk, clerk: Actor, filled: dict[str, str]
) -> None:
    detail = desk.lookup.get(filled["school"], actor=clerk)
    assert detail is not None and detail.summary.registration_number
    assert _found(desk, clerk, text=detail.summary.registration_number) == {filled["school"]}
    by_number = desk.lookup.get(detail.summary.registration_number.lower(), actor=clerk)
    assert by_number is not None and by_number.summary.uuid == filled["school"]


def test_the_region_name_finds_complaints_made_there(
    desk: Desk, clerk: Actor, filled: dict[str, str]
) -> None:
    assert _found(desk, clerk, text="Lingga") >= {filled["road"], filled["water"], filled["school"]}


def test_search_combines_with_filters(desk: Desk, clerk: Actor, filled: dict[str, str]) -> None:
    assert _found(desk, clerk, text="air", classification="aspirasi") == {filled["water"]}
    assert _found(desk, clerk, text="air", classification="pengaduan") == set()
    assert _found(desk, clerk, status="draft") == {filled["draft"]}
    assert _found(desk, clerk, sync_state="pending") == {
        filled["road"],
        filled["water"],
        filled["school"],
    }


@pytest.mark.parametrize(
    "garbage",
    ['"', "AND OR NOT", "(*)", "'; DROP TABLE complaints;--", "NEAR(", "\x00", "🙂", "   "],
)
def test_odd_search_text_never_breaks_the_query(
    desk: Desk, clerk: Actor, filled: dict[str, str], garbage: str
) -> None:
    found = desk.lookup.find(ComplaintQuery(text=garbage), actor=clerk)
    assert isinstance(found, list)
    assert len(desk.lookup.find(ComplaintQuery(), actor=clerk)) == 4


def test_pages_follow_each_other_without_gaps_or_repeats(
    desk: Desk, clerk: Actor, filled: dict[str, str]
) -> None:
    first, key = desk.lookup.find_page(ComplaintQuery(limit=3), actor=clerk)
    assert len(first) == 3 and key is not None
    second, end = desk.lookup.find_page(ComplaintQuery(limit=3, before_id=key), actor=clerk)
    assert end is None
    assert {s.uuid for s in first + second} == set(filled.values())
    assert desk.lookup.count(ComplaintQuery(text="air"), actor=clerk) == 1
