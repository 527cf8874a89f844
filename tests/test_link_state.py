"""What the engine learns of the link outlives a pass and a restart (real loopback server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings
from sync.device_token import store_token
from sync.engine import Backoff, Done, EngineConfig, Progress, ServiceUnavailable, SyncSummary
from sync.engine.link_state import BATCH_SIZE_KEY
from sync.reference_server import RunningServer
from sync.runner import DeskLink
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE
from tests.support.sync_engine import queue, store_for

SMALL_FIRST = EngineConfig(batch_size=2, backoff=Backoff(random=lambda: 0.5))
"""Two first: one fast full batch of two on loopback grows the size to eight."""


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def desk(tmp_path: Path, server: RunningServer, clock: FakeClock) -> Iterator[Desk]:
    paths = DataPaths(tmp_path / "data").ensure()
    national = NationalServiceSettings(server.url, (server.public_key_text,))
    office = OfficeSettings(OFFICE_CODE, "Kabupaten Lingga", national=national)
    opened = accounts.initialise_desk(paths, office, clock)
    store_token(paths.root, server.tokens[OFFICE_CODE])
    yield opened
    opened.close()


@pytest.fixture
def clerk(desk: Desk) -> Actor:
    return accounts.sign_in_supervisor(desk).actor


def _pass(link: DeskLink) -> tuple[SyncSummary, Progress]:
    progress = Progress()
    summary = link.run_pass(progress, bring_forward=False)
    assert isinstance(summary, SyncSummary), summary
    return summary, progress


def _learned(link: DeskLink) -> int | None:
    """The batch size the link holds (None before its first pass)."""
    return None if link.state is None else link.state.batch_size


def _requests(server: RunningServer) -> int:
    return sum(1 for r in server.requests() if r.path.startswith("/v1/complaints"))


def test_the_learned_batch_size_outlives_a_pass_and_a_restart(
    desk: Desk, clerk: Actor, server: RunningServer, clock: FakeClock
) -> None:
    for _ in range(3):
        queue(desk, clerk)
    link = DeskLink(desk.context, desk.paths.root, config=SMALL_FIRST)
    first, _ = _pass(link)
    assert first.sent == 3
    assert _learned(link) == 8

    second, progress = _pass(link)  # a second pass starts where the first left off
    assert second.outcome == Done()
    assert progress.snapshot().batch_size == 8
    assert _learned(link) == 8
    assert store_for(desk, clock).get_value(BATCH_SIZE_KEY) == "8"

    restarted = DeskLink(desk.context, desk.paths.root, config=SMALL_FIRST)
    assert _learned(restarted) is None
    _, progress = _pass(restarted)
    assert progress.snapshot().batch_size == 8  # not the configured two
    assert _learned(restarted) == 8


def test_a_busy_service_is_not_called_after_a_restart_until_its_retry_after_ends(
    desk: Desk, clerk: Actor, server: RunningServer, clock: FakeClock
) -> None:
    queue(desk, clerk)
    server.set_faults(error_429_rate=1.0, retry_after_seconds=1800)
    link = DeskLink(desk.context, desk.paths.root, config=SMALL_FIRST)
    first, _ = _pass(link)
    busy = first.outcome
    assert isinstance(busy, ServiceUnavailable) and _requests(server) == 1
    assert link.state is not None and link.state.busy_until == busy.retry_at

    clock.advance(seconds=600)
    restarted = DeskLink(desk.context, desk.paths.root, config=SMALL_FIRST)
    again, _ = _pass(restarted)
    assert again.outcome == busy  # the same answer, from memory
    again, _ = _pass(restarted)
    assert again.outcome == busy
    assert _requests(server) == 1  # nothing was asked of the service meanwhile

    clock.advance(seconds=1201)  # the server's half hour is over
    server.set_faults(error_429_rate=0.0)
    after, _ = _pass(DeskLink(desk.context, desk.paths.root, config=SMALL_FIRST))
    assert after.sent == 1 and _requests(server) == 2
