"""The one send-and-record loop every outbox lane runs: claim, send, record; retry and set aside.

A lane says only what it claims (``claim``) and how one batch goes out (``send``),
answering per entry: delivered, set aside for a person, or carried off (a bundle).
The loop does the rest for every lane alike: leases, recording a batch's results in
one transaction, backoff with jitter and Retry-After for what a failure left
(``settle_failure``), releasing what a cancelled pass never tried, and quarantine.

On a fast link the local work (claiming a batch, recording the last) costs as much
as the exchange, so a lane may ask for a pipeline (``claims_ahead``): the caller's
thread claims the next batch while one worker thread does the exchange and another
records the previous batch's results. A lease is what makes a record count as
possibly sent, so a process killed mid-pass then looks up to three batches up
before resending them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from lapor_desktop.services.outbox_leases import Leased
from lapor_desktop.services.sync_store import BatchResults, StoredReceipt, SyncStore
from sync.adapters.outcomes import Failure
from sync.engine.backoff import Backoff
from sync.engine.failures import settle_failure
from sync.engine.outcomes import Cancelled, PassOutcome, SyncSummary
from sync.engine.progress import Progress


class Tally(enum.StrEnum):
    """Which count of the pass's summary an entry adds to (each value names its field)."""

    SENT = "sent"
    ALREADY_PRESENT = "already_present"
    REJECTED = "rejected"
    CONFLICTS = "conflicts"
    ATTACHMENTS_SENT = "attachments_sent"
    FOLLOW_UPS_SENT = "follow_ups_sent"
    BUNDLES_RELAYED = "bundles_relayed"


@dataclass(frozen=True)
class Delivered:
    """The national service holds it; ``receipt`` for a complaint (tracking ID and signature)."""

    receipt: StoredReceipt | None = None
    tally: Tally = Tally.SENT


@dataclass(frozen=True)
class SetAside:
    """Quarantined for a person with the reason; the rest of the queue goes on."""

    reason: str
    tally: Tally | None = Tally.REJECTED


@dataclass(frozen=True)
class Carried:
    """Handed to a carrier (a sealed bundle): it keeps its lease until a receipt comes back."""


Verdict = Delivered | SetAside | Carried


@dataclass
class Exchange:
    """What one batch's sending settled, by outbox ID.

    Entries without a verdict are left to the loop: with ``failure`` they are counted
    as failed attempts and wait (the pass stops); without, their leases go back untried
    (a cancelled pass, or a batch the server wants smaller).
    """

    verdicts: dict[int, Verdict] = field(default_factory=dict)
    failure: Failure | None = None
    extra: list[Leased] = field(default_factory=list)
    """Entries the lane claimed itself during the exchange (a probe): settled like the batch."""


E = TypeVar("E", bound=Leased)


class Lane(Protocol[E]):
    """One kind of outbox entry and its route to the national service."""

    @property
    def batch_size(self) -> int:
        """How many entries the next claim takes."""
        ...

    @property
    def claims_ahead(self) -> bool:
        """Whether to claim the next batch during an exchange (a fast link only repays it)."""
        ...

    def claim(self, limit: int) -> list[E]: ...

    def send(self, batch: Sequence[E], progress: Progress) -> Exchange:
        """Send one batch, checking ``progress.cancelled`` between requests."""
        ...


@dataclass(frozen=True)
class PlainLane(Generic[E]):
    """A lane that is only a claim and a send function, a batch at a time: the common case."""

    claim_entries: Callable[[int], list[E]]
    send_batch: Callable[[Sequence[E], Progress], Exchange]
    batch_size: int = 50
    claims_ahead: bool = False

    def claim(self, limit: int) -> list[E]:
        return self.claim_entries(limit)

    def send(self, batch: Sequence[E], progress: Progress) -> Exchange:
        return self.send_batch(batch, progress)


class LaneLoop:
    """Runs lanes over one store with one backoff; what it learns stays in the lanes."""

    def __init__(
        self, store: SyncStore, *, backoff: Backoff, clock: Callable[[], dt.datetime]
    ) -> None:
        self._store = store
        self._backoff = backoff
        self._clock = clock

    def run(self, lane: Lane[E], summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        """Send until the lane has nothing due (None) or a failure stops the pass (its outcome)."""
        claimed = self._claim(lane, progress)
        if not claimed:
            return Cancelled() if progress.cancelled else None
        recording: list[Future[None]] = []
        try:
            with (
                ThreadPoolExecutor(1, thread_name_prefix="lapor-sync-send") as link,
                ThreadPoolExecutor(1, thread_name_prefix="lapor-sync-record") as ledger,
            ):
                while claimed:
                    sending = link.submit(self._exchange, lane, claimed, summary, progress)
                    ahead = self._claim(lane, progress) if lane.claims_ahead else None
                    results, stop = sending.result()
                    recording.append(ledger.submit(self._record, results, progress))
                    if ahead and (stop is not None or len(ahead) > lane.batch_size):
                        # Stopped, or the server wants smaller batches: give the leases back.
                        self._store.release(e.outbox_id for e in ahead)
                        ahead = None
                    if stop is not None:
                        return stop
                    if ahead is None:
                        wait(recording)
                        ahead = self._claim(lane, progress)
                    claimed = ahead
        finally:
            for recorded in recording:
                recorded.result()  # all written by now; raises what failed
        return Cancelled() if progress.cancelled else None

    def _claim(self, lane: Lane[E], progress: Progress) -> list[E]:
        return [] if progress.cancelled else lane.claim(lane.batch_size)

    def _exchange(
        self, lane: Lane[E], batch: Sequence[E], summary: SyncSummary, progress: Progress
    ) -> tuple[BatchResults, PassOutcome | None]:
        exchange = lane.send(batch, progress)
        results = _results(exchange.verdicts, summary)
        carried: list[Leased] = [*batch, *exchange.extra]
        left = [e for e in carried if e.outbox_id not in exchange.verdicts]
        if exchange.failure is not None and progress.aborted:
            # Cut on purpose, not by the link: free at once, looked up before a resend.
            ids = [e.outbox_id for e in left]
            self._store.defer(ids, "stopped while sending", self._clock(), maybe_delivered=True)
            return results, Cancelled()
        if exchange.failure is not None:
            stop = settle_failure(
                self._store,
                exchange.failure,
                [(e.outbox_id, e.attempts) for e in left],
                backoff=self._backoff,
                now=self._clock(),
            )
            return results, stop
        if left:
            self._store.release(e.outbox_id for e in left)
        return results, Cancelled() if left and progress.cancelled else None

    def _record(self, results: BatchResults, progress: Progress) -> None:
        self._store.record(results)
        progress.add(
            records=len(results.receipts) + len(results.delivered) + len(results.quarantined)
        )


def _results(verdicts: Mapping[int, Verdict], summary: SyncSummary) -> BatchResults:
    results = BatchResults()
    for outbox_id, verdict in verdicts.items():
        tally: Tally | None = None
        if isinstance(verdict, Delivered):
            if verdict.receipt is not None:
                results.receipts[outbox_id] = verdict.receipt
            else:
                results.delivered.append(outbox_id)
            tally = verdict.tally
        elif isinstance(verdict, SetAside):
            results.quarantined[outbox_id] = verdict.reason
            tally = verdict.tally
        if tally is not None:
            setattr(summary, tally.value, getattr(summary, tally.value) + 1)
    return results
