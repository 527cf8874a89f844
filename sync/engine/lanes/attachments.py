"""The attachment lane: files of accepted complaints, uploaded resumably, one at a time.

The server's offset is the only memory of an upload (``HEAD`` first, then the rest),
so a dropped connection, a killed process or a reboot costs at most the part that was
in flight. Files are read decrypted from the encrypted store one chunk at a time,
never whole in memory. A file that is missing or damaged on this computer, or that
the server refuses, is set aside; a link or service failure waits with the loop's backoff.
A 413 sets a file aside only when the server named a maximum that the file exceeds;
otherwise it is a limit of the link (a proxy's), waited out like any link failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import BinaryIO

from lapor_desktop.security.keys import DecryptionError
from lapor_desktop.services.sync_store import ClaimedUpload, SyncStore
from sync.adapters.outcomes import Failure, Rejected, TooLarge, Unreachable
from sync.adapters.service import AttachmentSource, NationalService
from sync.engine.lanes.loop import Delivered, Exchange, SetAside, Tally
from sync.engine.progress import Progress
from sync.protocol.messages import UploadState

CHECKSUM_RETRIES = 2
"""A file the server found corrupt is read and sent again this often before a person looks."""
MAX_RESUMES = 256
"""Resets one file may live through in one pass (each one with progress)."""
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


class AttachmentLane:
    batch_size = 1
    claims_ahead = False

    def __init__(self, service: NationalService, store: SyncStore) -> None:
        self._service = service
        self._store = store

    def claim(self, limit: int) -> list[ClaimedUpload]:
        return self._store.claim_uploads(limit)

    def send(self, batch: Sequence[ClaimedUpload], progress: Progress) -> Exchange:
        exchange = Exchange()
        for entry in batch:
            if progress.cancelled:
                break
            self._upload(entry, exchange, progress)
            if exchange.failure is not None:
                break
        return exchange

    def _upload(self, entry: ClaimedUpload, exchange: Exchange, progress: Progress) -> None:
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
                state = resumed_upload(self._service, source)
        except FileNotFoundError:
            exchange.verdicts[entry.outbox_id] = SetAside(FILE_MISSING)
            return
        except DecryptionError:
            exchange.verdicts[entry.outbox_id] = SetAside(FILE_DAMAGED)
            return
        if isinstance(state, UploadState):
            if state.complete:  # not complete: cancelled between parts, the lease goes back
                exchange.verdicts[entry.outbox_id] = Delivered(tally=Tally.ATTACHMENTS_SENT)
        elif isinstance(state, TooLarge) and _beyond(entry.size_bytes, state):
            exchange.verdicts[entry.outbox_id] = SetAside(
                f"larger than LAPOR! accepts: {entry.size_bytes} bytes, at most {state.max_bytes}"
            )
        elif isinstance(state, Rejected) and (
            state.code != "checksum-mismatch" or entry.attempts >= CHECKSUM_RETRIES
        ):
            reason = f"{state.code}: {state.detail}".rstrip(": ")
            exchange.verdicts[entry.outbox_id] = SetAside(reason)
        else:
            exchange.failure = state


def resumed_upload(service: NationalService, source: AttachmentSource) -> UploadState | Failure:
    """The upload, resumed at once after a reset as long as the server's offset grows.

    The uploader gives up when one part got nothing through; on a link that resets
    every few hundred KB, the server's kernel may have thrown a whole part away
    while the server was still catching up. One more try settles it: a dead link
    fails it at once, a flaky one moves the offset on. (Attachments and relayed bundles.)
    """
    held = -1
    for _ in range(MAX_RESUMES):
        state = service.upload_attachment(source)
        if not _reset(state) or source.cancelled():
            return state
        found = service.upload_offset(source.sha256)
        if not isinstance(found, UploadState) or found.offset <= held:
            return state
        held = found.offset
    return state


def _reset(state: UploadState | Failure) -> bool:
    """A connection reset or refused, not a silent link (that one waits for the backoff)."""
    return isinstance(state, Unreachable) and not state.timed_out


def _beyond(size: int, refusal: TooLarge) -> bool:
    return refusal.max_bytes is not None and size > refusal.max_bytes
