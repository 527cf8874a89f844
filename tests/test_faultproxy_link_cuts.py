"""A link that dies every N bytes whatever the connections: ``FaultPlan(cut_link_every_bytes)``.

A per-connection cut never fires when each request has a connection of its own (the
reference server closes after every tus PATCH), so the bundle benchmark's "cut every 2 MB"
needs the count kept over the whole link.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.faultproxy import Fault, FaultPlan, FaultProxy
from tests.support.echo_http import EchoServer, pattern, running

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = (2.0, 10.0)
BODY = 100_000


@pytest.fixture
def server() -> Iterator[EchoServer]:
    with running() as echo:
        yield echo


def _post(url: str) -> bool:
    """One request on a connection of its own; whether it got through."""
    try:
        reply = requests.post(f"{url}/echo", data=pattern(BODY), timeout=TIMEOUT)
    except requests.ConnectionError:
        return False
    return reply.status_code == 200 and len(reply.content) == BODY


def test_the_link_dies_after_every_n_bytes_counted_over_all_connections(
    server: EchoServer,
) -> None:
    with FaultProxy(
        "127.0.0.1", server.port, plan=FaultPlan(cut_link_every_bytes=300_000)
    ) as proxy:
        assert [_post(proxy.url) for _ in range(3)] == [True, True, False]
        stats = proxy.stats()
        assert stats.bytes_up == 300_000, "exactly N bytes crossed before the cut"
        assert stats.count(Fault.CUT_UPLOAD) == 1 and stats.connections == 3
        cut = server.wait_for(3)[2]
        assert not cut.complete and cut.received < BODY
        assert [_post(proxy.url) for _ in range(3)] == [True, True, False], "and again N later"
        assert proxy.stats().bytes_up == 600_000
        assert proxy.stats().errors == 0


def test_a_per_connection_cut_of_the_same_size_never_fires_on_short_connections(
    server: EchoServer,
) -> None:
    plan = FaultPlan(cut_upload_after_bytes=300_000)
    with FaultProxy("127.0.0.1", server.port, plan=plan) as proxy:
        assert all(_post(proxy.url) for _ in range(4))
        assert proxy.stats().count(Fault.CUT_UPLOAD) == 0


def test_a_new_period_starts_when_the_plan_changes_it(server: EchoServer) -> None:
    with FaultProxy(
        "127.0.0.1", server.port, plan=FaultPlan(cut_link_every_bytes=250_000)
    ) as proxy:
        assert _post(proxy.url) and _post(proxy.url)
        proxy.set_plan(FaultPlan(cut_link_every_bytes=150_000))
        assert [_post(proxy.url), _post(proxy.url)] == [True, False]
        proxy.update_plan(cut_link_every_bytes=None)
        assert all(_post(proxy.url) for _ in range(3))


def test_the_plan_and_the_command_line_take_it(server: EchoServer) -> None:
    with pytest.raises(ValueError, match="cut_link_every_bytes"):
        FaultPlan(cut_link_every_bytes=0)
    command = [sys.executable, "-m", "sync.faultproxy", "--listen", "0"]
    command += ["--upstream", f"127.0.0.1:{server.port}", "--cut-link-every", "150000"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        address = process.stdout.readline().split()[2]
        assert [_post(f"http://{address}"), _post(f"http://{address}")] == [True, False]
    finally:
        process.terminate()
        process.communicate(timeout=30)
