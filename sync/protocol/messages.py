"""Every message of the LAPOR! v1 protocol as a plain frozen dataclass.

These cross the boundary between the adapter, the engine and the reference
server; none of them knows about HTTP or JSON (see ``codec``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from lapor_desktop.domain.status import NATIONAL_STATES, Status
from lapor_desktop.reference.dataset import ReferenceDataset

API_VERSION = "v1"
NATIONAL_STATUS_VALUES = frozenset(s.value for s in NATIONAL_STATES)
RECORD_STATUS_VALUES = NATIONAL_STATUS_VALUES | {Status.SENT.value}
"""A record the national desk has not looked at yet is ``sent`` (received, not yet verified)."""


@dataclass(frozen=True)
class Receipt:
    """The server's signed word that it holds this content under this tracking ID.

    The desk stores it and can print it as proof of delivery.
    """

    client_uuid: str
    content_hash: str
    tracking_id: str
    server_time: dt.datetime
    key_id: str
    signature: str
    """Base64 (RFC 4648) of the 64-byte Ed25519 signature."""


@dataclass(frozen=True)
class SubmissionItem:
    client_uuid: str
    content_hash: str
    content: Mapping[str, object] = field(hash=False)
    """The canonical content (``lapor_desktop.domain.canonical``) whose hash is ``content_hash``."""


@dataclass(frozen=True)
class BatchRequest:
    items: tuple[SubmissionItem, ...]


class ItemOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Accepted:
    index: int
    client_uuid: str
    tracking_id: str
    receipt: Receipt


@dataclass(frozen=True)
class Duplicate:
    """Same UUID and same hash as a record the server already holds: not an error."""

    index: int
    client_uuid: str
    tracking_id: str
    """The tracking ID given the first time."""
    receipt: Receipt


@dataclass(frozen=True)
class Conflict:
    """Same UUID, other content: kept for a person to review, never overwritten."""

    index: int
    client_uuid: str
    tracking_id: str
    """The tracking ID of the record the server already holds."""
    server_content_hash: str
    detail: str


@dataclass(frozen=True)
class ItemRejected:
    """An invalid item; the rest of the batch was still processed."""

    index: int
    client_uuid: str | None
    """None when the item carried no readable UUID."""
    code: str
    reason: str
    """Human text in the language the request asked for (Accept-Language)."""
    field: str | None


ItemResult = Accepted | Duplicate | Conflict | ItemRejected


@dataclass(frozen=True)
class BatchResponse:
    server_time: dt.datetime
    results: tuple[ItemResult, ...]


@dataclass(frozen=True)
class ComplaintRecord:
    """What the server holds under a client UUID (the lookup after an ambiguous failure)."""

    client_uuid: str
    content_hash: str
    tracking_id: str
    status: str
    received_at: dt.datetime
    receipt: Receipt
    server_time: dt.datetime


@dataclass(frozen=True)
class FollowUp:
    """A follow-up message on a complaint; the message UUID makes it idempotent."""

    message_uuid: str
    text: str
    written_at: dt.datetime | None = None
    """When the desk wrote it, by the desk's clock: informative only."""


class FollowUpOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class FollowUpResult:
    message_uuid: str
    outcome: FollowUpOutcome
    received_at: dt.datetime
    server_time: dt.datetime


class ChangeKind(enum.StrEnum):
    STATUS = "status"
    AGENCY_RESPONSE = "agency_response"
    INFO_REQUEST = "info_request"


@dataclass(frozen=True)
class Change:
    """One event on the national side, in the server's order."""

    change_id: str
    """Opaque and unique: lets the engine apply each change once even if a page repeats."""
    client_uuid: str
    tracking_id: str
    kind: ChangeKind
    status: str
    """The national status after this change (``lapor_desktop.domain.status`` values)."""
    text: str
    """The agency's or the admin's words, in Indonesian; may be empty."""
    agency_code: str | None
    occurred_at: dt.datetime


@dataclass(frozen=True)
class ChangesPage:
    server_time: dt.datetime
    changes: tuple[Change, ...]
    next_cursor: str
    """Pass it back unchanged; it is the server's position, never a time."""
    has_more: bool


@dataclass(frozen=True)
class ReferenceData:
    dataset: ReferenceDataset
    etag: str | None
    server_time: dt.datetime


@dataclass(frozen=True)
class ReferenceNotModified:
    etag: str | None
    server_time: dt.datetime


@dataclass(frozen=True)
class ServerClock:
    """The answer to ``GET /v1/time``: also a cheap check of reachability and the token."""

    server_time: dt.datetime
    api_version: str
    office_code: str


@dataclass(frozen=True)
class Problem:
    """An RFC 9457 problem+json body."""

    type: str
    title: str
    status: int
    detail: str = ""
    code: str = ""
    retry_after: int | None = None
    server_time: dt.datetime | None = None
    extras: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class UploadState:
    """How much of an attachment the server holds (tus ``Upload-Offset``)."""

    sha256: str
    offset: int
    length: int

    @property
    def complete(self) -> bool:
        return self.offset >= self.length
