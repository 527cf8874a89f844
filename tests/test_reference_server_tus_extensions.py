"""tus termination (DELETE) and expiration (Upload-Expires) over real loopback HTTP."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.adapters import AttachmentSource
from sync.protocol.messages import UploadState
from sync.protocol.tus import encode_metadata
from sync.reference_server import RunningServer, ServerLimits
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server

LIFETIME = dt.timedelta(hours=6)


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    limits = ServerLimits(incomplete_upload_lifetime=LIFETIME)
    with running_reference_server(tmp_path / "server", clock=clock, limits=limits) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


class Tus:
    """Raw tus requests of office 2104, so each header the server sends can be checked."""

    def __init__(self, server: RunningServer, session: requests.Session) -> None:
        self.server = server
        self.session = session
        self.headers = {
            "Authorization": f"Bearer {server.tokens['2104']}",
            "Tus-Resumable": "1.0.0",
        }

    def create(self, data: bytes) -> requests.Response:
        sha256 = hashlib.sha256(data).hexdigest()
        metadata = encode_metadata({"sha256": sha256})
        headers = {**self.headers, "Upload-Length": str(len(data)), "Upload-Metadata": metadata}
        return self.session.post(f"{self.server.url}/v1/uploads", headers=headers)

    def patch(self, data: bytes, offset: int, part: bytes) -> requests.Response:
        headers = {
            **self.headers,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(offset),
        }
        return self.session.patch(self._at(data), data=part, headers=headers)

    def head(self, data: bytes) -> requests.Response:
        return self.session.head(self._at(data), headers=self.headers)

    def delete(self, data: bytes, office: str = "2104") -> requests.Response:
        headers = {**self.headers, "Authorization": f"Bearer {self.server.tokens[office]}"}
        return self.session.delete(self._at(data), headers=headers)

    def _at(self, data: bytes) -> str:
        return f"{self.server.url}/v1/uploads/{hashlib.sha256(data).hexdigest()}"


@pytest.fixture
def tus(server: RunningServer, session: requests.Session) -> Tus:
    return Tus(server, session)


def _expires(response: requests.Response) -> dt.datetime:
    return email.utils.parsedate_to_datetime(response.headers["Upload-Expires"])


def _part(server: RunningServer, data: bytes) -> Path:
    return server.state.uploads_dir / f"{hashlib.sha256(data).hexdigest()}.part"


def test_terminating_an_unfinished_upload_frees_its_bytes_and_forgets_it(
    server: RunningServer, tus: Tus
) -> None:
    data = os.urandom(50_000)
    assert tus.create(data).status_code == 201
    assert tus.patch(data, 0, data[:20_000]).status_code == 204
    assert _part(server, data).stat().st_size == 20_000
    assert tus.delete(data, office="2101").status_code == 403  # another office's upload
    terminated = tus.delete(data)
    assert terminated.status_code == 204 and terminated.headers["Tus-Resumable"] == "1.0.0"
    assert not _part(server, data).exists()
    assert tus.head(data).status_code == 404
    assert tus.patch(data, 20_000, data[20_000:]).status_code == 404
    assert tus.delete(data).status_code == 404
    again = tus.create(data)  # announced afresh, it starts from zero
    assert (again.status_code, again.headers["Upload-Offset"]) == (201, "0")


def test_a_complete_file_belongs_to_its_complaint_and_cannot_be_terminated(
    server: RunningServer, tus: Tus
) -> None:
    data = os.urandom(10_000)
    tus.create(data)
    assert tus.patch(data, 0, data).status_code == 204
    refused = tus.delete(data)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert (server.state.blobs_dir / hashlib.sha256(data).hexdigest()).read_bytes() == data
    assert tus.head(data).headers["Upload-Offset"] == str(len(data))


def test_upload_expires_is_announced_and_moves_on_with_each_patch(
    tus: Tus, clock: FakeClock
) -> None:
    data = os.urandom(30_000)
    created = tus.create(data)
    assert _expires(created) == (clock() + LIFETIME).replace(microsecond=0)
    clock.advance(hours=2)
    patched = tus.patch(data, 0, data[:10_000])
    assert _expires(patched) == (clock() + LIFETIME).replace(microsecond=0)
    assert _expires(tus.head(data)) == _expires(patched)
    finished = tus.patch(data, 10_000, data[10_000:])
    assert finished.status_code == 204 and "Upload-Expires" not in finished.headers
    assert "Upload-Expires" not in tus.head(data).headers


def test_an_unfinished_upload_left_alone_past_its_lifetime_is_gone(
    server: RunningServer, tus: Tus, clock: FakeClock
) -> None:
    stale, fresh = os.urandom(40_000), os.urandom(40_000)
    tus.create(stale)
    tus.patch(stale, 0, stale[:15_000])
    clock.advance(hours=5)
    tus.create(fresh)
    clock.advance(hours=1, seconds=1)
    assert tus.head(stale).status_code == 404
    assert not _part(server, stale).exists()
    assert tus.head(fresh).status_code == 200  # five hours younger: still alive
    assert tus.patch(stale, 15_000, stale[15_000:]).status_code == 404


def test_expired_uploads_are_swept_when_another_is_created_and_at_start(
    tmp_path: Path, server: RunningServer, tus: Tus, clock: FakeClock
) -> None:
    first, second, third = (os.urandom(20_000) for _ in range(3))
    for data in (first, second):
        tus.create(data)
        tus.patch(data, 0, data[:5_000])
    clock.advance(hours=7)
    tus.create(third)  # nobody asked about the first two: the sweep frees them anyway
    assert not _part(server, first).exists() and not _part(server, second).exists()
    tus.patch(third, 0, third[:5_000])
    server.stop()
    clock.advance(hours=7)
    limits = ServerLimits(incomplete_upload_lifetime=LIFETIME)
    with running_reference_server(server.state.config.data_dir, clock=clock, limits=limits):
        assert not _part(server, third).exists()


def test_the_adapter_starts_over_after_its_upload_expired(
    server: RunningServer, tus: Tus, session: requests.Session, clock: FakeClock
) -> None:
    data = os.urandom(200_000)
    tus.create(data)
    tus.patch(data, 0, data[:100_000])
    clock.advance(days=1)
    adapter = adapter_for(server, session, chunk_bytes=64 * 1024)
    source = AttachmentSource(hashlib.sha256(data).hexdigest(), len(data), io.BytesIO(data))
    state = adapter.upload_attachment(source)
    assert state == UploadState(source.sha256, len(data), len(data))
    assert (server.state.blobs_dir / source.sha256).read_bytes() == data
    patches = [r for r in server.requests() if r.method == "PATCH"]
    assert patches[1].header("Upload-Offset") == "0"  # the expired 100 kB were not trusted
