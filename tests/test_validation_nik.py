"""The NIK checker and the receipt mask."""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from stdnum.id import nik as stdnum_nik

from lapor_desktop.validation.nik import check_nik, district_codes, mask_nik

# 217101 Belakang Padang (Kota Batam), 17 August 1945 for a man, serial 0001.
VALID_NIK = "2171011708450001"


@pytest.fixture(scope="module")
def history() -> dict[str, dict[str, str]]:
    bundled = resources.files("lapor_desktop.reference").joinpath(
        "bundled", "region_codes_history.csv"
    )
    with bundled.open(encoding="utf-8") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def test_valid_nik_is_returned_as_its_16_digits() -> None:
    assert check_nik(VALID_NIK) == (VALID_NIK, None)


def test_spaces_dots_and_hyphens_between_groups_are_dropped() -> None:
    assert check_nik(" 21.71.01-170845 0001 ") == (VALID_NIK, None)


def test_fullwidth_digits_are_read_as_digits() -> None:
    assert check_nik("２１７１０１１７０８４５０００１") == (VALID_NIK, None)


def test_nik_with_retired_district_code_is_accepted(history: dict[str, dict[str, str]]) -> None:
    # 910101 Merauke belonged to Papua until the 2022 split moved it to 930101.
    assert history["910101"]["level"] == "district"
    assert history["910101"]["current"] == "no"
    assert check_nik("9101011708450001") == ("9101011708450001", None)


def test_nik_with_new_district_that_stdnum_does_not_know_is_accepted(
    history: dict[str, dict[str, str]],
) -> None:
    # Why the place check is ours: stdnum's table predates Papua Selatan (93).
    assert history["930101"]["current"] == "yes"
    assert not stdnum_nik.is_valid("9301011708450001")
    assert check_nik("9301011708450001") == ("9301011708450001", None)


def test_every_district_in_the_history_is_known_and_nothing_else(
    history: dict[str, dict[str, str]],
) -> None:
    districts = {code for code, row in history.items() if row["level"] == "district"}
    assert district_codes() == districts
    assert len(districts) == 7285 + 594


def test_woman_nik_with_day_plus_40_is_accepted() -> None:
    assert check_nik("2171015708450001") == ("2171015708450001", None)


def test_nik_with_unknown_district_code_is_rejected() -> None:
    value, message = check_nik("9971011708450001")
    assert value is None
    assert message is not None
    assert message.params == {"code": "997101"}
    assert "district" in message.render("en")


def test_regency_code_padded_with_zeros_is_not_a_district() -> None:
    value, message = check_nik("2171001708450001")
    assert value is None
    assert message is not None
    assert message.params == {"code": "217100"}


@pytest.mark.parametrize(
    "birth",
    [
        "300299",  # 30 February
        "290201",  # 29 February 1901 and 2001, neither a leap year
        "000145",  # day 0
        "320145",  # day 32
        "400145",  # day 40: 0 for a woman
        "720145",  # day 72: 32 for a woman
        "810145",  # day 81: stdnum alone would read it as 1
        "011345",  # month 13
        "010045",  # month 0
    ],
)
def test_nik_with_impossible_birth_date_is_rejected(birth: str) -> None:
    value, message = check_nik(f"217101{birth}0001")
    assert value is None
    assert message is not None
    assert message.params == {"digits": birth}
    assert "birth" in message.render("en")


def test_leap_day_birth_is_accepted() -> None:
    assert check_nik("2171012902000001") == ("2171012902000001", None)


@pytest.mark.parametrize(("typed", "count"), [("217101170845000", 15), ("21710117084500011", 17)])
def test_nik_with_wrong_number_of_digits_is_rejected_with_the_count(typed: str, count: int) -> None:
    value, message = check_nik(typed)
    assert value is None
    assert message is not None
    assert message.params == {"count": count}


@pytest.mark.parametrize("typed", ["217101170845000O", "2171O11708450001", "NIK 2171011708450001"])
def test_nik_with_letters_is_rejected(typed: str) -> None:
    value, message = check_nik(typed)
    assert value is None
    assert message is not None
    assert "digits" in message.render("en")


def test_empty_nik_asks_for_the_digits() -> None:
    value, message = check_nik("   ")
    assert value is None
    assert message is not None
    assert "16" in message.render("en")


def test_each_problem_has_its_own_message() -> None:
    typed = ["21710117084500x1", "217101170845", "9971011708450001", "2171013002450001"]
    templates = {check_nik(t)[1].template for t in typed}  # type: ignore[union-attr]
    assert len(templates) == len(typed)


def test_mask_keeps_district_and_last_two_digits() -> None:
    assert mask_nik(VALID_NIK) == "217101********01"


def test_mask_hides_birth_date_and_sex() -> None:
    assert "170845" not in mask_nik(VALID_NIK)
    assert mask_nik("2171015708450001") == mask_nik("2171011708450001")


def test_mask_reads_typed_separators() -> None:
    assert mask_nik("21.71.01 170845 0001") == "217101********01"


@pytest.mark.parametrize("value", ["", "217101", "21710117084500011", "21710117084500x1"])
def test_mask_of_anything_but_a_nik_hides_everything(value: str) -> None:
    assert mask_nik(value) == "*" * 16
