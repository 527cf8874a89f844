"""Offline-bundle benchmark (issue 14): export, relay import, size, relay upload on a cut link.

An island desk (office 2104) meets the reference server once (its keys registered, the
national bundle key learned), goes offline and records the complaints, the first ``--files``
with one photo-like file each (a JPEG header, then random bytes: nothing compresses them).

    .venv/bin/python -m bench.bundles_bench                 # 1,000 complaints, 20 x 2 MiB, 2 Mbit/s
    .venv/bin/python -m bench.bundles_bench --link-kbit 256 # the issue's link (~22 min)
    .venv/bin/python -m bench.bundles_bench --files 4 --link-kbit 256  # a shorter one

(1) ``export_bundle`` on the island: wall time of the call (no interpreter start, no sign-in);
(2) ``import_bundle`` of those volumes on a relay desk of office 2101: wall time of the call;
(3) the bundle's bytes (its volume files) over the compressed payload, defined as zlib level 6
    (the level the format uses) of the msgpack payload, re-encoded from the opened bundle
    before sealing; also over zlib level 9 of it, over the files' own bytes plus the records
    alone under xz (preset 9e), and over the msgpack payload uncompressed;
(4) the relay desk's ``lapor-desktop sync`` (a real process) through the fault proxy at
    ``--link-kbit`` each way, the link cut (the connection carrying the byte reset, both
    ends) after every ``--cut-every`` client bytes counted over all connections
    (``FaultPlan.cut_link_every_bytes``: each tus part has a connection of its own, so a
    per-connection cut would never fire): the bytes the proxy delivered to the server over
    the bundle's bytes.
Then the return bundle is imported on the island (timed too) and the server must hold every
complaint once. JSON to stdout and ``bench/out/bundles_bench.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import lzma
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import msgspec

from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from sync.bundles.envelope import open_envelope, parse_envelope
from sync.bundles.export import export_bundle
from sync.bundles.incoming import Imported, import_bundle
from sync.bundles.volumes import join_volumes
from sync.faultproxy import Fault, FaultPlan, FaultProxy
from sync.reference_server import RunningServer, ServerConfig, start_in_thread
from tests.support import accounts
from tests.support.bundle_desks import DEAD_URL, files_in, point_at, relay_desk
from tests.support.cli import IT, ROOT, clerk_of, open_desk, set_up_desk
from tests.support.reference_server import OTHER_OFFICE
from tests.support.samples import OFFICE_CODE, valid_form

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
TARGET_SECONDS = 10.0
TARGET_SIZE = 1.1
TARGET_WIRE = 1.05
OUT = Path("bench/out")


@dataclasses.dataclass(frozen=True)
class Plan:
    complaints: int
    files: int
    file_bytes: int
    link_bytes_per_second: int
    cut_every: int
    rtt_ms: float
    passes: int


def lapor(data_dir: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``lapor-desktop`` as a fresh process, signed in as the desk's IT account."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    environment[MACHINE_KEY_FILE_ENV] = os.environ[MACHINE_KEY_FILE_ENV]
    environment.update(LAPOR_USER=IT, LAPOR_PASSWORD=accounts.PASSWORD)
    return subprocess.run(
        [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir), *args, "--lang", "en"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def _synced(data_dir: Path) -> None:
    done = lapor(data_dir, "sync", timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"sync of {data_dir} failed: {done.stdout}{done.stderr}")


def evidence(folder: Path, index: int, size: int, rng: random.Random) -> Path:
    path = folder / f"foto-{index:02d}.jpg"
    path.write_bytes(PHOTO + rng.randbytes(size - len(PHOTO)))
    return path


def island(root: Path, server: RunningServer, plan: Plan) -> Path:
    """An island desk that synced once online, then lost the network and filed the complaints."""
    data = set_up_desk(root / "island")
    point_at(data, server, server.url, OFFICE_CODE)
    _synced(data)
    point_at(data, server, DEAD_URL, OFFICE_CODE)
    folder = root / "files"
    folder.mkdir()
    rng = random.Random(14)
    recent = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    desk = open_desk(data)
    try:
        clerk = clerk_of(desk)
        for n in range(plan.complaints):
            files = [evidence(folder, n, plan.file_bytes, rng)] if n < plan.files else []
            form = valid_form(incident_date=recent, title=f"Jalan rusak nomor {n} di Daik")
            outcome = desk.intake.submit(form, actor=clerk, attachments=files)
            if not outcome.queued:
                raise SystemExit(f"complaint {n} not queued: {outcome}")
    finally:
        desk.close()
    shutil.rmtree(folder)
    return data


def timed_export(data: Path, stick: Path) -> dict[str, object]:
    desk = open_desk(data)
    try:
        supervisor = accounts.sign_in_supervisor(desk).actor
        started = time.perf_counter()
        made = export_bundle(desk.context, stick, actor=supervisor)
        seconds = time.perf_counter() - started
    finally:
        desk.close()
    return {
        "seconds": round(seconds, 2),
        "counts": made.counts,
        "volumes": len(made.paths),
        "envelope_bytes": made.envelope_bytes,
        "met": seconds <= TARGET_SECONDS,
    }


def timed_import(data: Path, volumes: list[Path], expected: Imported) -> dict[str, object]:
    desk = open_desk(data)
    try:
        it = accounts.sign_in(desk, IT, accounts.PASSWORD).actor
        started = time.perf_counter()
        taken = import_bundle(
            desk.context, desk.context.office.national, desk.paths.root, volumes, actor=it
        )
        seconds = time.perf_counter() - started
    finally:
        desk.close()
    if taken.kind is not expected:
        raise SystemExit(f"imported as {taken.kind}, not {expected}")
    result: dict[str, object] = {"seconds": round(seconds, 2), "met": seconds <= TARGET_SECONDS}
    if taken.summary is not None:
        result["recorded"] = taken.summary.counts()
    return result


def size(server: RunningServer, volumes: list[Path]) -> dict[str, object]:
    """The bundle's files against the payload compressed (opened with the national key)."""
    bundle_bytes = sum(p.stat().st_size for p in volumes)
    envelope = parse_envelope(join_volumes(volumes))
    payload = open_envelope(envelope, server.state.bundle_key)
    packed = msgspec.msgpack.encode(payload)
    if len(packed) != envelope.header.payload_bytes:
        raise SystemExit("the re-encoded payload differs from the one sealed")
    started = time.perf_counter()
    level6 = len(zlib.compress(packed, 6))
    zlib_seconds = time.perf_counter() - started
    level9 = len(zlib.compress(packed, 9))
    files = sum(len(a["data"]) for a in payload["attachments"])
    records = len(packed) - files
    # The strongest fair baseline: the files as they are (random: nothing shrinks them) and
    # the records alone under xz at its highest preset.
    bare = {**payload, "attachments": [{**a, "data": b""} for a in payload["attachments"]]}
    records_xz = len(lzma.compress(msgspec.msgpack.encode(bare), preset=9 | lzma.PRESET_EXTREME))
    return {
        "bundle_bytes": bundle_bytes,
        "envelope_bytes": len(envelope.data),
        "msgpack_payload_bytes": len(packed),
        "of_which_file_bytes": files,
        "of_which_record_bytes": records,
        "zlib6_payload_bytes": level6,
        "zlib9_payload_bytes": level9,
        "zlib6_seconds": round(zlib_seconds, 2),
        "records_xz_bytes": records_xz,
        "bundle_over_zlib6": round(bundle_bytes / level6, 5),
        "bundle_over_zlib9": round(bundle_bytes / level9, 5),
        "bundle_over_files_plus_xz_records": round(bundle_bytes / (files + records_xz), 5),
        "bundle_over_msgpack": round(bundle_bytes / len(packed), 5),
        "met": bundle_bytes / level6 <= TARGET_SIZE,
    }


def relay_upload(
    relay: Path, server: RunningServer, plan: Plan, bundle_bytes: int
) -> dict[str, object]:
    """The relay's own sync processes through the shaped, cutting proxy, until answered."""
    port = int(server.url.rsplit(":", 1)[1])
    shape = FaultPlan(
        latency_up_ms=plan.rtt_ms / 2,
        latency_down_ms=plan.rtt_ms / 2,
        bandwidth_up=plan.link_bytes_per_second,
        bandwidth_down=plan.link_bytes_per_second,
        cut_link_every_bytes=plan.cut_every,
    )
    returns = relay / "relay" / "returns"
    passes: list[dict[str, object]] = []
    with FaultProxy("127.0.0.1", port, plan=shape) as proxy:
        point_at(relay, server, proxy.url, OTHER_OFFICE)
        started = time.perf_counter()
        while len(passes) < plan.passes and not files_in(returns):
            begun = time.perf_counter()
            done = lapor(relay, "sync", timeout=4 * 3600)
            passes.append(
                {"exit": done.returncode, "seconds": round(time.perf_counter() - begun, 1)}
            )
        seconds = time.perf_counter() - started
        stats = proxy.stats()
    if not files_in(returns):
        raise SystemExit(f"no return bundle after {passes}")
    if plan.cut_every < bundle_bytes and not stats.count(Fault.CUT_UPLOAD):
        raise SystemExit("the link was never cut: the figure would not be the one asked for")
    limit = bundle_bytes / plan.link_bytes_per_second
    return {
        "link_bytes_per_second": plan.link_bytes_per_second,
        "cut_every": plan.cut_every,
        "rtt_ms": plan.rtt_ms,
        "passes": passes,
        "seconds": round(seconds, 1),
        "bundle_at_link_rate_seconds": round(limit, 1),
        "bytes_up": stats.bytes_up,
        "bytes_down": stats.bytes_down,
        "connections": stats.connections,
        "requests": stats.requests_forwarded,
        "cuts": stats.count(Fault.CUT_UPLOAD),
        "up_over_bundle": round(stats.bytes_up / bundle_bytes, 4),
        "met": stats.bytes_up / bundle_bytes <= TARGET_WIRE,
    }


def run(root: Path, plan: Plan) -> dict[str, object]:
    server = start_in_thread(ServerConfig(data_dir=root / "server"))
    try:
        started = time.perf_counter()
        home = island(root, server, plan)
        relay = relay_desk(root, server)
        _synced(relay)  # its first sync (reference data) on the open network, not measured
        filed = time.perf_counter() - started
        stick = root / "stick"
        stick.mkdir()
        exported = timed_export(home, stick)
        volumes = [Path(p) for p in files_in(stick)]
        imported = timed_import(relay, volumes, Imported.RELAY)
        sized = size(server, volumes)
        uploaded = relay_upload(relay, server, plan, int(str(sized["bundle_bytes"])))
        answer = [Path(p) for p in files_in(relay / "relay" / "returns")]
        returned = timed_import(home, answer, Imported.RETURN)
        held = server.state.store.stored_contents()
        if len(held) != plan.complaints:
            raise SystemExit(f"the server holds {len(held)} complaints, not {plan.complaints}")
    finally:
        server.stop()
    return {
        "plan": dataclasses.asdict(plan),
        "setup_seconds": round(filed, 1),
        "export": exported,
        "relay_import": imported,
        "size": sized,
        "relay_upload": uploaded,
        "return_import": returned,
        "server_complaints": len(held),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bundles_bench", description=__doc__)
    parser.add_argument("--complaints", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20, help="complaints with one file each")
    parser.add_argument("--file-mib", type=float, default=2.0, help="each file's size")
    parser.add_argument("--link-kbit", type=int, default=2048, help="each way; the issue: 256")
    parser.add_argument("--cut-every", type=int, default=2_000_000, help="client bytes")
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    parser.add_argument("--passes", type=int, default=5, help="relay sync runs at most")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    plan = Plan(
        complaints=args.complaints,
        files=args.files,
        file_bytes=int(args.file_mib * 1024 * 1024),
        link_bytes_per_second=args.link_kbit * 1000 // 8,
        cut_every=args.cut_every,
        rtt_ms=args.rtt_ms,
        passes=args.passes,
    )
    root = args.keep or Path(tempfile.mkdtemp(prefix="lapor-bundles-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault(MACHINE_KEY_FILE_ENV, str(root / "machine.key"))
    try:
        result = run(root, plan)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bundles_bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
