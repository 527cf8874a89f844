"""What the runner drives: a pass over a fresh connection, and a cheap probe of the network.

``DeskLink`` connects through ``sync.connection`` for every pass, so a token
or address that IT staff fixed meanwhile is picked up without a restart. What
the engine learns of the link (``LinkState``: batch size, busy-until, clock
offset) is the link's to keep: handed to each pass's engine and taken back
after it, and read from the sync-state table on the first pass after a restart.
The probe asks the service for its time without the device token: any
answer from the service itself (even 401) means the network is back, an
HTML page means a captive portal, and the token never goes to either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from lapor_desktop.services.context import DeskContext
from lapor_desktop.services.sync_status import bring_forward
from sync.adapters import LaporV1Adapter
from sync.adapters.outcomes import CaptivePortal, Unreachable
from sync.connection import NotConfigured, check_national, connected_engine
from sync.engine import EngineConfig, LinkState, NeedsSignIn, Offline, Progress, SyncSummary
from sync.transport import TransportRefused, make_session

PROBE_TIMEOUT = (5.0, 10.0)
"""Connect and read timeouts of a probe, in seconds: it must stay cheap on a bad link."""


@dataclass(frozen=True)
class Reachable:
    """The national service answered the probe."""


ProbeResult = Reachable | Offline | NeedsSignIn | NotConfigured


class SyncLink(Protocol):
    def run_pass(self, progress: Progress, *, bring_forward: bool) -> SyncSummary | NotConfigured:
        """One pass; ``bring_forward`` first makes records that are backing off due now."""
        ...

    def probe(self) -> ProbeResult: ...


class DeskLink:
    def __init__(
        self, context: DeskContext, data_dir: Path, *, config: EngineConfig | None = None
    ) -> None:
        self._context = context
        self._data_dir = data_dir
        self._config = config
        self._state: LinkState | None = None
        """Learned by the passes so far; None until the first pass reads the stored one."""

    @property
    def state(self) -> LinkState | None:
        """What the last pass learned of the link (None before the first pass)."""
        return self._state

    def run_pass(self, progress: Progress, *, bring_forward: bool) -> SyncSummary | NotConfigured:
        with connected_engine(
            self._context, self._data_dir, config=self._config, progress=progress
        ) as engine:
            if isinstance(engine, NotConfigured):
                return engine
            if bring_forward:
                self.bring_forward()
            state = self._state if self._state is not None else engine.stored_link_state()
            summary = engine.run_once(progress, link=state)
            self._state = engine.link_state
            return summary

    def bring_forward(self) -> int:
        return bring_forward(self._context.database, now=self._context.clock())

    def probe(self) -> ProbeResult:
        checked = check_national(
            self._context.office.national, training=self._context.station.training
        )
        if isinstance(checked, NotConfigured):
            return checked
        transport, keys = checked
        try:
            session = make_session(transport, None)
        except TransportRefused as exc:
            return NotConfigured(exc.message)
        with session:
            adapter = LaporV1Adapter(
                session,
                transport.base_url,
                trusted_keys=keys,
                clock=self._context.clock,
                timeout=PROBE_TIMEOUT,
                language=self._context.station.language,
            )
            answer = adapter.server_time()
        if isinstance(answer, Unreachable):
            return Offline(answer.reason, None)
        if isinstance(answer, CaptivePortal):
            return NeedsSignIn(answer)
        return Reachable()
