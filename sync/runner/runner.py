"""``SyncRunner``: passes in one background thread, whenever the network and the service allow.

Triggers: a timer while idle, ``sync_now()`` (a person asked), ``nudge()``
(something was saved) and the network's return, which cheap probes with
backoff detect while offline. What happens after a pass is the outcome's
own retry rule (``sync.engine.outcomes``): a captive portal needs a person,
never success; a busy service is left alone until its retry time; an auth
problem is retried only on the slow timer or when asked. No Qt: listeners
are plain callbacks run on the runner's thread, and the GUI's bridge
re-emits them as signals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import assert_never

from lapor_desktop.i18n import Message
from sync.connection import NotConfigured
from sync.engine import (
    Backoff,
    Cancelled,
    Done,
    Progress,
    ProgressSnapshot,
    Retry,
    SyncOutcome,
    SyncSummary,
    Unconfigured,
    UnexpectedError,
)
from sync.runner.link import ProbeResult, Reachable, SyncLink
from sync.sync_log import SyncLog

log = logging.getLogger(__name__)


class RunnerState(enum.StrEnum):
    """What the runner is doing: starting, syncing, stopped, or settled on an outcome."""

    STARTING = "starting"
    SYNCING = "syncing"
    IDLE = "idle"
    OFFLINE = "offline"
    WAITING = "waiting"
    """The service is busy or failing: nothing is tried before its retry time."""
    NEEDS_PERSON = "needs_person"
    """An auth or certificate problem, or a captive portal."""
    NOT_CONFIGURED = "not_configured"
    FAILED = "failed"
    """A bug or a database error; tried again on the slow timer."""
    STOPPED = "stopped"


def settled_state(outcome: SyncOutcome) -> RunnerState:
    """The state the runner settles in after an outcome, read from what the outcome declares."""
    if isinstance(outcome, Unconfigured):
        return RunnerState.NOT_CONFIGURED
    if isinstance(outcome, UnexpectedError):
        return RunnerState.FAILED
    if outcome.needs_person:
        return RunnerState.NEEDS_PERSON
    match outcome.retry:
        case Retry.ON_TIMER:
            return RunnerState.IDLE
        case Retry.PROBE:
            return RunnerState.OFFLINE
        case Retry.AT_RETRY_AFTER:
            return RunnerState.WAITING
        case Retry.WHEN_A_PERSON_ACTS:
            return RunnerState.NEEDS_PERSON
        case _:
            assert_never(outcome.retry)


class Trigger(enum.StrEnum):
    START = "start"
    TIMER = "timer"
    NUDGE = "nudge"
    SYNC_NOW = "sync_now"
    NETWORK_RETURNED = "network_returned"
    PROBE = "probe"


@dataclass(frozen=True)
class RunnerConfig:
    idle_interval: float = 300.0
    """Seconds between passes while all is well (and between tries that need a person)."""
    nudge_delay: float = 2.0
    """After a save, wait this long so that a burst of saves makes one pass."""
    probe_backoff: Backoff = dataclasses.field(
        default_factory=lambda: Backoff(base_seconds=5.0, cap_seconds=300.0)
    )
    min_probe_interval: float = 1.0


@dataclass(frozen=True)
class RunnerStatus:
    state: RunnerState
    last_summary: SyncSummary | None
    """Of the last pass that ran (not changed afterwards)."""
    outcome: SyncOutcome | None
    """What the runner last settled on (a pass, a probe, no configuration, a bug); None before."""
    next_try_in: float | None
    """Seconds until the next scheduled pass or probe, when this status was made."""
    passes: int

    @property
    def problem(self) -> Message | None:
        """What a person should know: anything but a finished or cancelled pass."""
        if self.outcome is None or isinstance(self.outcome, Done | Cancelled):
            return None
        return self.outcome.message


Listener = Callable[[RunnerStatus], None]


class SyncRunner:
    def __init__(
        self,
        link: SyncLink,
        *,
        clock: Callable[[], dt.datetime],
        config: RunnerConfig | None = None,
        sync_log: SyncLog | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._link = link
        self._clock = clock
        self._config = config or RunnerConfig()
        self._log = sync_log
        self._monotonic = monotonic
        self._progress = Progress()
        self._wake = threading.Condition()
        # Guarded by _wake:
        self._state = RunnerState.STARTING
        self._summary: SyncSummary | None = None
        self._outcome: SyncOutcome | None = None
        self._due: float | None = None
        self._due_trigger = Trigger.START
        self._asked = False
        self._nudged = False
        self._stopping = False
        self._passes = 0
        self._probes = 0
        self._listeners: list[Listener] = []
        self._thread: threading.Thread | None = None

    # -- any thread -----------------------------------------------------------------------------

    def start(self) -> SyncRunner:
        """Start the thread; the first pass runs at once."""
        with self._wake:
            if self._thread is not None:
                raise RuntimeError("the runner was already started")
            self._due = self._monotonic()
            self._thread = threading.Thread(target=self._run, name="sync-runner", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 120.0) -> None:
        """Abort the pass under way (the request in flight too), end the thread, wait for it.

        Records whose request was cut are free at once, marked for a look-up first.
        """
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
            thread = self._thread
        self._progress.abort()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                raise RuntimeError("the sync runner did not stop in time")
        with self._wake:
            self._state = RunnerState.STOPPED
        self._publish()

    def sync_now(self) -> None:
        """A person asked: run a pass at once (after a Retry-After wait, if the server set one)."""
        with self._wake:
            self._asked = True
            self._wake.notify_all()

    def nudge(self) -> None:
        """Something was saved: sync soon, unless offline or waiting (the probes handle that)."""
        with self._wake:
            if self._state is RunnerState.SYNCING:
                self._nudged = True
            elif self._state in (RunnerState.IDLE, RunnerState.STARTING):
                soon = self._monotonic() + self._config.nudge_delay
                if self._due is None or soon < self._due:
                    self._due, self._due_trigger = soon, Trigger.NUDGE
                    self._wake.notify_all()

    def cancel(self) -> None:
        """Stop the pass in progress at its next clean point; the timer and triggers go on."""
        self._progress.cancel()

    def add_listener(self, listener: Listener) -> None:
        """Called on the runner's thread at every change; it must return quickly."""
        with self._wake:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._wake:
            self._listeners.remove(listener)

    def status(self) -> RunnerStatus:
        with self._wake:
            return self._status()

    def progress(self) -> ProgressSnapshot:
        return self._progress.snapshot()

    # -- the runner's thread ----------------------------------------------------------------------

    def _run(self) -> None:
        while (trigger := self._next_trigger()) is not None:
            try:
                if trigger is Trigger.PROBE:
                    self._probe()
                else:
                    self._pass(trigger)
            except Exception as exc:  # a bug or a database error must not end the thread
                log.exception("sync runner: unexpected error")
                self._after(UnexpectedError(type(exc).__name__))
        if self._log is not None:
            self._log.record_event("stopped", at=self._clock())

    def _next_trigger(self) -> Trigger | None:
        with self._wake:
            while not self._stopping:
                now = self._monotonic()
                waiting = self._state is RunnerState.WAITING and self._due is not None
                if self._asked and not waiting:
                    self._asked = False
                    return Trigger.SYNC_NOW
                if self._due is not None and self._due <= now:
                    self._due = None
                    return self._due_trigger
                self._wake.wait(None if self._due is None else self._due - now)
            return None

    def _pass(self, trigger: Trigger) -> None:
        self._progress.reset()
        with self._wake:
            self._state, self._nudged = RunnerState.SYNCING, False
        self._publish()
        started_at, started = self._clock(), self._monotonic()
        bring_forward = trigger in (Trigger.START, Trigger.SYNC_NOW, Trigger.NETWORK_RETURNED)
        result = self._link.run_pass(self._progress, bring_forward=bring_forward)
        if isinstance(result, NotConfigured):
            if self._log is not None:
                self._log.record_event(Unconfigured.kind, at=started_at)
            self._after(Unconfigured(result.message))
            return
        duration = dt.timedelta(seconds=self._monotonic() - started)
        if self._log is not None:
            self._log.record_pass(
                result, trigger=trigger.value, started_at=started_at, duration=duration
            )
        with self._wake:
            self._summary = result
            self._passes += 1
        self._after(result.outcome)

    def _probe(self) -> None:
        result: ProbeResult = self._link.probe()
        if isinstance(result, Reachable):
            if self._log is not None:
                self._log.record_event("network_returned", at=self._clock())
            self._pass(Trigger.NETWORK_RETURNED)
        elif isinstance(result, NotConfigured):
            self._after(Unconfigured(result.message))
        else:
            self._after(result)

    def _after(self, outcome: SyncOutcome) -> None:
        """Settle on an outcome and schedule what its retry rule says.

        Probing starts again from short delays only after a pass that went well: a
        service that answers probes but fails every pass is probed less and less often.
        """
        idle = self._config.idle_interval
        match outcome.retry:
            case Retry.ON_TIMER:
                if isinstance(outcome, Done):
                    self._probes = 0
                with self._wake:
                    again = self._config.nudge_delay if self._nudged else idle
                self._settle(outcome, again, Trigger.TIMER)
            case Retry.PROBE:
                self._settle(outcome, self._probe_delay(), Trigger.PROBE)
            case Retry.AT_RETRY_AFTER:
                retry_at = outcome.retry_at
                wait = self._until(retry_at) if retry_at is not None else self._probe_delay()
                self._settle(outcome, wait, Trigger.TIMER)
            case Retry.WHEN_A_PERSON_ACTS:
                self._settle(outcome, idle, Trigger.TIMER)
            case _:
                assert_never(outcome.retry)

    def _probe_delay(self) -> float:
        self._probes += 1
        delay = self._config.probe_backoff.delay(self._probes).total_seconds()
        return max(self._config.min_probe_interval, delay)

    def _until(self, moment: dt.datetime) -> float:
        """Seconds until a wall-clock time, read once; the wait runs on the monotonic clock."""
        return max(0.0, (moment - self._clock()).total_seconds())

    def _settle(self, outcome: SyncOutcome, wait: float, trigger: Trigger) -> None:
        with self._wake:
            self._state, self._outcome = settled_state(outcome), outcome
            if not self._stopping:
                self._due, self._due_trigger = self._monotonic() + wait, trigger
        self._publish()

    def _status(self) -> RunnerStatus:
        next_in = None if self._due is None else max(0.0, self._due - self._monotonic())
        return RunnerStatus(self._state, self._summary, self._outcome, next_in, self._passes)

    def _publish(self) -> None:
        with self._wake:
            status = self._status()
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # a listener's bug must not stop synchronisation
                log.exception("sync runner: a listener failed")
