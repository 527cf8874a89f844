"""The complainant's phone number, checked offline.

The rules (which numbers are refused, and why) are in ``phone_numbers.py``;
this module loads them, and ``phonenumbers`` with them, on the first number
checked, so that a start that checks none does not pay for them.
"""

from __future__ import annotations

from lapor_desktop.i18n import Message


def check_phone(text: str) -> tuple[str | None, Message | None]:
    """The number in E.164 (``+6281234567890``), or a message saying what is wrong.

    Accepts the local form (``0812 3456 7890``), ``+62 812 ...`` and ``62812...``.
    """
    # Here, not at the top: phonenumbers costs 15-20 ms of every start.
    from lapor_desktop.validation.phone_numbers import check_phone_number

    return check_phone_number(text)
