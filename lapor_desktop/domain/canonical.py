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

from lapor_desktop.domain.complaint import ComplaintData

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
