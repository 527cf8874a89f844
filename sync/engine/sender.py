"""Sending the outbox: lease a batch, look up what may already be there, send, record results.

One bad record never blocks the queue (it is quarantined with the server's
reason); a failure of the link or the service stops the pass and leaves the
batch pending with a backoff. After an ambiguous failure each record is
looked up by UUID before it is sent again, so even a server without
deduplication never receives a second copy. Each batch's results are
written in one transaction; the batch size follows the link (``BatchSizer``).

On a fast link the local work (building a batch's content, recording its
results) costs as much as the exchange, so the work runs as a pipeline: the
caller's thread claims the next batch while one worker thread does the
exchange (the receipts' verification runs outside the GIL) and another
records the previous batch's results. A lease is what makes a record count
as possibly sent, so a process killed mid-pass then looks up to three
batches up before resending them. On a slow link (exchanges over
``overlap_below_seconds``) no batch is claimed ahead: each lookup there
would cost a round trip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

from lapor_desktop.services.sync_store import (
    BatchResults,
    ClaimedSubmission,
    StoredReceipt,
    SyncStore,
)
from sync.adapters.outcomes import Failure, NotFound, Rejected, TooLarge, Unreachable
from sync.adapters.service import NationalService
from sync.engine.backoff import Backoff
from sync.engine.batch_size import BatchSizer
from sync.engine.failures import settle_failure
from sync.engine.outcomes import Cancelled, PassOutcome, SyncSummary
from sync.engine.progress import Phase, Progress
from sync.protocol.messages import (
    Accepted,
    BatchResponse,
    ComplaintRecord,
    Conflict,
    Duplicate,
    ItemRejected,
    Receipt,
    SubmissionItem,
)

SHRINKING_CODES = frozenset({"too-many-items", "malformed-request"})
"""Whole-batch refusals that a smaller batch (down to one record) can get past."""


def stored_receipt(receipt: Receipt) -> StoredReceipt:
    return StoredReceipt(
        client_uuid=receipt.client_uuid,
        content_hash=receipt.content_hash,
        tracking_id=receipt.tracking_id,
        server_time=receipt.server_time,
        key_id=receipt.key_id,
        signature=receipt.signature,
    )


class Sender:
    def __init__(
        self,
        service: NationalService,
        store: SyncStore,
        *,
        backoff: Backoff,
        clock: Callable[[], dt.datetime],
        sizer: BatchSizer,
        timer: Callable[[], float],
        overlap_below_seconds: float = 1.0,
    ) -> None:
        self._service = service
        self._store = store
        self._backoff = backoff
        self._clock = clock
        self.sizer = sizer
        self._timer = timer
        self._overlap_below = overlap_below_seconds
        self._exchange_seconds: float | None = None
        """How long the last batch exchange took (None before the first)."""

    @property
    def batch_size(self) -> int:
        return self.sizer.size

    def run(self, summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        """Send until the due queue is empty (None) or a failure stops the pass (its outcome)."""
        claimed = self._claim(progress)
        if not claimed:
            return Cancelled() if progress.cancelled else None
        recording: list[Future[None]] = []
        try:
            with (
                ThreadPoolExecutor(1, thread_name_prefix="lapor-sync-send") as link,
                ThreadPoolExecutor(1, thread_name_prefix="lapor-sync-record") as ledger,
            ):
                while claimed:
                    results = BatchResults()
                    sending = link.submit(self._send, claimed, summary, results, progress)
                    ahead = self._claim(progress) if self._overlapping() else None
                    stop = sending.result()
                    recording.append(ledger.submit(self._record, results, progress))
                    if ahead and (stop is not None or len(ahead) > self.sizer.size):
                        # Stopped, or the server wants smaller batches: give the leases back.
                        self._store.release(e.outbox_id for e in ahead)
                        ahead = None
                    if stop is not None:
                        return stop
                    if ahead is None:
                        wait(recording)
                        ahead = self._claim(progress)
                    claimed = ahead
        finally:
            for recorded in recording:
                recorded.result()  # all written by now; raises what failed
        return Cancelled() if progress.cancelled else None

    def _claim(self, progress: Progress) -> list[ClaimedSubmission]:
        return [] if progress.cancelled else self._store.claim_submissions(self.sizer.size)

    def _overlapping(self) -> bool:
        """Whether to claim the next batch during an exchange, which a fast link only repays."""
        return self._exchange_seconds is not None and self._exchange_seconds < self._overlap_below

    def _record(self, results: BatchResults, progress: Progress) -> None:
        self._store.record(results)
        progress.add(records=len(results.receipts) + len(results.quarantined))
        progress.update(batch_size=self.sizer.size)

    def _send(
        self,
        claimed: Sequence[ClaimedSubmission],
        summary: SyncSummary,
        results: BatchResults,
        progress: Progress,
    ) -> PassOutcome | None:
        to_send: list[ClaimedSubmission] = []
        for position, entry in enumerate(claimed):
            if not entry.needs_lookup:
                to_send.append(entry)
                continue
            if progress.cancelled:
                self._store.release(e.outbox_id for e in [*to_send, *claimed[position:]])
                return Cancelled()
            progress.update(phase=Phase.CHECKING)
            found = self._service.lookup(entry.client_uuid)
            if isinstance(found, NotFound):
                to_send.append(entry)
            elif isinstance(found, ComplaintRecord):
                _record_found(entry, found, summary, results)
            else:
                return self._fail(found, [*to_send, *claimed[position:]])
        progress.update(phase=Phase.SENDING)
        if not to_send:
            return None
        if progress.cancelled:
            self._store.release(e.outbox_id for e in to_send)
            return Cancelled()
        sent_before, started = self._service.bytes_sent, self._timer()
        response = self._service.submit_batch(
            [SubmissionItem(e.client_uuid, e.content_hash, e.content) for e in to_send]
        )
        self._exchange_seconds = self._timer() - started
        progress.add(sent_bytes=self._service.bytes_sent - sent_before)
        if not isinstance(response, BatchResponse):
            return self._refused(response, to_send)
        self.sizer.observe(len(to_send), self._exchange_seconds)
        for result in response.results:
            _record_result(to_send[result.index], result, summary, results)
        return None

    def _refused(self, failure: Failure, batch: Sequence[ClaimedSubmission]) -> PassOutcome | None:
        """A whole-batch refusal that smaller batches can get past, or a failure that stops."""
        shrinkable = isinstance(failure, TooLarge) or (
            isinstance(failure, Rejected) and failure.code in SHRINKING_CODES
        )
        if not shrinkable:
            if isinstance(failure, Unreachable) and failure.timed_out:
                self.sizer.timed_out()
            return self._fail(failure, batch)
        if len(batch) > 1:
            self.sizer.refused(len(batch))
            self._store.release(e.outbox_id for e in batch)
            return None
        reason = failure.detail if isinstance(failure, Rejected) else "too large for the server"
        self._store.quarantine(batch[0].outbox_id, reason or type(failure).__name__)
        return None

    def _fail(self, failure: Failure, batch: Sequence[ClaimedSubmission]) -> PassOutcome:
        return settle_failure(
            self._store,
            failure,
            [(e.outbox_id, e.attempts) for e in batch],
            backoff=self._backoff,
            now=self._clock(),
        )


def _record_found(
    entry: ClaimedSubmission, found: ComplaintRecord, summary: SyncSummary, results: BatchResults
) -> None:
    if found.content_hash == entry.content_hash:
        results.receipts[entry.outbox_id] = stored_receipt(found.receipt)
        summary.already_present += 1
    else:
        results.quarantined[entry.outbox_id] = _conflict_reason(found.tracking_id, "")
        summary.conflicts += 1


def _record_result(
    entry: ClaimedSubmission,
    result: Accepted | Duplicate | Conflict | ItemRejected,
    summary: SyncSummary,
    results: BatchResults,
) -> None:
    if isinstance(result, Accepted):
        results.receipts[entry.outbox_id] = stored_receipt(result.receipt)
        summary.sent += 1
    elif isinstance(result, Duplicate):
        results.receipts[entry.outbox_id] = stored_receipt(result.receipt)
        summary.already_present += 1
    elif isinstance(result, Conflict):
        results.quarantined[entry.outbox_id] = _conflict_reason(result.tracking_id, result.detail)
        summary.conflicts += 1
    else:
        where = f" ({result.field})" if result.field else ""
        results.quarantined[entry.outbox_id] = f"{result.code}{where}: {result.reason}"
        summary.rejected += 1


def _conflict_reason(tracking_id: str, detail: str) -> str:
    text = f"conflict: LAPOR! holds other content under this UUID ({tracking_id})"
    return f"{text}: {detail}" if detail else text
