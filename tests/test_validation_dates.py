"""The incident date as typed at the desk."""

from __future__ import annotations

import datetime as dt

import pytest

from lapor_desktop.i18n import Message
from lapor_desktop.validation.dates import parse_incident_date, years_before

TODAY = dt.date(2026, 3, 1)


def rejected(result: tuple[dt.date | None, Message | None]) -> Message:
    value, message = result
    assert value is None
    assert message is not None
    return message


@pytest.mark.parametrize(
    "typed", ["2025-08-17", "17/08/2025", "17-08-2025", "17/8/2025", "2025-8-17", " 17/08/2025 "]
)
def test_iso_and_indonesian_forms_are_accepted(typed: str) -> None:
    assert parse_incident_date(typed, TODAY) == (dt.date(2025, 8, 17), None)


def test_slashes_are_read_day_first() -> None:
    assert parse_incident_date("05/03/2025", TODAY) == (dt.date(2025, 3, 5), None)


def test_today_is_accepted() -> None:
    assert parse_incident_date("01/03/2026", TODAY) == (TODAY, None)


@pytest.mark.parametrize(
    "typed",
    [
        "kemarin",
        "2025/08/17",
        "17.08.2025",
        "17/08-2025",
        "17/08/25",
        "17082025",
        "2025-08-17T10:00",
    ],
)
def test_malformed_date_is_rejected_with_the_accepted_forms(typed: str) -> None:
    assert "DD/MM/YYYY" in rejected(parse_incident_date(typed, TODAY)).render("en")


@pytest.mark.parametrize("typed", ["31/02/2025", "29/02/2025", "2025-13-01", "00/01/2025"])
def test_impossible_date_is_rejected(typed: str) -> None:
    message = rejected(parse_incident_date(typed, TODAY))
    assert message.params == {"typed": typed}


def test_leap_day_is_accepted() -> None:
    assert parse_incident_date("29/02/2024", TODAY) == (dt.date(2024, 2, 29), None)


def test_future_date_is_rejected() -> None:
    message = rejected(parse_incident_date("02/03/2026", TODAY))
    assert message.params == {"date": "02/03/2026", "today": "01/03/2026"}


def test_date_more_than_ten_years_ago_is_rejected_by_default() -> None:
    assert parse_incident_date("01/03/2016", TODAY) == (dt.date(2016, 3, 1), None)
    message = rejected(parse_incident_date("29/02/2016", TODAY))
    assert message.params == {"date": "29/02/2016", "years": 10}


def test_age_limit_is_a_parameter() -> None:
    assert parse_incident_date("01/01/2000", TODAY, max_age_years=30)[1] is None
    assert parse_incident_date("01/01/2000", TODAY, max_age_years=None)[1] is None
    assert parse_incident_date("01/01/2025", TODAY, max_age_years=1)[1] is not None


def test_date_before_independence_is_rejected_even_without_age_limit() -> None:
    assert parse_incident_date("17/08/1945", TODAY, max_age_years=None)[1] is None
    message = rejected(parse_incident_date("16/08/1945", TODAY, max_age_years=None))
    assert message.params == {"date": "16/08/1945"}


def test_empty_date_asks_for_one() -> None:
    assert "Enter" in rejected(parse_incident_date("", TODAY)).render("en")


def test_each_date_problem_has_its_own_message() -> None:
    typed = ["", "kemarin", "31/02/2025", "02/03/2026", "01/01/1900", "01/01/2000"]
    templates = {rejected(parse_incident_date(t, TODAY)).template for t in typed}
    assert len(templates) == len(typed)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2026, 3, 1), 10, dt.date(2016, 3, 1)),
        (dt.date(2024, 2, 29), 1, dt.date(2023, 2, 28)),
        (dt.date(5, 1, 1), 10, dt.date(1, 1, 1)),
    ],
)
def test_years_before_keeps_the_calendar_day(day: dt.date, years: int, expected: dt.date) -> None:
    assert years_before(day, years) == expected


def test_a_future_date_is_named_the_way_the_operator_typed_it() -> None:
    message = rejected(parse_incident_date("01/01/2027", TODAY))
    assert message.render("id") == "Tanggal 01/01/2027 belum terjadi; hari ini tanggal 01/03/2026."
    assert "2027-01-01" not in message.render("en")
