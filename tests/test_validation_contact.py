"""Phone numbers and email addresses: what the desk accepts as a way to reply."""

from __future__ import annotations

import pytest

from lapor_desktop.i18n import Message
from lapor_desktop.validation.email import check_email
from lapor_desktop.validation.phone import check_phone


def rejected(result: tuple[str | None, Message | None]) -> Message:
    value, message = result
    assert value is None
    assert message is not None
    return message


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812 3456 7890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "+62 (0) 812-3456-7890",
        "6281234567890",
        "62 812 3456 7890",
        "０８１２３４５６７８９０",
    ],
)
def test_mobile_number_in_any_usual_form_becomes_e164(typed: str) -> None:
    assert check_phone(typed) == ("+6281234567890", None)


def test_fixed_line_with_area_code_is_accepted() -> None:
    assert check_phone("(0778) 457 123") == ("+62778457123", None)


def test_leading_62_is_read_as_the_country_code() -> None:
    # Read as a national number, 62812345678 would be a fixed line in area 0628.
    assert check_phone("62812345678") == ("+62812345678", None)


def test_foreign_number_is_accepted() -> None:
    assert check_phone("+65 6123 4567") == ("+6561234567", None)


def test_toll_free_number_is_accepted() -> None:
    assert check_phone("0800 1234567") == ("+628001234567", None)


def test_premium_rate_number_is_rejected() -> None:
    message = rejected(check_phone("0809 1 234 567"))
    assert message.params == {"number": "+628091234567"}
    assert "premium" in message.render("en")


def test_shared_cost_number_is_rejected() -> None:
    message = rejected(check_phone("0804 123 4567"))
    assert "shared-cost" in message.render("en")


def test_company_hotline_uan_number_is_rejected() -> None:
    message = rejected(check_phone("1500 123"))
    assert "UAN" in message.render("en")


def test_too_short_number_is_rejected() -> None:
    assert "short" in rejected(check_phone("0812")).render("en")


def test_number_with_more_digits_than_any_country_allows_is_rejected() -> None:
    assert "long" in rejected(check_phone("0812 3456 7890 1234 5678")).render("en")


def test_number_outside_the_numbering_plan_is_rejected() -> None:
    message = rejected(check_phone("0812 3456 7890 12"))
    assert message.params == {"number": "+628123456789012"}


def test_unknown_country_code_is_rejected() -> None:
    assert "country code" in rejected(check_phone("+999 1234 5678")).render("en")


@pytest.mark.parametrize("typed", ["0812-ABC-DEFG", "0812 3456 7890 ext. 12", "0812#34567890"])
def test_letters_and_symbols_in_a_phone_number_are_rejected(typed: str) -> None:
    # phonenumbers alone would turn 0812-ABC-DEFG into digits.
    assert "only digits" in rejected(check_phone(typed)).render("en")


@pytest.mark.parametrize("typed", ["", "  ", "+", "---"])
def test_phone_without_digits_asks_for_a_number(typed: str) -> None:
    assert "Enter" in rejected(check_phone(typed)).render("en")


def test_each_phone_problem_has_its_own_message() -> None:
    typed = ["0809 1 234 567", "0804 123 4567", "1500 123", "0812", "+999 1234 5678", "0812x"]
    assert len({rejected(check_phone(t)).template for t in typed}) == len(typed)


def test_email_domain_is_lowercased_and_whitespace_dropped() -> None:
    assert check_email("  Budi.Santoso@Gmail.COM ") == ("Budi.Santoso@gmail.com", None)


def test_internationalised_email_is_accepted() -> None:
    assert check_email("budi@contoh.co.id") == ("budi@contoh.co.id", None)
    assert check_email("δοκιμή@παράδειγμα.δοκιμή")[1] is None


def test_email_without_at_sign_is_rejected() -> None:
    assert "@" in rejected(check_email("budi.gmail.com")).render("en")


@pytest.mark.parametrize("typed", ["budi@localhost", "budi@", "budi@gmail"])
def test_email_without_internet_domain_is_rejected(typed: str) -> None:
    assert "domain" in rejected(check_email(typed)).render("en")


@pytest.mark.parametrize(
    "typed", ["budi santoso@gmail.com", "budi@@gmail.com", "@gmail.com", "budi@test.invalid"]
)
def test_malformed_email_is_rejected(typed: str) -> None:
    assert "valid" in rejected(check_email(typed)).render("en")


def test_email_over_254_characters_is_rejected() -> None:
    message = rejected(check_email("a" * 64 + "@" + "b" * 186 + ".com"))
    assert message.params == {"maximum": 254}


def test_empty_email_asks_for_an_address() -> None:
    assert "Enter" in rejected(check_email(" ")).render("en")


def test_email_check_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the email check must not use the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert check_email("budi@lapor.go.id") == ("budi@lapor.go.id", None)


def test_an_address_ending_at_the_at_sign_says_the_domain_is_missing() -> None:
    value, message = check_email("siti.aminah@")
    assert value is None and message is not None
    assert "()" not in message.render("id") and "domain" in message.render("id")
