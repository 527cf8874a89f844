"""Stopping is prompt: a runner stopped while a request hangs ends at once (issue 16).

Before, the runner waited for the request in flight: up to the transport's read timeout
(60 s) on a silent link. Now stopping shuts the pass's sockets; the records whose request
was cut are free at once, marked for a look-up, and the next run sends them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.services import sync_status
from lapor_desktop.services.context import system_clock
from sync.engine import Done, Progress, SyncSummary
from sync.faultproxy import FaultPlan, FaultProxy
from sync.reference_server import RunningServer
from sync.runner import DeskLink, RunnerConfig, RunnerState, SyncRunner
from sync.transport import TransportSettings
from tests.support import cli as support
from tests.support.cli import open_desk
from tests.support.reference_server import running_reference_server
from tests.test_sync_cli import configure, queue_complaints

STOP_BOUND_SECONDS = 10.0
"""Generous for a shared machine; the old behaviour took the read timeout (60 s)."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server") as running:
        yield running


def test_stopping_during_a_hanging_request_ends_at_once_and_frees_the_records(
    tmp_path: Path, server: RunningServer
) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with FaultProxy("127.0.0.1", port, plan=FaultPlan(stall=True)) as proxy:
        root = support.set_up_desk(tmp_path)
        configure(root, server, proxy.url)
        uuids = queue_complaints(root, 3)
        desk = open_desk(root)
        try:
            runner = SyncRunner(
                DeskLink(desk.context, root), clock=system_clock, config=RunnerConfig()
            )
            runner.start()
            deadline = time.monotonic() + 30
            while proxy.stats().active == 0 or runner.status().state is not RunnerState.SYNCING:
                assert time.monotonic() < deadline, "the pass never reached the link"
                time.sleep(0.05)
            time.sleep(0.3)  # the request is out and waiting for its answer
            started = time.monotonic()
            runner.stop(timeout=STOP_BOUND_SECONDS)  # raises when the thread is still busy
            took = time.monotonic() - started
            print(f"\nstopped in {took:.2f} s during a hanging request")
            assert took < TransportSettings("http://127.0.0.1").read_timeout / 6, took
            status = sync_status.read_status(desk.database, now=system_clock())
            assert (status.pending, status.sending, status.waiting) == (3, 0, 0)
            proxy.update_plan(stall=False)
            summary = DeskLink(desk.context, root).run_pass(Progress(), bring_forward=False)
        finally:
            desk.close()
    assert isinstance(summary, SyncSummary) and summary.outcome == Done(), summary
    assert summary.left == 0
    assert all(server.state.store.copies_of(u) == 1 for u in uuids)
