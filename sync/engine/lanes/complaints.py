"""The complaint lane: look up what may already be there, send a batch, read each result.

One bad record never blocks the queue (it is set aside with the server's reason); a
failure of the link or the service stops the pass and leaves the batch pending with a
backoff (the loop's). After an ambiguous failure each record is looked up by UUID
before it is sent again, so even a server without deduplication never receives a
second copy. The batch size follows the link (``BatchSizer``), and the lane asks the
loop to claim ahead only when exchanges are fast: on a slow link each look-up a kill
would cause costs a round trip.

A 413 is first taken for a limit of the link (a proxy's) rather than of the record:
the batch shrinks down to one record, and when that one alone is refused, one more
record is sent alone. Only when that small request passes is the refused record set
aside, with its size; when it is refused too, everything waits with the backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lapor_desktop.services.sync_store import ClaimedSubmission, StoredReceipt, SyncStore
from sync.adapters.outcomes import Failure, NotFound, Rejected, TooLarge, Unreachable
from sync.adapters.service import NationalService
from sync.engine.batch_size import BatchSizer
from sync.engine.lanes.loop import Delivered, Exchange, SetAside, Tally
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


class ComplaintLane:
    """``timer`` (monotonic seconds) measures exchanges, for the sizer and the pipeline."""

    def __init__(
        self,
        service: NationalService,
        store: SyncStore,
        *,
        sizer: BatchSizer,
        timer: Callable[[], float],
        overlap_below_seconds: float = 1.0,
    ) -> None:
        self._service = service
        self._store = store
        self.sizer = sizer
        self._timer = timer
        self._overlap_below = overlap_below_seconds
        self._exchange_seconds: float | None = None
        """How long the last batch exchange took (None before the first)."""

    @property
    def batch_size(self) -> int:
        return self.sizer.size

    @property
    def claims_ahead(self) -> bool:
        return self._exchange_seconds is not None and self._exchange_seconds < self._overlap_below

    def claim(self, limit: int) -> list[ClaimedSubmission]:
        return self._store.claim_submissions(limit)

    def send(self, batch: Sequence[ClaimedSubmission], progress: Progress) -> Exchange:
        exchange = self._exchange(batch, progress)
        progress.update(batch_size=self.sizer.size)
        return exchange

    def _exchange(
        self, batch: Sequence[ClaimedSubmission], progress: Progress, *, probing: bool = False
    ) -> Exchange:
        exchange = Exchange()
        to_send: list[ClaimedSubmission] = []
        for entry in batch:
            if not entry.needs_lookup:
                to_send.append(entry)
                continue
            if progress.cancelled:
                return exchange
            progress.update(phase=Phase.CHECKING)
            found = self._service.lookup(entry.client_uuid)
            if isinstance(found, NotFound):
                to_send.append(entry)
            elif isinstance(found, ComplaintRecord):
                exchange.verdicts[entry.outbox_id] = _found(entry, found)
            else:
                exchange.failure = found
                return exchange
        progress.update(phase=Phase.SENDING)
        if not to_send or progress.cancelled:
            return exchange
        sent_before, started = self._service.bytes_sent, self._timer()
        response = self._service.submit_batch(
            [SubmissionItem(e.client_uuid, e.content_hash, e.content) for e in to_send]
        )
        self._exchange_seconds = self._timer() - started
        sent = self._service.bytes_sent - sent_before
        progress.add(sent_bytes=sent)
        if not isinstance(response, BatchResponse):
            if probing:
                exchange.failure = response
                return exchange
            return self._refused(response, to_send, exchange, sent, progress)
        self.sizer.observe(len(to_send), self._exchange_seconds)
        for result in response.results:
            entry = to_send[result.index]
            exchange.verdicts[entry.outbox_id] = _verdict(result)
        return exchange

    def _refused(
        self,
        failure: Failure,
        batch: Sequence[ClaimedSubmission],
        exchange: Exchange,
        sent: int,
        progress: Progress,
    ) -> Exchange:
        """A whole-batch refusal that smaller batches can get past, or a failure that stops.

        ``sent``: the refused request's body, in bytes as sent.
        """
        shrinkable = isinstance(failure, TooLarge) or (
            isinstance(failure, Rejected) and failure.code in SHRINKING_CODES
        )
        if not shrinkable:
            if isinstance(failure, Unreachable) and failure.timed_out:
                self.sizer.timed_out()
            exchange.failure = failure
        elif len(batch) > 1:
            self.sizer.refused(len(batch))  # the leases go back: claimed again, fewer
        elif isinstance(failure, TooLarge):
            self._alone_too_large(failure, batch[0], exchange, sent, progress)
        else:
            reason = failure.detail if isinstance(failure, Rejected) else ""
            exchange.verdicts[batch[0].outbox_id] = SetAside(
                reason or type(failure).__name__, tally=None
            )
        return exchange

    def _alone_too_large(
        self,
        failure: TooLarge,
        entry: ClaimedSubmission,
        exchange: Exchange,
        sent: int,
        progress: Progress,
    ) -> None:
        """One record alone got a 413: do small requests pass? One more record, alone, says."""
        probe = self._store.claim_submissions(1)
        if not probe:
            exchange.failure = failure  # nothing to compare with: wait, as for a link limit
            return
        exchange.extra.extend(probe)
        before = self._service.bytes_sent
        tried = self._exchange(probe, progress, probing=True)
        probe_bytes = self._service.bytes_sent - before
        exchange.verdicts.update(tried.verdicts)
        if tried.failure is not None:
            exchange.failure = tried.failure  # refused too: a limit of the link, not the record
        elif probe[0].outbox_id in tried.verdicts and 0 < probe_bytes < sent:
            exchange.verdicts[entry.outbox_id] = SetAside(
                f"too large to send: {sent} bytes as sent, refused (413) alone "
                f"while a request of {probe_bytes} bytes passed"
            )


def _found(entry: ClaimedSubmission, found: ComplaintRecord) -> Delivered | SetAside:
    if found.content_hash == entry.content_hash:
        return Delivered(stored_receipt(found.receipt), Tally.ALREADY_PRESENT)
    return SetAside(conflict_reason(found.tracking_id, ""), Tally.CONFLICTS)


def _verdict(result: Accepted | Duplicate | Conflict | ItemRejected) -> Delivered | SetAside:
    if isinstance(result, Accepted):
        return Delivered(stored_receipt(result.receipt), Tally.SENT)
    if isinstance(result, Duplicate):
        return Delivered(stored_receipt(result.receipt), Tally.ALREADY_PRESENT)
    if isinstance(result, Conflict):
        return SetAside(conflict_reason(result.tracking_id, result.detail), Tally.CONFLICTS)
    where = f" ({result.field})" if result.field else ""
    return SetAside(f"{result.code}{where}: {result.reason}", Tally.REJECTED)


def conflict_reason(tracking_id: str, detail: str) -> str:
    """Why a complaint is set aside when LAPOR! holds other content under its UUID."""
    text = f"conflict: LAPOR! holds other content under this UUID ({tracking_id})"
    return f"{text}: {detail}" if detail else text
