"""``SyncEngine``: one reconciliation pass, sending up through the outbox and reading down the feed.

The engine owns no thread and no timer: the GUI's worker, the command line
or a watch loop call ``run_once`` and show the summary. Everything it needs
is injected (service, store, clock, random source), so tests drive it over
real HTTP without waiting.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lapor_desktop.services.audit_anchors import AuditAnchors
from lapor_desktop.services.sync_status import (  # the status reads what a pass writes
    CLOCK_OFFSET_KEY,
    CLOCK_WARNING,
    LAST_ATTEMPT_KEY,
    LAST_OUTCOME_KEY,
    LAST_SUCCESS_KEY,
)
from lapor_desktop.services.sync_store import SyncStore
from sync.adapters.outcomes import Failure, RetryLater
from sync.adapters.service import NationalService
from sync.engine.anchoring import anchor
from sync.engine.backoff import Backoff
from sync.engine.batch_size import BatchSizer
from sync.engine.enrolment import enrol
from sync.engine.failures import outcome_of
from sync.engine.lanes import AttachmentLane, ComplaintLane, FollowUpLane, LaneLoop
from sync.engine.lanes.relays import RelayLane
from sync.engine.link_state import KEYS as LINK_KEYS
from sync.engine.link_state import LinkState
from sync.engine.outcomes import Cancelled, Done, PassOutcome, ServiceUnavailable, SyncSummary
from sync.engine.progress import Phase, Progress
from sync.engine.puller import Puller
from sync.engine.reference_puller import ReferencePuller


@dataclass(frozen=True)
class EngineConfig:
    batch_size: int = 50
    """The first batch's size; later ones follow the link (``BatchSizer``)."""
    max_batch_size: int = 500
    batch_seconds: float = 3.0
    """How long one batch exchange should take at most: small on a slow link."""
    overlap_below_seconds: float = 1.0
    """Claim the next batch during an exchange only when exchanges take less than this."""
    page_size: int = 500
    max_pages: int = 100
    """Bounds one pass's pull; the next pass continues from the stored cursor."""
    reference_every: dt.timedelta = dt.timedelta(hours=6)
    """How often to ask whether the reference data changed (a 304 when not)."""
    backoff: Backoff = field(default_factory=Backoff)


class SyncEngine:
    """``timer`` (monotonic seconds) measures exchanges for the batch size; nothing else.

    ``link`` is what earlier passes learned of the link (``LinkState``); without it the
    engine starts from its configuration and learns as it goes.
    """

    def __init__(
        self,
        service: NationalService,
        store: SyncStore,
        *,
        clock: Callable[[], dt.datetime],
        config: EngineConfig | None = None,
        timer: Callable[[], float] = time.monotonic,
        link: LinkState | None = None,
        data_root: Path | None = None,
        anchors: AuditAnchors | None = None,
    ) -> None:
        """``data_root``: the data folder, where relayed bundles wait (no relay lane without).

        ``anchors``: where the audit chain's countersigned heads are kept (none sent without).
        """
        self._config = config = config or EngineConfig()
        self._service = service
        self._store = store
        self._clock = clock
        sizer = BatchSizer(
            size=min(config.batch_size, config.max_batch_size),
            maximum=config.max_batch_size,
            window_seconds=config.batch_seconds,
        )
        self._sizer = sizer
        self._loop = LaneLoop(store, backoff=config.backoff, clock=clock)
        self._complaints = ComplaintLane(
            service,
            store,
            sizer=sizer,
            timer=timer,
            overlap_below_seconds=config.overlap_below_seconds,
        )
        self._follow_ups = FollowUpLane(service, store)
        self._attachments = AttachmentLane(service, store)
        self._relays = RelayLane(service, store, data_root) if data_root is not None else None
        self._puller = Puller(
            service, store, page_size=config.page_size, max_pages=config.max_pages
        )
        self._reference = ReferencePuller(service, store, clock=clock, every=config.reference_every)
        self._anchors = anchors
        self._busy: ServiceUnavailable | None = None
        """The last pass's answer when the service said to come back later (429, 503)."""
        self._clock_offset: dt.timedelta | None = None
        self._failures = 0
        """Passes in a row that failed: the backoff of a failure no record carries grows with it."""
        if link is not None:
            self.adopt(link)

    @property
    def batch_size(self) -> int:
        """The size the next batch will have, as the link's measured speed chose it."""
        return self._sizer.size

    @property
    def link_state(self) -> LinkState:
        """What this engine knows of the link now: hand it to the next pass's engine."""
        busy = self._busy
        return LinkState(
            batch_size=self._sizer.size,
            busy=busy.failure
            if busy is not None and isinstance(busy.failure, RetryLater)
            else None,
            busy_until=None if busy is None else busy.retry_at,
            clock_offset=self._clock_offset,
            failures=self._failures,
        )

    def adopt(self, link: LinkState) -> None:
        """Start from what earlier passes (or an earlier process) learned of the link."""
        if link.batch_size is not None:
            self._sizer.resume(link.batch_size)
        self._busy = None
        if link.busy is not None and link.busy_until is not None:
            self._busy = ServiceUnavailable(link.busy, link.busy_until)
        self._clock_offset = link.clock_offset
        self._failures = link.failures

    def stored_link_state(self) -> LinkState:
        """The link state the last pass of any engine on this database left (a restart's start)."""
        return LinkState.from_values(self._store.get_values(LINK_KEYS))

    def run_once(
        self, progress: Progress | None = None, *, link: LinkState | None = None
    ) -> SyncSummary:
        """Send what is due, pull the feed, then upload files; stop at the first failure.

        ``link`` (adopted first) is what earlier passes learned; ``link_state`` afterwards
        holds it updated, and it is stored with the pass's outcome.

        After a 429 or 503 in any phase, passes until its Retry-After (or backoff)
        ends make no request at all and return the same outcome.

        Complaints go first (urgent ones first), then follow-ups, then the
        feed and reference data, and attachments last, so a big file on a
        slow link never delays the rest. ``progress`` is updated as the pass
        goes and checked for cancellation between requests.
        """
        if link is not None:
            self.adopt(link)
        progress = progress or Progress()
        summary = SyncSummary()
        busy = self._still_busy()
        if busy is not None:
            # The service asked every client to wait: no phase calls it before then.
            summary.outcome = busy
            summary.left = self._store.left()
            self._record_pass(summary)
            return summary
        progress.update(
            phase=Phase.SENDING, batch_size=self.batch_size, records_total=self._store.due_count()
        )
        steps: tuple[Callable[[], PassOutcome | None], ...] = (
            lambda: self._loop.run(self._complaints, summary, progress),
            lambda: self._loop.run(self._follow_ups, summary, progress),
            lambda: self._pull(summary, progress),
            lambda: self._pull_reference(summary, progress),
            lambda: self._relay(summary, progress),
            lambda: self._upload(summary, progress),
        )
        stop: PassOutcome | None = None
        for step in steps:
            stop = Cancelled() if progress.cancelled else step()
            if stop is not None:
                break
        progress.update(phase=Phase.IDLE, status_updates=summary.status_updates)
        summary.outcome = stop or Done()
        outcome = summary.outcome
        if isinstance(outcome, Done):
            enrol(self._service, self._store)
            if self._anchors is not None:
                anchor(self._service, self._anchors)
        self._busy = None
        if isinstance(outcome, ServiceUnavailable) and isinstance(outcome.failure, RetryLater):
            self._busy = outcome
        if not isinstance(outcome, Cancelled):
            self._failures = 0 if isinstance(outcome, Done) else self._failures + 1
        summary.left = self._store.left()
        self._record_pass(summary)
        return summary

    def _still_busy(self) -> ServiceUnavailable | None:
        """The service's last "come back later", while it lasts (a clock set back ends it)."""
        if self._busy is None or self._busy.retry_at is None:
            return None
        left = self._busy.retry_at - self._clock()
        cap = dt.timedelta(seconds=self._config.backoff.max_retry_after_seconds)
        return self._busy if dt.timedelta(0) < left <= cap else None

    def _pull(self, summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        progress.update(phase=Phase.PULLING)
        applied, failure = self._puller.run()
        summary.status_updates = applied
        return None if failure is None else self._outcome_of(failure)

    def _pull_reference(self, summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        if not self._reference.due():
            return None
        progress.update(phase=Phase.REFERENCE)
        summary.reference_updated, failure = self._reference.run()
        return None if failure is None else self._outcome_of(failure)

    def _relay(self, summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        """Other desks' sealed bundles, before this desk's own files (they carry whole outboxes)."""
        if self._relays is None:
            return None
        progress.update(phase=Phase.UPLOADING)
        return self._loop.run(self._relays, summary, progress)

    def _upload(self, summary: SyncSummary, progress: Progress) -> PassOutcome | None:
        progress.update(phase=Phase.UPLOADING)
        return self._loop.run(self._attachments, summary, progress)

    def _outcome_of(self, failure: Failure) -> PassOutcome:
        """A pull failure: no record carries it, so its backoff grows with the failed passes."""
        retry_after = failure.retry_after if isinstance(failure, RetryLater) else None
        delay = self._config.backoff.delay(self._failures + 1, retry_after)
        return outcome_of(failure, self._clock() + delay)

    def _record_pass(self, summary: SyncSummary) -> None:
        """Outcome, time and link state, in one write, for a status display and a restart.

        The offset is the PC-to-server one of the last answer (a warning beyond 5 min).
        """
        now = self._clock().isoformat()
        sample = self._service.last_server_time
        if sample is not None:
            summary.clock_offset = self._clock_offset = sample.offset
        values = self.link_state.values()
        values.update({LAST_OUTCOME_KEY: summary.outcome.kind, LAST_ATTEMPT_KEY: now})
        if isinstance(summary.outcome, Done):
            values[LAST_SUCCESS_KEY] = now
        self._store.set_values(values)

    @property
    def clock_warning(self) -> bool:
        """Whether the last recorded offset is beyond five minutes."""
        value = self._store.get_value(CLOCK_OFFSET_KEY)
        return value is not None and abs(float(value)) > CLOCK_WARNING.total_seconds()
