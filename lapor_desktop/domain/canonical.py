"""The canonical content of a complaint and its hash.

The national service deduplicates on the client UUID and tells a retry
from an edit by this hash (same UUID and same hash: a duplicate; same UUID,
other hash: a conflict). Both sides must compute it identically, so the
form is fixed: sorted keys, no whitespace, UTF-8, ISO dates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from lapor_desktop.domain.complaint import ComplaintData, ComplaintForm

CANONICAL_VERSION = 1


def canonical_content(
    complaint_uuid: str, data: ComplaintData, attachment_hashes: Sequence[str] = (), salt: str = ""
) -> dict[str, object]:
    """``salt`` is a random value kept sealed with the identity and sent with the complaint:

    without it, the hash of an anonymous complaint that carries only a phone
    number could be reversed by trying every number.
    """
    identity = data.identity
    return {
        "v": CANONICAL_VERSION,
        "salt": salt,
        "uuid": complaint_uuid,
        "classification": data.classification.value,
        "title": data.title,
        "description": data.description,
        "incident_date": data.incident_date.isoformat() if data.incident_date else None,
        "region_code": data.region_code,
        "location_text": data.location_text,
        "category_code": data.category_code,
        "agency_code": data.agency_code,
        "channel": data.channel.value,
        "anonim": data.anonim,
        "rahasia": data.rahasia,
        "identity": {
            "full_name": identity.full_name,
            "nik": identity.nik,
            "phone": identity.phone,
            "email": identity.email,
            "address": identity.address,
        },
        "attachments": sorted(attachment_hashes),
    }


def canonical_bytes(content: dict[str, object]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(content: dict[str, object]) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def form_of(content: dict[str, object], *, urgent: bool = False) -> ComplaintForm:
    """A canonical content as a form again, to validate it where it arrives (the national
    service, or a parent office taking a district's hand-over bundle)."""
    identity = content["identity"]
    assert isinstance(identity, dict)
    return ComplaintForm(
        classification=str(content["classification"]),
        title=str(content["title"]),
        description=str(content["description"]),
        incident_date=str(content["incident_date"] or ""),
        region_code=str(content["region_code"] or ""),
        location_text=str(content["location_text"]),
        category_code=str(content["category_code"] or ""),
        agency_code=str(content["agency_code"] or ""),
        channel=str(content["channel"]),
        anonim=bool(content["anonim"]),
        rahasia=bool(content["rahasia"]),
        urgent=urgent,
        full_name=str(identity["full_name"]),
        nik=str(identity["nik"]),
        phone=str(identity["phone"]),
        email=str(identity["email"]),
        address=str(identity["address"]),
    )
