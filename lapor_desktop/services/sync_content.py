"""The canonical content of queued complaints, rebuilt for sending exactly as the intake hashed it.

Identities are opened in memory with the vault and never stored in clear: that is why a
claim rebuilds the content instead of reading a stored copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.domain.canonical import canonical_content
from lapor_desktop.domain.complaint import (
    IDENTITY_FIELDS,
    Channel,
    Classification,
    ComplaintData,
)
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.storage.models import Attachment, ComplainantIdentity, Complaint

CONTENT_COLUMNS = (
    Complaint.id,
    Complaint.uuid,
    Complaint.classification,
    Complaint.title,
    Complaint.description,
    Complaint.incident_date,
    Complaint.region_code,
    Complaint.location_text,
    Complaint.category_code,
    Complaint.agency_code,
    Complaint.channel,
    Complaint.anonim,
    Complaint.rahasia,
    Complaint.urgent,
)
SEALED_FIELDS = (*IDENTITY_FIELDS, "content_salt")


def contents_of(
    session: Session, vault: IdentityVault, ids: Sequence[int]
) -> dict[int, dict[str, object]]:
    """Rebuild the canonical contents the intake hashed, identities opened with the vault.

    Plain rows, not ORM objects: two queries for the whole batch (complaints with their
    sealed identities, then attachment hashes), as a claim is on the sync's hot path.
    """
    hashes: dict[int, list[str]] = {i: [] for i in ids}
    for complaint_id, sha256 in session.execute(
        select(Attachment.complaint_id, Attachment.sha256).where(Attachment.complaint_id.in_(ids))
    ):
        hashes[complaint_id].append(sha256)
    sealed = [getattr(ComplainantIdentity, name) for name in SEALED_FIELDS]
    rows = session.execute(
        select(*CONTENT_COLUMNS, ComplainantIdentity.complaint_id.label("identity_of"), *sealed)
        .outerjoin(ComplainantIdentity, ComplainantIdentity.complaint_id == Complaint.id)
        .where(Complaint.id.in_(ids))
    )
    contents: dict[int, dict[str, object]] = {}
    for row in rows:
        # The vault only reads the sealed columns, which the row carries under their names
        # (an ORM object per record would cost more than the decryption).
        identity = None if row.identity_of is None else cast(ComplainantIdentity, row)
        data = ComplaintData(
            classification=Classification(row.classification or ""),
            title=row.title,
            description=row.description,
            incident_date=row.incident_date,
            region_code=row.region_code,
            location_text=row.location_text,
            category_code=row.category_code,
            agency_code=row.agency_code,
            channel=Channel(row.channel),
            anonim=row.anonim,
            rahasia=row.rahasia,
            urgent=row.urgent,
            identity=vault.open(row.uuid, identity),
        )
        salt = "" if identity is None else vault.content_salt(row.uuid, identity)
        contents[row.id] = canonical_content(row.uuid, data, hashes[row.id], salt)
    return contents
