"""The NIK (Nomor Induk Kependudukan): checking it and masking it for receipts.

Length, digits and the birth date come from python-stdnum's ``stdnum.id.nik``;
the place of issue is checked here against the bundled region-code history.
``stdnum.id.nik.validate`` is deliberately not used for acceptance: its place
check looks up only digits 1-4 in stdnum's own, older table, which lacks
hundreds of current districts (Kalimantan Utara ``65``, the 2022 Papua
provinces ``93``-``96``) and gives some codes the wrong meaning (``9101`` is
Fakfak there, Merauke in the decrees). A NIK keeps the district code it was
issued with, so a district retired since 2015 must still be accepted.
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from importlib import resources

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from lapor_desktop.i18n import N_, Message

NIK_LENGTH = 16
DISTRICT_DIGITS = 6
VISIBLE_TAIL = 2
MASK_CHAR = "*"
_HISTORY_FILE = "region_codes_history.csv"
# A woman's NIK adds 40 to her day of birth: days 01-31 or 41-71, nothing else.
_MALE_DAYS = range(1, 32)
_FEMALE_DAYS = range(41, 72)


@functools.cache
def district_codes() -> frozenset[str]:
    """Every district code in any release since 2015, current or retired."""
    bundled = resources.files("lapor_desktop.reference").joinpath("bundled", _HISTORY_FILE)
    text = bundled.read_text(encoding="utf-8")
    return frozenset(
        row["code"] for row in csv.DictReader(io.StringIO(text)) if row["level"] == "district"
    )


def check_nik(text: str) -> tuple[str | None, Message | None]:
    """The NIK as 16 digits, or a message saying what is wrong with it.

    Spaces, dots and hyphens typed between digit groups are dropped.
    The two-digit birth year cannot say its century, so a birth date in
    the future is not detectable and not checked.
    """
    number = stdnum_nik.compact(unicodedata.normalize("NFKC", text))
    if not number:
        return None, Message(N_("Enter the 16 digits of the NIK."))
    if not number.isascii() or not number.isdigit():
        return None, Message(N_("May contain only digits."))
    if len(number) != NIK_LENGTH:
        return None, Message(N_("Must have 16 digits; {count} were typed."), {"count": len(number)})
    district = number[:DISTRICT_DIGITS]
    if district not in district_codes():
        return None, Message(
            N_("Digits 1 to 6 ({code}) are not a known district (kecamatan) code."),
            {"code": district},
        )
    if not _has_possible_birth_date(number):
        return None, Message(
            N_("Digits 7 to 12 ({digits}) are not a possible date of birth (DDMMYY)."),
            {"digits": number[6:12]},
        )
    return number, None


def _has_possible_birth_date(number: str) -> bool:
    day = int(number[6:8])
    if day not in _MALE_DAYS and day not in _FEMALE_DAYS:
        return False  # stdnum takes the day modulo 40, so it would accept 81 as 1
    try:
        stdnum_nik.get_birth_date(number)
    except ValidationError:
        return False
    return True


def mask_nik(nik: str) -> str:
    """The NIK as printed on a receipt: district code and last two digits only.

    ``2171011708450001`` becomes ``217101********01``: the citizen can
    recognise the number, but the birth date and sex (digits 7-12) and the
    serial stay hidden if the receipt is lost. Anything that is not a
    16-digit NIK is masked completely, so a bad value never leaks.
    """
    number = stdnum_nik.compact(unicodedata.normalize("NFKC", nik))
    if len(number) != NIK_LENGTH or not number.isascii() or not number.isdigit():
        return MASK_CHAR * NIK_LENGTH
    hidden = NIK_LENGTH - DISTRICT_DIGITS - VISIBLE_TAIL
    return number[:DISTRICT_DIGITS] + MASK_CHAR * hidden + number[-VISIBLE_TAIL:]
