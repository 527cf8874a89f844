"""The phone number rules behind ``phone.check_phone``, checked offline with ``phonenumbers``.

The number is for calling or messaging the complainant back, so besides
impossible numbers it rejects the kinds no person is reached on at normal
cost: premium-rate (the office would pay a surcharge), shared-cost and UAN
(company hotlines such as 1500-xxx, which cannot receive an SMS or WhatsApp).
Toll-free numbers are kept: calling them costs nothing. Valid foreign
numbers are accepted, since complainants may live or work abroad.
"""

from __future__ import annotations

import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from lapor_desktop.i18n import N_, Message

DEFAULT_REGION = "ID"
INDONESIA_PREFIX = "62"
MAX_DIGITS = 17  # the longest number ITU-T E.164 and phonenumbers allow
# Typed separators between digit groups; anything else (letters, "ext") is refused,
# because phonenumbers would turn letters into digits (0812-ABC...).
_SEPARATORS = frozenset(" +-()./")

_REJECTED_TYPES: dict[int, str] = {
    PhoneNumberType.PREMIUM_RATE: N_(
        "{number} is a premium-rate number; calling it back would cost the office a surcharge."
    ),
    PhoneNumberType.SHARED_COST: N_(
        "{number} is a shared-cost service number, not a personal contact."
    ),
    PhoneNumberType.UAN: N_("{number} is a company hotline (UAN) number, not a personal contact."),
}

_NOT_POSSIBLE: dict[int, str] = {
    ValidationResult.TOO_SHORT: N_("Too short for a phone number."),
    ValidationResult.TOO_LONG: N_("Too long for a phone number."),
    ValidationResult.INVALID_LENGTH: N_("Has the wrong number of digits for a phone number."),
    ValidationResult.INVALID_COUNTRY_CODE: N_("Starts with an unknown country code."),
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: N_(
        "Add the area code, for example 0776 for Lingga or 021 for Jakarta."
    ),
}


def check_phone_number(text: str) -> tuple[str | None, Message | None]:
    """The number in E.164 (``+6281234567890``), or a message saying what is wrong.

    Accepts the local form (``0812 3456 7890``), ``+62 812 ...`` and ``62812...``.
    """
    typed = unicodedata.normalize("NFKC", text).strip()
    if not any(ch.isdecimal() for ch in typed):
        return None, Message(N_("Enter a phone number, for example 0812 3456 7890."))
    if any(not ch.isdecimal() and ch not in _SEPARATORS for ch in typed):
        return None, Message(
            N_("May contain only digits, spaces, +, -, brackets, dots and slashes.")
        )
    if sum(ch.isdecimal() for ch in typed) > MAX_DIGITS:
        return None, Message(_NOT_POSSIBLE[ValidationResult.TOO_LONG])
    number = _parse(typed)
    if isinstance(number, NumberParseException):
        if number.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return None, Message(_NOT_POSSIBLE[ValidationResult.INVALID_COUNTRY_CODE])
        return None, Message(N_("Not a phone number; type it like 0812 3456 7890."))
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != ValidationResult.IS_POSSIBLE:
        return None, Message(_NOT_POSSIBLE.get(possible, N_("Not a valid phone number.")))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        return None, Message(
            N_("{number} is not a number in use in its country."), {"number": e164}
        )
    rejected = _REJECTED_TYPES.get(phonenumbers.number_type(number))
    if rejected is not None:
        return None, Message(rejected, {"number": e164})
    return e164, None


def _parse(typed: str) -> phonenumbers.PhoneNumber | NumberParseException:
    """Read the number; a leading ``62`` without ``+`` is taken as the country code.

    Local numbers are written with the trunk ``0``, so ``62812...`` means
    ``+62 812...``; phonenumbers alone would read some of these as a fixed
    line number with area code ``0628``.
    """
    digits_first = typed.lstrip("(")
    if digits_first.startswith(INDONESIA_PREFIX):
        international = _parse_or_error("+" + digits_first)
        if not isinstance(international, NumberParseException) and phonenumbers.is_valid_number(
            international
        ):
            return international
    return _parse_or_error(typed)


def _parse_or_error(typed: str) -> phonenumbers.PhoneNumber | NumberParseException:
    try:
        return phonenumbers.parse(typed, DEFAULT_REGION)
    except NumberParseException as error:
        return error
