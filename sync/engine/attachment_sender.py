"""Uploading attachments after their complaint was accepted, resumably, one file at a time.

The server's offset is the only memory of an upload (``HEAD`` first, then
the rest), so a dropped connection, a killed process or a reboot costs at
most the part that was in flight. Files are read decrypted from the
encrypted store one chunk at a time, never whole in memory. A file that is
missing or damaged on this computer, or that the server refuses, is
quarantined; a link or service failure waits with a backoff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import BinaryIO

from lapor_desktop.security.keys import DecryptionError
from lapor_desktop.services.sync_store import BatchResults, ClaimedUpload, SyncStore
from sync.adapters.outcomes import Rejected, TooLarge
from sync.adapters.service import AttachmentSource, NationalService
from sync.engine.backoff import Backoff
from sync.engine.failures import settle_failure
from sync.engine.outcomes import Cancelled, PassOutcome, SyncSummary
from sync.engine.progress import Progress
from sync.protocol.messages import UploadState

CHECKSUM_RETRIES = 2
"""A file the server found corrupt is read and sent again this often before a person looks."""
FILE_MISSING = "the attachment file is missing from this computer"
FILE_DAMAGED = "the attachment file on this computer is damaged"


class _CountingReader:
    """Passes reads through and reports each part's size, so progress moves during a file."""

    def __init__(self, inner: BinaryIO, on_read: Callable[[int], None]) -> None:
        self._inner = inner
        self._on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._on_read(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)


class AttachmentSender:
    def __init__(
        self,
        service: NationalService,
        store: SyncStore,
        *,
        backoff: Backoff,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._service = service
        self._store = store
        self._backoff = backoff
        self._clock = clock

    def run(self, summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        """Upload due files until none is left (None) or a failure stops the pass."""
        while not progress.cancelled:
            claimed = self._store.claim_uploads(1)
            if not claimed:
                return None
            stop = self._upload(claimed[0], summary, progress)
            if stop is not None:
                return stop
        return Cancelled()

    def _upload(
        self, entry: ClaimedUpload, summary: SyncSummary, progress: Progress
    ) -> PassOutcome | None:
        try:
            with self._store.open_attachment(entry.sha256) as plain:
                source = AttachmentSource(
                    sha256=entry.sha256,
                    length=entry.size_bytes,
                    stream=_CountingReader(plain, lambda n: progress.add(sent_bytes=n)),  # type: ignore[arg-type]
                    complaint_uuid=entry.complaint_uuid,
                    filename=entry.filename,
                    media_type=entry.media_type,
                    cancelled=lambda: progress.cancelled,
                )
                state = self._service.upload_attachment(source)
        except FileNotFoundError:
            return self._set_aside(entry, FILE_MISSING, summary)
        except DecryptionError:
            return self._set_aside(entry, FILE_DAMAGED, summary)
        if isinstance(state, UploadState):
            if not state.complete:  # cancelled between parts
                self._store.release([entry.outbox_id])
                return Cancelled()
            self._store.record(BatchResults(delivered=[entry.outbox_id]))
            summary.attachments_sent += 1
            progress.add(records=1)
            return None
        if isinstance(state, TooLarge):
            return self._set_aside(entry, "larger than LAPOR! accepts", summary)
        retry = isinstance(state, Rejected) and state.code == "checksum-mismatch"
        if isinstance(state, Rejected) and (not retry or entry.attempts >= CHECKSUM_RETRIES):
            return self._set_aside(entry, f"{state.code}: {state.detail}".rstrip(": "), summary)
        return settle_failure(
            self._store,
            state,
            [(entry.outbox_id, entry.attempts)],
            backoff=self._backoff,
            now=self._clock(),
        )

    def _set_aside(
        self, entry: ClaimedUpload, reason: str, summary: SyncSummary
    ) -> PassOutcome | None:
        """Quarantined for a person; the pass goes on with the next file."""
        self._store.record(BatchResults(quarantined={entry.outbox_id: reason}))
        summary.rejected += 1
        return None
