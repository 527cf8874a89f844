"""Our two simulated services: the reference server's v1 protocol and its addstream endpoint.

Both run the real reference server over loopback HTTP behind the real fault
proxy: status faults are the server's own (error rates, revoked tokens, a
suspended office, its body limits, the 500-after-commit write), a dropped
answer is the proxy's. They double as the example of a ``SimulatedService``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import select, union_all

from sync.adapters.service import NationalService
from sync.faultproxy import FaultProxy
from sync.reference_server import DeviceToken, RunningServer, ServerLimits
from sync.reference_server.addstream_endpoint import (
    ADDSTREAM_BASE,
    AddstreamReport,
    simulation_of,
)
from sync.reference_server.config import WorkflowTimings
from sync.reference_server.schema import complaints, duplicate_copies
from tests.adapter_conformance.harness import Fault, connect
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE

BODY_LIMIT = 16 * 1024
"""Small, so the checks' 64 KB item is too large; ordinary complaints stay far below it."""
STEP = dt.timedelta(minutes=5)
"""How long each step of the simulated national desk takes."""

_RATES = {
    Fault.RATE_LIMITED: "error_429_rate",
    Fault.UNAVAILABLE: "error_503_rate",
    Fault.SERVER_ERROR: "error_500_rate",
    Fault.STORED_THEN_ERROR: "error_500_after_commit_rate",
}
_CLEAN = {
    "error_500_rate": 0.0,
    "error_503_rate": 0.0,
    "error_429_rate": 0.0,
    "error_500_after_commit_rate": 0.0,
    "captive_portal": False,
    "revoked_tokens": False,
}


class ReferenceService:
    """``route``: the v1 protocol at the root (``lapor-v1``), or ``addstream`` under /latihan."""

    def __init__(
        self,
        server: RunningServer,
        proxy: FaultProxy,
        adapter_name: str,
        clock: Callable[[], dt.datetime],
        route: str,
    ) -> None:
        self._server = server
        self._proxy = proxy
        self._name = adapter_name
        self._clock = clock
        self._addstream = route == "addstream"
        self._path = ADDSTREAM_BASE if self._addstream else ""

    @property
    def adapter_name(self) -> str:
        return self._name

    @property
    def token(self) -> str:
        return self._server.tokens[OFFICE_CODE]

    def adapter(self) -> NationalService:
        return connect(
            self._name,
            self._proxy.url + self._path,
            self.token,
            clock=self._clock,
            trusted_keys=(self._server.public_key,),
        )

    def inject(self, fault: Fault) -> bool:
        if fault in _RATES:
            self._server.set_faults(**{_RATES[fault]: 1.0})
        elif fault is Fault.UNAUTHORIZED:
            self._server.set_faults(revoked_tokens=True)
        elif fault is Fault.FORBIDDEN:
            self._office_active(False)
        elif fault is Fault.CAPTIVE_PORTAL:
            self._server.set_faults(captive_portal=True)
        elif fault is Fault.STORED_THEN_DROPPED:
            self._proxy.drop_next_response()
        # TOO_LARGE: the body limit is always small (BODY_LIMIT)
        return True

    def clear(self) -> None:
        self._server.set_faults(**_CLEAN)
        self._office_active(True)

    def _office_active(self, active: bool) -> None:
        self._server.state.add_token(DeviceToken(self.token, OFFICE_CODE), active=active)

    def held(self) -> list[str]:
        if self._addstream:
            return [r.tracking_id for r in self.addstream_reports()]
        numbers = union_all(
            select(complaints.c.tracking_no), select(duplicate_copies.c.tracking_no)
        ).subquery()
        with self._server.state.store.engine.connect() as conn:
            rows = conn.execute(select(numbers.c.tracking_no).order_by(numbers.c.tracking_no))
            return [str(number) for number in rows.scalars()]

    def addstream_reports(self) -> list[AddstreamReport]:
        return simulation_of(self._server.server.app).reports()  # type: ignore[attr-defined]

    def let_national_desk_act(self) -> bool:
        """The v1 server's desk acts after ``STEP`` on its clock; addstream has no feed."""
        return not self._addstream


def opener(
    adapter_name: str, route: str | None = None
) -> Callable[..., contextlib.AbstractContextManager[ReferenceService]]:
    """An ``OpenService`` for an adapter speaking ``route`` (by default, the adapter's name)."""

    @contextlib.contextmanager
    def open_service(folder: Path, clock: Callable[[], dt.datetime]) -> Iterator[ReferenceService]:
        limits = ServerLimits(max_body_bytes=BODY_LIMIT, max_decoded_bytes=4 * BODY_LIMIT)
        timings = WorkflowTimings.uniform(STEP)
        with running_reference_server(
            folder, clock=clock, limits=limits, timings=timings
        ) as server:
            simulation_of(server.server.app).max_body_bytes = BODY_LIMIT  # type: ignore[attr-defined]
            port = int(server.url.rsplit(":", 1)[1])
            with FaultProxy("127.0.0.1", port) as proxy:
                yield ReferenceService(server, proxy, adapter_name, clock, route or adapter_name)

    return open_service


open_lapor_v1 = opener("lapor-v1")
"""For ``LAPOR_ADAPTER_SERVICE=tests.adapter_conformance.reference_services:open_lapor_v1``."""
open_addstream = opener("addstream")
