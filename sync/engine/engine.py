"""``SyncEngine``: one reconciliation pass, sending up through the outbox and reading down the feed.

The engine owns no thread and no timer: the GUI's worker, the command line
or a watch loop call ``run_once`` and show the summary. Everything it needs
is injected (service, store, clock, random source), so tests drive it over
real HTTP without waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from lapor_desktop.services.sync_store import SyncStore
from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Failure,
    Forbidden,
    RetryLater,
    Unauthorized,
    Unreachable,
    UntrustedReceipt,
)
from sync.adapters.service import NationalService
from sync.engine.backoff import Backoff
from sync.engine.outcomes import (
    AuthProblem,
    Cancelled,
    Done,
    NeedsSignIn,
    Offline,
    PassOutcome,
    ServiceUnavailable,
    SyncSummary,
)
from sync.engine.progress import Phase, Progress
from sync.engine.puller import Puller
from sync.engine.sender import Sender

CLOCK_OFFSET_KEY = "clock_offset_seconds"
LAST_SUCCESS_KEY = "last_success_at"
CLOCK_WARNING = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class EngineConfig:
    batch_size: int = 200
    page_size: int = 500
    max_pages: int = 100
    """Bounds one pass's pull; the next pass continues from the stored cursor."""
    backoff: Backoff = field(default_factory=Backoff)


class SyncEngine:
    def __init__(
        self,
        service: NationalService,
        store: SyncStore,
        *,
        clock: Callable[[], dt.datetime],
        config: EngineConfig | None = None,
    ) -> None:
        self._config = config or EngineConfig()
        self._service = service
        self._store = store
        self._clock = clock
        self._sender = Sender(
            service,
            store,
            backoff=self._config.backoff,
            clock=clock,
            batch_size=self._config.batch_size,
        )
        self._puller = Puller(
            service, store, page_size=self._config.page_size, max_pages=self._config.max_pages
        )

    def run_once(self, progress: Progress | None = None) -> SyncSummary:
        """Send what is due, then pull the feed; stop at the first failure that needs waiting.

        ``progress`` is updated as the pass goes and checked for cancellation
        between requests.
        """
        progress = progress or Progress()
        summary = SyncSummary()
        progress.update(phase=Phase.SENDING, batch_size=self._sender.batch_size)
        stop = self._sender.run(summary, progress)
        if stop is None and progress.cancelled:
            stop = Cancelled()
        if stop is None:
            progress.update(phase=Phase.PULLING)
            applied, failure = self._puller.run()
            summary.status_updates = applied
            if failure is not None:
                stop = self._outcome_of(failure)
        progress.update(phase=Phase.IDLE, status_updates=summary.status_updates)
        summary.outcome = stop or Done()
        self._record_clock(summary)
        if isinstance(summary.outcome, Done):
            self._store.set_value(LAST_SUCCESS_KEY, self._clock().isoformat())
        return summary

    def _outcome_of(self, failure: Failure) -> PassOutcome:
        """A pull failure: nothing is pending on it, so only the pass's outcome changes."""
        if isinstance(failure, Unauthorized | Forbidden | CertificateProblem | UntrustedReceipt):
            return AuthProblem(failure)
        if isinstance(failure, CaptivePortal):
            return NeedsSignIn(failure)
        retry_after = failure.retry_after if isinstance(failure, RetryLater) else None
        delay = self._config.backoff.delay(1, retry_after)
        retry_at = self._clock() + delay
        if isinstance(failure, Unreachable):
            return Offline(failure.reason, retry_at)
        return ServiceUnavailable(failure, retry_at)

    def _record_clock(self, summary: SyncSummary) -> None:
        """Keep the PC-to-server clock offset of the last answer (a warning beyond 5 min)."""
        sample = self._service.last_server_time
        if sample is None:
            return
        summary.clock_offset = sample.offset
        self._store.set_value(CLOCK_OFFSET_KEY, f"{sample.offset.total_seconds():.3f}")

    @property
    def clock_warning(self) -> bool:
        """Whether the last recorded offset is beyond five minutes."""
        value = self._store.get_value(CLOCK_OFFSET_KEY)
        return value is not None and abs(float(value)) > CLOCK_WARNING.total_seconds()
