"""The follow-up lane: notes of accepted complaints, posted idempotently by the note's UUID.

Resending after an ambiguous failure is safe: the server answers ``duplicate`` for
the same UUID and text. Another text under the same UUID (409) or a complaint the
server does not hold is set aside for a person.
"""

from __future__ import annotations

from collections.abc import Sequence

from lapor_desktop.services.sync_store import ClaimedFollowUp, SyncStore
from sync.adapters.outcomes import NotFound, Rejected
from sync.adapters.service import NationalService
from sync.engine.lanes.loop import Delivered, Exchange, SetAside, Tally
from sync.engine.progress import Progress
from sync.protocol.messages import FollowUp, FollowUpResult

CLAIM = 50
NOT_HELD = "LAPOR! does not hold the complaint of this follow-up"


class FollowUpLane:
    batch_size = CLAIM
    claims_ahead = False

    def __init__(self, service: NationalService, store: SyncStore) -> None:
        self._service = service
        self._store = store

    def claim(self, limit: int) -> list[ClaimedFollowUp]:
        return self._store.claim_follow_ups(limit)

    def send(self, batch: Sequence[ClaimedFollowUp], progress: Progress) -> Exchange:
        exchange = Exchange()
        for note in batch:
            if progress.cancelled:
                break
            sent_before = self._service.bytes_sent
            answer = self._service.post_message(
                note.complaint_uuid, FollowUp(note.message_uuid, note.text, note.written_at)
            )
            progress.add(sent_bytes=self._service.bytes_sent - sent_before)
            if isinstance(answer, FollowUpResult):
                exchange.verdicts[note.outbox_id] = Delivered(tally=Tally.FOLLOW_UPS_SENT)
            elif isinstance(answer, NotFound):
                exchange.verdicts[note.outbox_id] = SetAside(NOT_HELD)
            elif isinstance(answer, Rejected):
                reason = f"{answer.code}: {answer.detail}" if answer.detail else answer.code
                exchange.verdicts[note.outbox_id] = SetAside(reason)
            else:
                exchange.failure = answer
                break
        return exchange
