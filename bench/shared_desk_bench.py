"""A shared office desk under load: five workstations saving at once on one PostgreSQL.

Five processes (five PCs: five data folders, five machine keys, five station ids)
save complaints into one PostgreSQL database as fast as an operator never could,
each timing every save (``IntakeService.submit``: validation, sealing, registration
number, outbox entry, audit entry, word index, commit). Two phases in the same run,
so the figures compare against their own baseline on this machine:

- ``alone``: one workstation saving, the others idle;
- ``five``: all five saving at once;
- ``five+sync``: all five saving while the first also runs the sync engine in a
  background thread (as the window does) against the reference server over loopback,
  claiming and sending what the five save;
- ``five+outage``: all five saving while the server is killed (SIGKILL, postmaster and
  backends) once a third of the saves are in, and started again ``--outage`` seconds
  later (60 by default): saves go to each PC's spool meanwhile, then each PC replays
  its spool as the window does, and the run checks that every complaint is in the
  office database exactly once under the number its save returned.

The server is started for the run (``tests.support.postgres``) with ``fsync`` turned
back on, so commits cost what they cost in an office. Target (issue 20 item 5): save
p95 <= 25 ms with five saving and one syncing, and no save waiting on a sync lease.

    .venv/bin/python -m bench.shared_desk_bench [--saves 200] [--outage 60] [--out bench/out/shared]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from lapor_desktop.desk import open_desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.context import system_clock
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.private_postgres import private_server
from tests.support.samples import OFFICE_CODE, OFFICE_NAME, valid_form

WORKSTATIONS = 5
ROOT = Path(__file__).resolve().parent.parent


def worker(args: argparse.Namespace) -> None:
    """One PC: open the desk, sign in, wait for the start line, save, print the timings."""
    desk = open_desk(
        DataPaths(Path(args.worker)),
        database_url=args.url,
        clock=system_clock,
        account_factory=accounts.cheap_accounts,
    )
    actor = accounts.sign_in(desk, Path(args.worker).name, accounts.PASSWORD).actor
    syncing = _start_sync(desk, args) if args.sync_url else None
    ready = Path(args.worker) / "ready"
    ready.write_text("ok")
    while not Path(args.start).exists():
        time.sleep(0.01)
    timings, saved, spooled = [], {}, 0
    for n in range(args.saves):
        form = valid_form(title=f"Keluhan {n} dari {Path(args.worker).name} soal air bersih")
        started = time.perf_counter()
        outcome = desk.intake.submit(form, actor=actor)
        timings.append(time.perf_counter() - started)
        assert outcome.queued, outcome
        saved[outcome.uuid] = outcome.registration_number
        spooled += outcome.spooled
    sent = syncing() if syncing else 0
    merged_after = _replay_until_empty(desk) if spooled else 0.0
    result = {"timings": timings, "sent": sent, "saved": saved, "spooled": spooled}
    print(json.dumps({**result, "merged_after_s": merged_after}), flush=True)
    desk.close()


def _replay_until_empty(desk) -> float:  # type: ignore[no-untyped-def]
    """Replay the spool every second, as the window's watch does, until it is empty."""
    from lapor_desktop.services.spool_replay import replay

    started = time.perf_counter()
    while True:
        report = replay(desk.spool, desk.context)
        if not report.away and report.waiting == 0:
            return time.perf_counter() - started
        time.sleep(1.0)


def _start_sync(desk, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The sync engine in a thread, passes back to back while the saves run."""
    import requests

    from lapor_desktop.services.sync_store import SyncStore
    from sync.adapters import LaporV1Adapter
    from sync.engine import EngineConfig, SyncEngine
    from sync.protocol.receipts import public_key_from_text

    stop = threading.Event()
    sent = [0]
    failed: list[BaseException] = []

    def run() -> None:
        with requests.Session() as session:
            adapter = LaporV1Adapter(
                session,
                args.sync_url,
                trusted_keys=[public_key_from_text(args.sync_key)],
                token=args.sync_token,
            )
            store = SyncStore(
                desk.database, desk.context.require_vault(), system_clock, owner="bench"
            )
            engine = SyncEngine(adapter, store, clock=system_clock, config=EngineConfig())
            while not stop.is_set():
                summary = engine.run_once()
                sent[0] += summary.sent
                time.sleep(0.05)

    def guarded() -> None:
        try:
            run()
        except BaseException as error:
            failed.append(error)

    thread = threading.Thread(target=guarded, daemon=True)
    thread.start()

    def finish() -> int:
        stop.set()
        thread.join(timeout=60)
        if failed:
            raise failed[0]
        return sent[0]

    return finish


def _phase(  # type: ignore[no-untyped-def]
    root: Path,
    url: str,
    saving: int,
    saves: int,
    sync: dict[str, str] | None,
    outage=None,
) -> dict:
    """Start the workstations, release them at once, collect every save's time.

    ``outage``: (the server, seconds): killed once a third of the saves are in.
    """
    start = root / f"start-{uuid.uuid4().hex[:6]}"
    children = []
    for n in range(saving):
        folder = root / f"pc{n}"
        command = [sys.executable, "-m", "bench.shared_desk_bench", "--worker", str(folder)]
        command += ["--url", url, "--saves", str(saves), "--start", str(start)]
        if sync and n == 0:
            command += ["--sync-url", sync["url"], "--sync-token", sync["token"]]
            command += ["--sync-key", sync["key"]]
        env = {**os.environ, MACHINE_KEY_FILE_ENV: str(root / f"keys-pc{n}" / "machine.key")}
        (folder / "ready").unlink(missing_ok=True)
        children.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        )
    while not all((root / f"pc{n}" / "ready").exists() for n in range(saving)):
        if any(child.poll() is not None for child in children):
            raise RuntimeError("a workstation process ended before the start")
        time.sleep(0.05)
    before = _count(url)
    started = time.perf_counter()
    start.write_text("go")
    if outage is not None:
        server, seconds = outage
        while _count(url) - before < saving * saves // 3:
            time.sleep(0.02)
        server.kill()
        time.sleep(seconds)
        server.start()
    timings: list[float] = []
    sent, spooled, merged_after = 0, 0, 0.0
    saved: dict[str, str] = {}
    for child in children:
        out, _ = child.communicate(timeout=600)
        if child.returncode != 0:
            raise RuntimeError(f"a workstation failed with {child.returncode}")
        result = json.loads(out.strip().splitlines()[-1])
        timings += result["timings"]
        sent += result["sent"]
        saved.update(result["saved"])
        spooled += result["spooled"]
        merged_after = max(merged_after, result["merged_after_s"])
    wall = time.perf_counter() - started
    ms = sorted(t * 1000 for t in timings)
    checked = _exactly_once(url, saved, before) if outage is not None else {}
    return {
        **checked,
        "spooled": spooled,
        "merged_after_restart_s": round(merged_after, 1),
        "workstations": saving,
        "saves": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 1),
        "max_ms": round(ms[-1], 1),
        "saves_per_s": round(len(ms) / wall, 1),
        "synced_meanwhile": sent,
    }


def _lock_waits(log: Path, since: int) -> dict[str, int]:
    """The server's "still waiting for" lines since byte ``since``, by what was waited for."""
    with log.open("rb") as handle:
        handle.seek(since)
        text = handle.read().decode("utf-8", "replace")
    found: dict[str, int] = {}
    pattern = r"still waiting for (\w+Lock) on ([a-z ]+?)(?=\s*[\d\[(]|$)"
    for match in re.finditer(pattern, text, re.M):
        kind = f"{match.group(1)} on {match.group(2).strip()}"
        found[kind] = found.get(kind, 0) + 1
    return found


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM complaints")).scalar_one())
    finally:
        engine.dispose()


def _exactly_once(url: str, saved: dict[str, str], before: int) -> dict[str, object]:
    """Every save of the phase in the office database once, under its number; else raise."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT uuid, registration_number FROM complaints")
            ).all()
    finally:
        engine.dispose()
    found = {str(uuid): str(number) for uuid, number in rows}
    missing = [uuid for uuid, number in saved.items() if found.get(uuid) != number]
    if missing or len(rows) - before != len(saved) or len(found) != len(rows):
        raise RuntimeError(f"not exactly once: {len(missing)} missing or renumbered")
    return {"in_office_exactly_once": len(saved)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200, help="saves per workstation")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "shared")
    parser.add_argument("--outage", type=float, default=60.0, help="seconds the server is down")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    parser.add_argument("--sync-url", help=argparse.SUPPRESS)
    parser.add_argument("--sync-token", help=argparse.SUPPRESS)
    parser.add_argument("--sync-key", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    from sync.reference_server import ServerConfig, start_in_thread

    waits = {"log_lock_waits": "on", "deadlock_timeout": "10ms"}  # a wait over 10 ms is logged
    with (
        tempfile.TemporaryDirectory(prefix="lapor-shared-") as folder,
        private_server(waits) as own,
    ):
        root, admin = Path(folder), own.url  # fsync on: commits cost what they cost in an office
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text('CREATE DATABASE "shared"'))
        engine.dispose()
        url = admin.rsplit("/", 1)[0] + "/shared"
        os.environ[MACHINE_KEY_FILE_ENV] = str(root / "keys-pc0" / "machine.key")
        office = OfficeSettings(office_code=OFFICE_CODE, office_name=OFFICE_NAME)
        first = accounts.initialise_desk(
            DataPaths(root / "pc0").ensure(), office, system_clock, url
        )
        boss = accounts.sign_in_supervisor(first)
        for n in range(WORKSTATIONS):  # one account per operator, as in an office
            accounts.add_user(first, boss, f"pc{n}", Role.FRONT_DESK)
        first.close()
        server = start_in_thread(ServerConfig(data_dir=root / "server"))
        try:
            sync = {
                "url": server.url,
                "token": server.tokens[OFFICE_CODE],
                "key": server.public_key_text,
            }
            phases = {
                "alone": lambda: _phase(root, url, 1, args.saves, None),
                "five": lambda: _phase(root, url, WORKSTATIONS, args.saves, None),
                "five+sync": lambda: _phase(root, url, WORKSTATIONS, args.saves, sync),
                "five+outage": lambda: _phase(
                    root, url, WORKSTATIONS, args.saves, None, (own, args.outage)
                ),
            }
            results = {}
            for name, run in phases.items():
                seen = own.log.stat().st_size
                results[name] = {**run(), "lock_waits_over_10ms": _lock_waits(own.log, seen)}
        finally:
            server.stop()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "shared_desk.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
