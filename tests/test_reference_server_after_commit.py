"""The 500-after-commit fault: the write is stored, yet the client hears of a failure."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.adapters import LaporV1Adapter, ServerError
from sync.protocol.messages import ComplaintRecord, Duplicate, FollowUp, FollowUpOutcome
from sync.reference_server import RunningServer
from sync.reference_server.cli import build_parser, config_from
from tests.support.clock import FakeClock
from tests.support.reference_server import (
    adapter_for,
    admin_headers,
    running_reference_server,
    sample_item,
)


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock, seed=11) as running:
        yield running


@pytest.fixture
def adapter(server: RunningServer) -> Iterator[LaporV1Adapter]:
    with requests.Session() as session:
        yield adapter_for(server, session)


def test_a_batch_is_stored_then_answered_with_500(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    server.set_faults(error_500_after_commit_rate=1.0)
    items = [sample_item() for _ in range(3)]
    failure = adapter.submit_batch(items)
    assert isinstance(failure, ServerError) and failure.status == 500
    assert all(server.state.store.copies_of(i.client_uuid) == 1 for i in items)
    assert isinstance(adapter.lookup(items[0].client_uuid), ComplaintRecord)
    server.set_faults(error_500_after_commit_rate=0.0)
    again = adapter.submit_batch(items)
    assert not isinstance(again, ServerError)
    assert all(isinstance(r, Duplicate) for r in again.results)


def test_without_deduplication_a_resend_after_the_500_is_a_second_copy(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    server.set_faults(error_500_after_commit_rate=1.0, deduplicate=False)
    item = sample_item()
    assert isinstance(adapter.submit_batch([item]), ServerError)
    server.set_faults(error_500_after_commit_rate=0.0)
    adapter.submit_batch([item])  # what a client that trusts the 500 would do
    assert server.state.store.copies_of(item.client_uuid) == 2
    assert server.state.store.summary()["duplicated"] == [item.client_uuid]


def test_a_follow_up_is_stored_then_answered_with_500(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    item = sample_item()
    adapter.submit_batch([item])
    server.set_faults(error_500_after_commit_rate=1.0)
    message = FollowUp(str(uuid.uuid4()), "Foto jalan terlampir.", None)
    assert isinstance(adapter.post_message(item.client_uuid, message), ServerError)
    server.set_faults(error_500_after_commit_rate=0.0)
    result = adapter.post_message(item.client_uuid, message)
    assert not isinstance(result, ServerError)
    assert result.outcome == FollowUpOutcome.DUPLICATE  # type: ignore[union-attr]


def test_reads_never_fail_after_commit_and_the_rate_is_seeded(
    tmp_path: Path, clock: FakeClock
) -> None:
    def failures(seed: int) -> list[bool]:
        folder = tmp_path / f"seed-{seed}-{uuid.uuid4().hex[:6]}"
        with running_reference_server(folder, clock=clock, seed=seed) as server:
            server.set_faults(error_500_after_commit_rate=0.5)
            with requests.Session() as session:
                adapter = adapter_for(server, session)
                assert not isinstance(adapter.server_time(), ServerError)
                return [
                    isinstance(adapter.submit_batch([sample_item()]), ServerError)
                    for _ in range(16)
                ]

    first = failures(5)
    assert first == failures(5)
    assert any(first) and not all(first)


def test_the_command_line_and_the_admin_endpoint_know_the_fault(server: RunningServer) -> None:
    args = build_parser().parse_args(["--data-dir", "x", "--error-500-after-commit-rate", "0.25"])
    assert config_from(args).faults.error_500_after_commit_rate == 0.25
    with requests.Session() as session:
        session.headers.update(admin_headers(server))
        url = f"{server.url}/_admin/faults"
        assert session.put(url, json={"error_500_after_commit_rate": 2}).status_code == 400
        changed = session.put(url, json={"error_500_after_commit_rate": 0.5}).json()
        assert changed["error_500_after_commit_rate"] == 0.5
