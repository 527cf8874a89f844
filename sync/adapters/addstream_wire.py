"""The wire format of the old LAPOR! ``addstream`` call: form fields up, a small XML answer down.

UNVERIFIED against the live service: built from the only public description
of the call (the reporter's email, phone and names, the text, the ``rahasia``
and ``anonim`` flags; the answer's ``trackingid`` and ``transaksiid``). The
field names sit in one table here so that they can be corrected in one place.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

FIELDS = {
    "token": "token",
    "email": "email",
    "phone": "phone",
    "first_name": "firstname",
    "last_name": "lastname",
    "text": "content",
    "rahasia": "rahasia",
    "anonim": "anonim",
}
"""Our name of each field -> the name the call expects (unverified)."""
IDENTITY_FIELDS = ("email", "phone", "first_name", "last_name")
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Stored:
    """A success: the service's own proof that it holds the report."""

    tracking_id: str
    transaction_id: str


@dataclass(frozen=True)
class Refused:
    """An error answer: the service's code and its words, when it gave them."""

    code: str
    message: str


def report_fields(content: Mapping[str, object], token: str) -> dict[str, str]:
    """The form of one complaint; an ``anonim`` complaint carries no identity at all."""
    anonymous = content.get("anonim") is True
    fields = {
        FIELDS["token"]: token,
        FIELDS["text"]: report_text(content),
        FIELDS["rahasia"]: "1" if content.get("rahasia") is True else "0",
        FIELDS["anonim"]: "1" if anonymous else "0",
    }
    if anonymous:
        return fields
    identity = content.get("identity")
    person = identity if isinstance(identity, Mapping) else {}
    first, _, last = _text(person.get("full_name")).partition(" ")
    values = {
        "email": _text(person.get("email")),
        "phone": _text(person.get("phone")),
        "first_name": first,
        "last_name": last.strip(),
    }
    fields.update({FIELDS[name]: value for name, value in values.items() if value})
    return fields


def report_text(content: Mapping[str, object]) -> str:
    """The call has one text field: title, story, then where and when, as a reader wants them."""
    facts = []
    location = _text(content.get("location_text"))
    if location:
        facts.append(f"Lokasi: {location}")
    date = _text(content.get("incident_date"))
    if date:
        facts.append(f"Tanggal kejadian: {date}")
    blocks = (_text(content.get("title")), _text(content.get("description")), "\n".join(facts))
    return "\n\n".join(block for block in blocks if block)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_answer(body: bytes) -> Stored | Refused | str:
    """What the XML says; a string is why it is no proof (unreadable, no tracking ID)."""
    if len(body) > MAX_ANSWER_BYTES:
        return "the answer is larger than an addstream answer can be"
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return "the answer declares a DOCTYPE or entities"
    try:
        root = ET.fromstring(body)  # noqa: S314 (no DOCTYPE, so no entities; size capped)
    except ET.ParseError as error:
        return f"the answer is not XML: {error}"
    values = {child.tag.lower(): (child.text or "").strip() for child in root}
    tracking_id = values.get("trackingid", "")
    if tracking_id:
        transaction_id = values.get("transaksiid", "")
        if not _ID.fullmatch(tracking_id) or not _ID.fullmatch(transaction_id):
            return "the tracking ID or the transaction ID is missing or malformed"
        return Stored(tracking_id, transaction_id)
    status = values.get("status", "").lower()
    if status in ("", "ok", "success", "sukses"):
        return "the answer names no tracking ID"
    return Refused(values.get("code", "") or status, values.get("message", ""))
