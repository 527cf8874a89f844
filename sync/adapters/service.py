"""``NationalService``: the interface the sync engine uses, whatever the wire format.

A new gateway (another JSON dialect, the old XML endpoint) is another class
with these methods; the engine does not change. Every method returns a
value or a typed failure (``outcomes``); none raises for an expected
situation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from sync.adapters.outcomes import Failure, NotFound
from sync.protocol.messages import (
    BatchResponse,
    ChangesPage,
    ComplaintRecord,
    FollowUp,
    FollowUpResult,
    ReferenceData,
    ReferenceNotModified,
    ServerClock,
    SubmissionItem,
    UploadState,
)


@dataclass(frozen=True)
class ServerTimeSample:
    """The server's time as last reported, with the local clock's reading when it arrived."""

    server_time: dt.datetime
    local_time: dt.datetime

    @property
    def offset(self) -> dt.timedelta:
        """Server minus local: positive when this PC's clock is behind."""
        return self.server_time - self.local_time


@dataclass(frozen=True)
class AttachmentSource:
    """An attachment to upload: its content address, size and a way to read its bytes."""

    sha256: str
    length: int
    stream: BinaryIO
    """Plain bytes of the file; seekable streams resume without reading the skipped part."""
    complaint_uuid: str | None = None
    filename: str = ""
    media_type: str = "application/octet-stream"
    cancelled: Callable[[], bool] = field(default=lambda: False)
    """Checked between parts: when true the upload stops, incomplete, at a clean point."""


class NationalService(Protocol):
    def submit_batch(self, items: Sequence[SubmissionItem]) -> BatchResponse | Failure: ...

    def lookup(self, client_uuid: str) -> ComplaintRecord | NotFound | Failure: ...

    def post_message(
        self, client_uuid: str, message: FollowUp
    ) -> FollowUpResult | NotFound | Failure: ...

    def changes(self, cursor: str | None, limit: int) -> ChangesPage | Failure: ...

    def reference_data(
        self, etag: str | None
    ) -> ReferenceData | ReferenceNotModified | Failure: ...

    def upload_offset(self, sha256: str) -> UploadState | NotFound | Failure: ...

    def upload_attachment(self, source: AttachmentSource) -> UploadState | Failure: ...

    def server_time(self) -> ServerClock | Failure: ...

    @property
    def last_server_time(self) -> ServerTimeSample | None:
        """From the latest answer of any kind, so every sync can record the clock offset."""
        ...

    @property
    def bytes_sent(self) -> int:
        """Request bodies sent so far (compressed, as on the wire): for progress and pacing."""
        ...
