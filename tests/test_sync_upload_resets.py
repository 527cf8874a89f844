"""An upload whose link is reset every few hundred KB finishes in one sync run (issue 16, item 3).

The server used to go on holding a cut upload (its request thread not yet aware that the
connection was gone) and answered the client's resumed part with 423 busy; the run then
stopped with work left, and the part in flight was sent again and again. Loopback speed,
so the client is back before the server noticed the reset. The full-size run (20 MB cut
every 2 MB) is behind ``LAPOR_BENCH_UPLOAD_RESETS=1`` (docs/performance.md).
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from sync.engine import Done, Progress
from sync.faultproxy import Fault, FaultPlan, FaultProxy, Stats
from sync.reference_server import RunningServer
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.samples import valid_form
from tests.support.sync_engine import engine_for, outbox_of
from tests.test_sync_engine_uploads import _port, _proxied, recording

FULL = os.environ.get("LAPOR_BENCH_UPLOAD_RESETS") == "1"
SIZES = [(4 * 1024 * 1024, 512 * 1024)] + ([(20 * 1024 * 1024, 2 * 1024 * 1024)] if FULL else [])


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


def _send_through_cuts(
    tmp_path: Path,
    desk: Desk,
    clerk: Actor,
    server: RunningServer,
    clock: FakeClock,
    plan: FaultPlan,
    size: int,
) -> Stats:
    """One engine run of a complaint with a ``size``-byte file; parts four times the cut."""
    path = recording(tmp_path, size=size)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    saved = desk.intake.submit(valid_form(), actor=clerk, attachments=[path])
    assert saved.queued
    assert plan.cut_upload_after_bytes is not None
    with FaultProxy("127.0.0.1", _port(server), plan=plan) as proxy, requests.Session() as session:
        adapter = _proxied(server, session, proxy, chunk_bytes=4 * plan.cut_upload_after_bytes)
        summary = engine_for(desk, adapter, clock).run_once(Progress())
        stats = proxy.stats()
    assert (summary.attachments_sent, summary.outcome, summary.left) == (1, Done(), 0)
    assert (server.state.blobs_dir / sha256).read_bytes() == path.read_bytes()
    assert outbox_of(desk, saved.uuid, OutboxKind.UPLOAD_ATTACHMENT)[0][0] == "done"
    assert stats.count(Fault.CUT_UPLOAD) >= size // plan.cut_upload_after_bytes - 1
    return stats


@pytest.mark.parametrize(("size", "cut_every"), SIZES)
def test_one_run_finishes_a_file_whose_link_is_reset_every_few_hundred_kb(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    clock: FakeClock,
    size: int,
    cut_every: int,
) -> None:
    """Both ends reset: what the server's kernel held unread is lost, but never the run."""
    plan = FaultPlan(cut_upload_after_bytes=cut_every)
    stats = _send_through_cuts(tmp_path, sqlite_desk, sqlite_clerk, server, clock, plan, size)
    assert 423 not in {r.status for r in server.requests()}
    print(f"\nboth ends reset, {size} B cut every {cut_every} B: {stats.bytes_up / size:.3f}x")


@pytest.mark.parametrize(("size", "cut_every"), SIZES)
def test_a_file_cut_every_few_hundred_kb_costs_at_most_5_percent_more_bytes(
    tmp_path: Path,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    clock: FakeClock,
    size: int,
    cut_every: int,
) -> None:
    """The client's link is reset, the server's side closes cleanly (a reverse proxy)."""
    plan = FaultPlan(cut_upload_after_bytes=cut_every, cut_closes_upstream=True)
    stats = _send_through_cuts(tmp_path, sqlite_desk, sqlite_clerk, server, clock, plan, size)
    assert 423 not in {r.status for r in server.requests()}
    assert stats.bytes_up <= size * 1.05, stats.bytes_up / size
    print(f"\n{size} B cut every {cut_every} B: {stats.bytes_up / size:.3f}x the file")


def test_a_half_open_upload_is_taken_over_by_the_same_office_instead_of_423(
    server: RunningServer,
) -> None:
    """A transfer whose link died without a reset holds the upload until the same office
    comes back: then the server lets go of it, keeps its bytes, and the resumed part goes on."""
    body = b"x" * 4096
    sha256 = hashlib.sha256(body).hexdigest()
    headers = {"Authorization": f"Bearer {server.tokens['2104']}", "Tus-Resumable": "1.0.0"}
    url = f"{server.url}/v1/uploads"
    metadata = f"sha256 {base64.b64encode(sha256.encode()).decode()}"
    with requests.Session() as http:
        created = http.post(
            url, headers={**headers, "Upload-Length": "4096", "Upload-Metadata": metadata}
        )
        assert created.status_code == 201, created.text
        host, port = server.server.socket.getsockname()[:2]
        with socket.create_connection((host, port)) as stuck:  # half-open: never finishes
            stuck.sendall(
                (
                    f"PATCH /v1/uploads/{sha256} HTTP/1.1\r\nHost: x\r\n"
                    f"Authorization: {headers['Authorization']}\r\nTus-Resumable: 1.0.0\r\n"
                    "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                    "Content-Length: 4096\r\n\r\n"
                ).encode()
                + body[:1000]
            )
            offset = "0"
            for _ in range(100):  # until the server has read the part that arrived
                offset = http.head(f"{url}/{sha256}", headers=headers).headers["Upload-Offset"]
                if offset == "1000":
                    break
            assert offset == "1000"
            resumed = http.patch(
                f"{url}/{sha256}",
                data=body[1000:],
                headers={
                    **headers,
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": "1000",
                },
            )
        assert resumed.status_code == 204, resumed.text
        assert resumed.headers["Upload-Offset"] == "4096"
    assert (server.state.blobs_dir / sha256).read_bytes() == body
