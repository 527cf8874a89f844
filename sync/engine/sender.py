"""Sending the outbox: lease a batch, look up what may already be there, send, record results.

One bad record never blocks the queue (it is quarantined with the server's
reason); a failure of the link or the service stops the pass and leaves the
batch pending with a backoff. After an ambiguous failure each record is
looked up by UUID before it is sent again, so even a server without
deduplication never receives a second copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from lapor_desktop.services.sync_store import ClaimedSubmission, StoredReceipt, SyncStore
from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Failure,
    Forbidden,
    MalformedResponse,
    NotFound,
    Rejected,
    RetryLater,
    TooLarge,
    Unauthorized,
    Unreachable,
    UntrustedReceipt,
)
from sync.adapters.service import NationalService
from sync.engine.backoff import Backoff
from sync.engine.outcomes import (
    AuthProblem,
    Cancelled,
    NeedsSignIn,
    Offline,
    PassOutcome,
    ServiceUnavailable,
    SyncSummary,
)
from sync.engine.progress import Progress
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
        batch_size: int,
    ) -> None:
        self._service = service
        self._store = store
        self._backoff = backoff
        self._clock = clock
        self.batch_size = batch_size

    def run(self, summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        """Send until the due queue is empty (None) or a failure stops the pass (its outcome)."""
        while not progress.cancelled:
            claimed = self._store.claim_submissions(self.batch_size)
            if not claimed:
                return None
            before = summary.sent + summary.already_present + summary.rejected + summary.conflicts
            stop = self._send(claimed, summary)
            after = summary.sent + summary.already_present + summary.rejected + summary.conflicts
            progress.add(records=after - before)
            progress.update(batch_size=self.batch_size)
            if stop is not None:
                return stop
        return Cancelled()

    def _send(
        self, claimed: Sequence[ClaimedSubmission], summary: SyncSummary
    ) -> PassOutcome | None:
        to_send: list[ClaimedSubmission] = []
        for position, entry in enumerate(claimed):
            if not entry.needs_lookup:
                to_send.append(entry)
                continue
            found = self._service.lookup(entry.client_uuid)
            if isinstance(found, NotFound):
                to_send.append(entry)
            elif isinstance(found, ComplaintRecord):
                self._record_found(entry, found, summary)
            else:
                return self._fail(found, [*to_send, *claimed[position:]])
        if not to_send:
            return None
        response = self._service.submit_batch(
            [SubmissionItem(e.client_uuid, e.content_hash, e.content) for e in to_send]
        )
        if not isinstance(response, BatchResponse):
            return self._refused(response, to_send)
        for result in response.results:
            self._record_result(to_send[result.index], result, summary)
        return None

    def _record_found(
        self, entry: ClaimedSubmission, found: ComplaintRecord, summary: SyncSummary
    ) -> None:
        if found.content_hash == entry.content_hash:
            self._store.mark_sent(entry.outbox_id, stored_receipt(found.receipt))
            summary.already_present += 1
        else:
            self._store.quarantine(entry.outbox_id, _conflict_reason(found.tracking_id, ""))
            summary.conflicts += 1

    def _record_result(
        self,
        entry: ClaimedSubmission,
        result: Accepted | Duplicate | Conflict | ItemRejected,
        summary: SyncSummary,
    ) -> None:
        if isinstance(result, Accepted):
            self._store.mark_sent(entry.outbox_id, stored_receipt(result.receipt))
            summary.sent += 1
        elif isinstance(result, Duplicate):
            self._store.mark_sent(entry.outbox_id, stored_receipt(result.receipt))
            summary.already_present += 1
        elif isinstance(result, Conflict):
            reason = _conflict_reason(result.tracking_id, result.detail)
            self._store.quarantine(entry.outbox_id, reason)
            summary.conflicts += 1
        else:
            where = f" ({result.field})" if result.field else ""
            self._store.quarantine(entry.outbox_id, f"{result.code}{where}: {result.reason}")
            summary.rejected += 1

    def _refused(self, failure: Failure, batch: Sequence[ClaimedSubmission]) -> PassOutcome | None:
        """A whole-batch refusal that smaller batches can get past, or a failure that stops."""
        shrinkable = isinstance(failure, TooLarge) or (
            isinstance(failure, Rejected) and failure.code in SHRINKING_CODES
        )
        if not shrinkable:
            return self._fail(failure, batch)
        if len(batch) > 1:
            self.batch_size = max(1, len(batch) // 2)
            self._store.release(e.outbox_id for e in batch)
            return None
        reason = failure.detail if isinstance(failure, Rejected) else "too large for the server"
        self._store.quarantine(batch[0].outbox_id, reason or type(failure).__name__)
        return None

    def _fail(self, failure: Failure, batch: Sequence[ClaimedSubmission]) -> PassOutcome:
        ids = [e.outbox_id for e in batch]
        now = self._clock()
        if isinstance(failure, Unauthorized | Forbidden | CertificateProblem):
            self._store.release(ids)
            return AuthProblem(failure)
        if isinstance(failure, UntrustedReceipt):
            # The server answered, so it may hold them: look up once the key is fixed.
            self._store.defer(ids, "untrusted receipt", now, maybe_delivered=True)
            return AuthProblem(failure)
        if isinstance(failure, CaptivePortal):
            self._store.release(ids)
            return NeedsSignIn(failure)
        attempts = 1 + max((e.attempts for e in batch), default=0)
        retry_after = failure.retry_after if isinstance(failure, RetryLater) else None
        retry_at = now + self._backoff.delay(attempts, retry_after)
        maybe = isinstance(failure, MalformedResponse) or (
            isinstance(failure, Unreachable) and failure.maybe_delivered
        )
        self._store.defer(ids, _describe(failure), retry_at, maybe_delivered=maybe)
        if isinstance(failure, Unreachable):
            return Offline(failure.reason, retry_at)
        return ServiceUnavailable(failure, retry_at)


def _conflict_reason(tracking_id: str, detail: str) -> str:
    text = f"conflict: LAPOR! holds other content under this UUID ({tracking_id})"
    return f"{text}: {detail}" if detail else text


def _describe(failure: Failure) -> str:
    """A log-safe description: the failure's type and status, never personal data."""
    status = getattr(failure, "status", None)
    return type(failure).__name__ if status is None else f"{type(failure).__name__} {status}"
