"""Resumable attachment uploads (tus 1.0) over real loopback HTTP."""

from __future__ import annotations

import hashlib
import io
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.adapters import AttachmentSource, LaporV1Adapter, NotFound, Rejected, TooLarge
from sync.protocol.messages import UploadState
from sync.protocol.tus import checksum_header, encode_metadata
from sync.reference_server import RunningServer, ServerLimits
from tests.support.clock import FakeClock
from tests.support.reference_server import adapter_for, running_reference_server

CHUNK = 64 * 1024


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    limits = ServerLimits(max_upload_bytes=2_000_000)
    with running_reference_server(tmp_path / "server", clock=clock, limits=limits) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


@pytest.fixture
def adapter(server: RunningServer, session: requests.Session) -> LaporV1Adapter:
    return adapter_for(server, session, chunk_bytes=CHUNK)


def _source(data: bytes, sha256: str | None = None) -> AttachmentSource:
    return AttachmentSource(
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        length=len(data),
        stream=io.BytesIO(data),
        filename="jalan-rusak.jpg",
        media_type="image/jpeg",
    )


def _patches(server: RunningServer) -> list[tuple[str | None, int]]:
    return [
        (r.header("Upload-Offset"), r.body_length) for r in server.requests() if r.method == "PATCH"
    ]


def test_an_upload_goes_through_in_chunks_and_is_stored_under_its_hash(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    data = os.urandom(300_000)
    source = _source(data)
    assert isinstance(adapter.upload_offset(source.sha256), NotFound)
    state = adapter.upload_attachment(source)
    assert state == UploadState(source.sha256, len(data), len(data))
    assert (server.state.blobs_dir / source.sha256).read_bytes() == data
    assert [offset for offset, _ in _patches(server)] == [str(n) for n in range(0, 300_000, CHUNK)]
    again = adapter.upload_attachment(_source(data))
    assert isinstance(again, UploadState) and again.complete
    assert len(_patches(server)) == 5  # nothing sent twice


def _interrupted_patch(server: RunningServer, sha256: str, data: bytes, sent: int) -> bytes:
    """A PATCH announcing the whole file whose connection ends after ``sent`` bytes."""
    host, port = server.server.socket.getsockname()[:2]
    head = (
        f"PATCH /v1/uploads/{sha256} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: Bearer {server.tokens['2104']}\r\n"
        "Tus-Resumable: 1.0.0\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        "Upload-Offset: 0\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(head + data[:sent])
        connection.shutdown(socket.SHUT_WR)  # the link drops: no more bytes will come
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_an_interrupted_upload_continues_from_the_servers_offset(
    server: RunningServer, adapter: LaporV1Adapter, session: requests.Session
) -> None:
    data = os.urandom(250_000)
    sha256 = hashlib.sha256(data).hexdigest()
    created = session.post(
        f"{server.url}/v1/uploads",
        headers={
            "Authorization": f"Bearer {server.tokens['2104']}",
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(data)),
            "Upload-Metadata": encode_metadata({"sha256": sha256}),
        },
    )
    assert created.status_code == 201
    assert created.headers["Location"] == f"/v1/uploads/{sha256}"
    _interrupted_patch(server, sha256, data, sent=100_000)
    held = adapter.upload_offset(sha256)
    assert held == UploadState(sha256, 100_000, len(data))
    state = adapter.upload_attachment(_source(data))
    assert isinstance(state, UploadState) and state.complete
    resumed = [(str(100_000 + n * CHUNK), CHUNK) for n in range(2)]
    resumed.append((str(100_000 + 2 * CHUNK), len(data) - 100_000 - 2 * CHUNK))
    assert _patches(server)[-3:] == resumed
    assert (server.state.blobs_dir / sha256).read_bytes() == data


def test_content_that_does_not_match_its_hash_is_thrown_away(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    data = os.urandom(100_000)
    claimed = hashlib.sha256(b"another file").hexdigest()
    outcome = adapter.upload_attachment(
        AttachmentSource(claimed, len(data), io.BytesIO(data), filename="x.pdf")
    )
    assert isinstance(outcome, Rejected)
    assert (outcome.status, outcome.code) == (460, "checksum-mismatch")
    assert adapter.upload_offset(claimed) == UploadState(claimed, 0, len(data))
    assert not (server.state.blobs_dir / claimed).exists()


def test_tus_discovery_and_protocol_checks(
    server: RunningServer, session: requests.Session
) -> None:
    options = session.options(f"{server.url}/v1/uploads")
    assert options.status_code == 204
    assert options.headers["Tus-Version"] == "1.0.0"
    assert set(options.headers["Tus-Extension"].split(",")) == {
        "creation",
        "checksum",
        "termination",
        "expiration",
    }
    assert options.headers["Tus-Max-Size"] == "2000000"
    auth = {"Authorization": f"Bearer {server.tokens['2104']}"}
    sha256 = hashlib.sha256(b"x").hexdigest()
    no_version = session.head(f"{server.url}/v1/uploads/{sha256}", headers=auth)
    assert no_version.status_code == 412
    assert no_version.headers["Tus-Version"] == "1.0.0"
    too_big = session.post(
        f"{server.url}/v1/uploads",
        headers={
            **auth,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "2000001",
            "Upload-Metadata": encode_metadata({"sha256": sha256}),
        },
    )
    assert too_big.status_code == 413
    assert too_big.headers["Content-Type"] == "application/problem+json"


def test_a_patch_at_the_wrong_offset_is_409_and_the_chunk_checksum_is_verified(
    server: RunningServer, session: requests.Session
) -> None:
    data = os.urandom(1000)
    sha256 = hashlib.sha256(data).hexdigest()
    tus = {"Authorization": f"Bearer {server.tokens['2104']}", "Tus-Resumable": "1.0.0"}
    session.post(
        f"{server.url}/v1/uploads",
        headers={
            **tus,
            "Upload-Length": "1000",
            "Upload-Metadata": encode_metadata({"sha256": sha256}),
        },
    )
    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    wrong = session.patch(
        f"{server.url}/v1/uploads/{sha256}", data=data, headers={**patch, "Upload-Offset": "10"}
    )
    assert (wrong.status_code, wrong.headers["Upload-Offset"]) == (409, "0")
    bad_sum = checksum_header(hashlib.sha256(b"not this").digest())
    refused = session.patch(
        f"{server.url}/v1/uploads/{sha256}",
        data=data[:500],
        headers={**patch, "Upload-Offset": "0", "Upload-Checksum": bad_sum},
    )
    assert refused.status_code == 460
    good_sum = checksum_header(hashlib.sha256(data[:500]).digest())
    accepted = session.patch(
        f"{server.url}/v1/uploads/{sha256}",
        data=data[:500],
        headers={**patch, "Upload-Offset": "0", "Upload-Checksum": good_sum},
    )
    assert (accepted.status_code, accepted.headers["Upload-Offset"]) == (204, "500")


def test_an_attachment_over_the_size_limit_is_too_large(adapter: LaporV1Adapter) -> None:
    data = b"\0" * 2_000_001
    assert isinstance(adapter.upload_attachment(_source(data)), TooLarge)
