"""Sync benchmark: the engine side by side with a naive client, in one run.

The naive baseline posts one record per request (uncompressed) and re-sends a
whole attachment on each try, as ODK Collect does; it is written here with
plain ``requests`` so it shares nothing with the engine but the server.

    .venv/bin/python -m bench.sync_bench                 # all three, figures printed as JSON
    .venv/bin/python -m bench.sync_bench --only loopback --complaints 5000

(a) loopback, no link limit: complaints per second end to end (outbox read,
    sent, receipt verified and recorded), on a desk in service and on a fresh
    desk's first sync (which also installs the reference data);
(b) the fault proxy at 256 kbit/s, 600 ms round trips: 500 complaints on a desk in service
    against the link's limits (bytes / rate + one round trip per request and connection);
(c) a 20 MB attachment over a link that drops every 2 MB: bytes sent / file size.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.desk import Desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor, system_clock
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.settings import OfficeSettings
from sync.adapters import AttachmentSource, LaporV1Adapter
from sync.engine import Done, EngineConfig, SyncEngine
from sync.engine.lanes.complaints import stored_receipt
from sync.faultproxy import FaultPlan, FaultProxy
from sync.protocol.messages import Receipt, UploadState
from sync.protocol.receipts import ReceiptVerifier, public_key_from_text
from sync.protocol.tus import encode_metadata
from sync.protocol.wire import dump_json, parse_time
from sync.reference_server import RunningServer, ServerConfig, ServerLimits, start_in_thread
from tests.support import accounts
from tests.support.samples import OFFICE_CODE, OFFICE_NAME, valid_form

LINK_BYTES_PER_SECOND = 256_000 // 8
RTT_SECONDS = 0.6
ATTACHMENT_BYTES = 20 * 1024 * 1024
DROP_EVERY = 2 * 1024 * 1024
DROP_LINK_BYTES_PER_SECOND = 2_000_000


def _desk(root: Path, complaints: int) -> tuple[Desk, Actor]:
    paths = DataPaths(root / "desk").ensure()
    office = OfficeSettings(office_code=OFFICE_CODE, office_name=OFFICE_NAME)
    desk = accounts.initialise_desk(paths, office, system_clock)
    actor = accounts.sign_in_supervisor(desk).actor
    _file(desk, actor, complaints)
    return desk, actor


def _file(desk: Desk, actor: Actor, complaints: int) -> None:
    for n in range(complaints):
        form = valid_form(title=f"Keluhan nomor {n} tentang air bersih di Daik")
        assert desk.intake.submit(form, actor=actor).queued


def _store(desk: Desk) -> SyncStore:
    context = desk.context
    return SyncStore(context.database, context.require_vault(), system_clock, owner="bench")


def _engine_pass(desk: Desk, server: RunningServer | Remote, url: str) -> float:
    """Seconds for the engine to empty the outbox (passes repeated until Done, nothing left)."""
    with requests.Session() as session:
        adapter = LaporV1Adapter(
            session, url, trusted_keys=[server.public_key], token=server.tokens[OFFICE_CODE]
        )
        engine = SyncEngine(adapter, _store(desk), clock=system_clock, config=EngineConfig())
        engine.adopt(engine.stored_link_state())  # as the runner starts: from the last pass
        started = time.perf_counter()
        while True:
            summary = engine.run_once()
            assert isinstance(summary.outcome, Done), summary.outcome
            if _store(desk).counts()["pending"] == 0:
                return time.perf_counter() - started


def _naive_pass(desk: Desk, server: RunningServer | Remote, url: str, limit: int | None) -> float:
    """One record per request, no compression; the same outbox reads and receipt records."""
    store = _store(desk)
    verifier = ReceiptVerifier([server.public_key])
    headers = {"Authorization": f"Bearer {server.tokens[OFFICE_CODE]}"}
    sent = 0
    with requests.Session() as session:
        started = time.perf_counter()
        while limit is None or sent < limit:
            claimed = store.claim_submissions(1)
            if not claimed:
                break
            entry = claimed[0]
            body = {
                "items": [
                    {
                        "client_uuid": entry.client_uuid,
                        "content_hash": entry.content_hash,
                        "content": dict(entry.content),
                    }
                ]
            }
            reply = session.post(
                f"{url}/v1/complaints:batch",
                data=dump_json(body),
                headers={**headers, "Content-Type": "application/json"},
                timeout=60,
            )
            reply.raise_for_status()
            result = reply.json()["results"][0]
            receipt = Receipt(
                entry.client_uuid,
                entry.content_hash,
                result["tracking_id"],
                parse_time(result["receipt"]["server_time"]),
                result["receipt"]["key_id"],
                result["receipt"]["signature"],
            )
            assert verifier.verify(receipt)
            store.mark_sent(entry.outbox_id, stored_receipt(receipt))
            sent += 1
        return time.perf_counter() - started


@dataclasses.dataclass
class Remote:
    """The reference server in its own process, as the national service would be: the client
    measured does not share its interpreter (and GIL) with the server."""

    url: str
    public_key: Ed25519PublicKey
    tokens: dict[str, str]
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, folder: Path) -> Remote:
        command = [sys.executable, "-m", "sync.reference_server", "--port", "0"]
        process = subprocess.Popen([*command, "--data-dir", str(folder)], stdout=subprocess.DEVNULL)
        info_file = folder / "server.json"
        deadline = time.monotonic() + 60
        while not info_file.exists():
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the reference server did not start")
            time.sleep(0.1)
        time.sleep(0.2)  # written before serving starts: let it bind and listen
        info = json.loads(info_file.read_text(encoding="utf-8"))
        tokens = json.loads(Path(info["tokens_file"]).read_text(encoding="utf-8"))
        return cls(
            info["url"],
            public_key_from_text(info["public_key"]),
            {t["office_code"]: t["token"] for t in tokens},
            process,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _server(root: Path, name: str, limits: ServerLimits | None = None) -> RunningServer:
    return start_in_thread(ServerConfig(data_dir=root / name, limits=limits or ServerLimits()))


def loopback(root: Path, complaints: int) -> dict[str, object]:
    """The engine twice: on a desk in service (synced once before, so its reference data and
    feed are current: the usual case) and on a fresh desk's very first sync (which also
    fetches and installs the whole reference set); the naive client never fetches it."""
    server = Remote.start(root / "server-loopback")
    desks: list[Desk] = []
    try:
        warm_desk, actor = _desk(root / "engine-warm", 0)
        desks.append(warm_desk)
        reference_s = _engine_pass(warm_desk, server, server.url)
        _file(warm_desk, actor, complaints)
        desks.append(cold_desk := _desk(root / "engine-cold", complaints)[0])
        desks.append(naive_desk := _desk(root / "naive", complaints)[0])
        engine_s = _engine_pass(warm_desk, server, server.url)
        cold_s = _engine_pass(cold_desk, server, server.url)
        naive_s = _naive_pass(naive_desk, server, server.url, None)
    finally:
        server.stop()
        for desk in desks:
            desk.close()
    return {
        "complaints": complaints,
        "engine_seconds": round(engine_s, 2),
        "engine_per_second": round(complaints / engine_s),
        "first_sync_seconds": round(cold_s, 2),
        "first_sync_per_second": round(complaints / cold_s),
        "reference_only_seconds": round(reference_s, 2),
        "naive_seconds": round(naive_s, 2),
        "naive_per_second": round(complaints / naive_s),
        "speedup": round(naive_s / engine_s, 1),
        "first_sync_speedup": round(naive_s / cold_s, 1),
    }


def _slow_link(server: RunningServer) -> FaultProxy:
    plan = FaultPlan(
        latency_up_ms=RTT_SECONDS * 500,
        latency_down_ms=RTT_SECONDS * 500,
        bandwidth_up=LINK_BYTES_PER_SECOND,
        bandwidth_down=LINK_BYTES_PER_SECOND,
    )
    return FaultProxy("127.0.0.1", int(server.url.rsplit(":", 1)[1]), plan=plan)


def slow_link(root: Path, complaints: int, naive_sample: int) -> dict[str, object]:
    """A desk in service on this link (a pass of as many before: enrolled, data current)."""
    engine_desk, actor = _desk(root / "engine-slow", complaints)
    naive_desk, _ = _desk(root / "naive-slow", naive_sample)
    server = _server(root, "server-slow")
    try:
        with _slow_link(server) as proxy:
            first_s = _engine_pass(engine_desk, server, proxy.url)
            first = proxy.stats()
        _file(engine_desk, actor, complaints)
        seq = max((r.seq for r in server.requests()), default=0)
        with _slow_link(server) as proxy:
            engine_s = _engine_pass(engine_desk, server, proxy.url)
            stats = proxy.stats()
        paths = [f"{r.method} {r.path}" for r in server.requests(seq)]
        round_trips = stats.requests_forwarded + stats.connections  # + a handshake each
        with _slow_link(server) as proxy:
            naive_sample_s = _naive_pass(naive_desk, server, proxy.url, naive_sample)
    finally:
        server.stop()
        engine_desk.close()
        naive_desk.close()
    crossed = stats.bytes_up + stats.bytes_down
    # The link's limit for this exchange: its bytes at 256 kbit/s (each direction has its own
    # 256 kbit/s, the larger one bounds), plus one round trip per request and per connection.
    limit_s = max(stats.bytes_up, stats.bytes_down) / LINK_BYTES_PER_SECOND
    limit_s += round_trips * RTT_SECONDS
    naive_s = naive_sample_s * complaints / naive_sample
    sequential_s = crossed / LINK_BYTES_PER_SECOND + round_trips * RTT_SECONDS
    return {
        "complaints": complaints,
        "first_pass_seconds": round(first_s, 1),
        "first_pass_requests": first.requests_forwarded,
        "engine_seconds": round(engine_s, 1),
        "request_paths": paths,
        "sequential_limit_seconds": round(sequential_s, 1),
        "engine_over_sequential_limit": round(engine_s / sequential_s, 2),
        "bytes_up": stats.bytes_up,
        "bytes_down": stats.bytes_down,
        "bytes_crossed": crossed,
        "requests": stats.requests_forwarded,
        "connections": stats.connections,
        "link_limit_seconds": round(limit_s, 1),
        "engine_over_limit": round(engine_s / limit_s, 2),
        "naive_sample": naive_sample,
        "naive_sample_seconds": round(naive_sample_s, 1),
        "naive_seconds_extrapolated": round(naive_s, 1),
        "speedup": round(naive_s / engine_s, 1),
    }


def _attachment_source(data: bytes) -> AttachmentSource:
    sha256 = hashlib.sha256(data).hexdigest()
    return AttachmentSource(sha256, len(data), io.BytesIO(data), filename="video.mp4")


def dropping_link(root: Path, tries: int) -> dict[str, object]:
    """The adapter's resumable upload (what the engine calls) against a naive whole-file POST."""
    data = os.urandom(ATTACHMENT_BYTES)
    server = _server(root, "server-drop", ServerLimits(max_upload_bytes=ATTACHMENT_BYTES * 2))
    # A real link (16 Mbit/s up) that dies every 2 MB. Without a rate, loopback socket buffers
    # hold megabytes in flight that a reset discards unread, which no protocol can save.
    plan = FaultPlan(cut_upload_after_bytes=DROP_EVERY, bandwidth_up=DROP_LINK_BYTES_PER_SECOND)
    try:
        with FaultProxy("127.0.0.1", int(server.url.rsplit(":", 1)[1]), plan=plan) as proxy:
            resumable = _resumable_upload(server, proxy, data, tries)
        with FaultProxy("127.0.0.1", int(server.url.rsplit(":", 1)[1]), plan=plan) as proxy:
            naive = _naive_upload(server, proxy, data, tries)
    finally:
        server.stop()
    return {"file_bytes": len(data), "resumable": resumable, "naive": naive}


def _resumable_upload(
    server: RunningServer, proxy: FaultProxy, data: bytes, tries: int
) -> dict[str, object]:
    source = _attachment_source(data)
    attempts = 0
    with requests.Session() as session:
        # The whole file in one PATCH, as tus clients do by default: the link, not the chunk
        # size, decides where a transfer stops.
        adapter = LaporV1Adapter(
            session,
            proxy.url,
            trusted_keys=[server.public_key],
            token=server.tokens[OFFICE_CODE],
            chunk_bytes=len(data),
        )
        while attempts < tries:
            attempts += 1
            state = adapter.upload_attachment(source)
            if isinstance(state, UploadState) and state.complete:
                break
    stats = proxy.stats()
    stored = (server.state.blobs_dir / source.sha256).exists()
    patches = [r for r in server.requests() if r.method == "PATCH"]
    return {
        "attempts": attempts,
        "patches": len(patches),
        "complete": stored,
        "bytes_sent": stats.bytes_up,
        "sent_over_size": round(stats.bytes_up / len(data), 3),
    }


def _naive_upload(
    server: RunningServer, proxy: FaultProxy, data: bytes, tries: int
) -> dict[str, object]:
    """Whole file in one PATCH from zero on each try (a new upload each time, as ODK does)."""
    sha256 = hashlib.sha256(data).hexdigest()
    headers = {"Authorization": f"Bearer {server.tokens[OFFICE_CODE]}", "Tus-Resumable": "1.0.0"}
    complete = False
    attempts = 0
    with requests.Session() as session:
        for attempts in range(1, tries + 1):  # noqa: B007 (reported after the loop)
            session.delete(f"{proxy.url}/v1/uploads/{sha256}", headers=headers, timeout=30)
            session.post(
                f"{proxy.url}/v1/uploads",
                headers={
                    **headers,
                    "Upload-Length": str(len(data)),
                    "Upload-Metadata": encode_metadata({"sha256": sha256}),
                },
                timeout=30,
            )
            try:
                reply = session.patch(
                    f"{proxy.url}/v1/uploads/{sha256}",
                    data=data,
                    headers={
                        **headers,
                        "Content-Type": "application/offset+octet-stream",
                        "Upload-Offset": "0",
                    },
                    timeout=60,
                )
            except requests.RequestException:
                continue
            if reply.status_code == 204:
                complete = True
                break
    return {
        "attempts": attempts,
        "complete": complete,
        "bytes_sent": proxy.stats().bytes_up,
        "sent_over_size": round(proxy.stats().bytes_up / len(data), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_bench")
    parser.add_argument("--only", choices=("loopback", "slow", "drop"))
    parser.add_argument("--complaints", type=int, default=5000, help="for the loopback run")
    parser.add_argument("--slow-complaints", type=int, default=500)
    parser.add_argument(
        "--naive-sample", type=int, default=60, help="naive records timed on the slow link"
    )
    parser.add_argument("--tries", type=int, default=30, help="upload attempts at most")
    args = parser.parse_args(argv)
    os.environ.setdefault("LAPOR_MACHINE_KEY_FILE", str(Path(tempfile.mkdtemp()) / "machine.key"))
    runs: dict[str, Callable[[Path], dict[str, object]]] = {
        "loopback": lambda root: loopback(root, args.complaints),
        "slow": lambda root: slow_link(root, args.slow_complaints, args.naive_sample),
        "drop": lambda root: dropping_link(root, args.tries),
    }
    results: dict[str, object] = {}
    for name, run in runs.items():
        if args.only not in (None, name):
            continue
        with tempfile.TemporaryDirectory(prefix=f"lapor-sync-bench-{name}-") as folder:
            results[name] = run(Path(folder))
        print(json.dumps({name: results[name]}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
