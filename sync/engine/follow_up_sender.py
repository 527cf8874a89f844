"""Posting follow-up notes once their complaint was accepted, idempotent by the note's UUID.

Resending after an ambiguous failure is safe: the server answers
``duplicate`` for the same UUID and text. Another text under the same UUID
(409) or a complaint the server does not hold is set aside for a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from lapor_desktop.services.sync_store import BatchResults, ClaimedFollowUp, SyncStore
from sync.adapters.outcomes import NotFound, Rejected
from sync.adapters.service import NationalService
from sync.engine.backoff import Backoff
from sync.engine.failures import settle_failure
from sync.engine.outcomes import Cancelled, PassOutcome, SyncSummary
from sync.engine.progress import Progress
from sync.protocol.messages import FollowUp, FollowUpResult

CLAIM = 50
NOT_HELD = "LAPOR! does not hold the complaint of this follow-up"


class FollowUpSender:
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
        """Post due notes until none is left (None) or a failure stops the pass."""
        while not progress.cancelled:
            claimed = self._store.claim_follow_ups(CLAIM)
            if not claimed:
                return None
            results = BatchResults()
            stop = self._post(claimed, summary, results, progress)
            self._store.record(results)
            progress.add(records=len(results.delivered) + len(results.quarantined))
            if stop is not None:
                return stop
        return Cancelled()

    def _post(
        self,
        claimed: Sequence[ClaimedFollowUp],
        summary: SyncSummary,
        results: BatchResults,
        progress: Progress,
    ) -> PassOutcome | None:
        for position, note in enumerate(claimed):
            if progress.cancelled:
                self._store.release(n.outbox_id for n in claimed[position:])
                return Cancelled()
            sent_before = self._service.bytes_sent
            answer = self._service.post_message(
                note.complaint_uuid, FollowUp(note.message_uuid, note.text, note.written_at)
            )
            progress.add(sent_bytes=self._service.bytes_sent - sent_before)
            if isinstance(answer, FollowUpResult):
                results.delivered.append(note.outbox_id)
                summary.follow_ups_sent += 1
            elif isinstance(answer, NotFound | Rejected):
                reason = NOT_HELD
                if isinstance(answer, Rejected):
                    reason = f"{answer.code}: {answer.detail}" if answer.detail else answer.code
                results.quarantined[note.outbox_id] = reason
                summary.rejected += 1
            else:
                return settle_failure(
                    self._store,
                    answer,
                    [(n.outbox_id, n.attempts) for n in claimed[position:]],
                    backoff=self._backoff,
                    now=self._clock(),
                )
        return None
