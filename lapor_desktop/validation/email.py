"""The complainant's email address, checked for syntax only.

The desk is often offline, so there is no DNS lookup (``check_deliverability``
is off); ``email-validator`` still refuses reserved domains such as
``localhost`` or ``.invalid``. Its own error texts are English only, so the
common mistakes get translatable messages here.
"""

from __future__ import annotations

import unicodedata

from lapor_desktop.i18n import N_, Message

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path, which email-validator also applies


def check_email(text: str) -> tuple[str | None, Message | None]:
    """The normalised address (domain in lower case), or a message saying what is wrong."""
    typed = unicodedata.normalize("NFC", text).strip()
    if not typed:
        return None, Message(N_("Enter an email address, for example name@example.com."))
    if len(typed) > MAX_EMAIL_LENGTH:
        return None, Message(
            N_("Too long for an email address (at most {maximum} characters)."),
            {"maximum": MAX_EMAIL_LENGTH},
        )
    if "@" not in typed:
        return None, Message(N_("Must contain an @ sign, as in name@example.com."))
    domain = typed.rpartition("@")[2]
    if not domain.strip():
        return None, Message(
            N_("Nothing follows the @ sign: add the domain, as in name@example.com.")
        )
    if "." not in domain.strip("."):
        return None, Message(
            N_("The part after the @ sign ({domain}) is not an internet domain."),
            {"domain": domain},
        )
    # Here, not at the top: email-validator costs 20 ms of every start.
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(typed, check_deliverability=False)
    except EmailNotValidError:
        return None, Message(N_("Not a valid email address; check it for typos and spaces."))
    return result.normalized, None
