"""The one content mapper and the one digest: where a complaint becomes what is sent, and its hash.

The national service tells a retry from an edit by this digest, so every path that needs
it goes through here: the intake's save, the quarantine's resend and fix, and the sync
claim that rebuilds what it sends. The reference server recomputes it with the same
``canonical.content_hash``. Identities are opened in memory with the vault and never
stored in clear: that is why a claim rebuilds the content instead of reading a stored copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.domain.canonical import canonical_content, content_hash
from lapor_desktop.domain.complaint import (
    IDENTITY_FIELDS,
    Channel,
    Classification,
    ComplaintData,
    Identity,
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


class StoredContent(Protocol):
    """The columns a complaint's content is made of: an ORM ``Complaint`` or a plain row."""

    @property
    def classification(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def incident_date(self) -> dt.date | None: ...
    @property
    def region_code(self) -> str | None: ...
    @property
    def location_text(self) -> str: ...
    @property
    def category_code(self) -> str | None: ...
    @property
    def agency_code(self) -> str | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def anonim(self) -> bool: ...
    @property
    def rahasia(self) -> bool: ...
    @property
    def urgent(self) -> bool: ...


def data_of(stored: StoredContent, identity: Identity) -> ComplaintData:
    """The complaint as the intake validated it, read back from its columns."""
    return ComplaintData(
        classification=Classification(stored.classification or ""),
        title=stored.title,
        description=stored.description,
        incident_date=stored.incident_date,
        region_code=stored.region_code,
        location_text=stored.location_text,
        category_code=stored.category_code,
        agency_code=stored.agency_code,
        channel=Channel(stored.channel),
        anonim=stored.anonim,
        rahasia=stored.rahasia,
        urgent=stored.urgent,
        identity=identity,
    )


def digest_of(complaint: Complaint, data: ComplaintData, vault: IdentityVault) -> str:
    """The digest of ``data`` as ``complaint``'s content (its UUID, salt and attachments)."""
    salt = ""
    if complaint.identity is not None:
        salt = vault.content_salt(complaint.uuid, complaint.identity)
    hashes = [a.sha256 for a in complaint.attachments]
    return content_hash(canonical_content(complaint.uuid, data, hashes, salt))


def current_digest(complaint: Complaint, vault: IdentityVault) -> str:
    """The digest of the complaint as it stands now in the database."""
    identity = vault.open(complaint.uuid, complaint.identity)
    return digest_of(complaint, data_of(complaint, identity), vault)


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
        data = data_of(row, vault.open(row.uuid, identity))
        salt = "" if identity is None else vault.content_salt(row.uuid, identity)
        contents[row.id] = canonical_content(row.uuid, data, hashes[row.id], salt)
    return contents
