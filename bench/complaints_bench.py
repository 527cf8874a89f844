"""Save and search latency on a large office database.

Fills a database with realistic complaints (bulk inserts, the FTS index
maintained by its triggers as in production), then times real saves
through ``IntakeService.submit`` and real first-page searches through
``LookupService.find``. Reports p50/p95; no pass/fail, see
docs/performance.md for the targets and recorded figures.

    .venv/bin/python -m bench.complaints_bench --rows 1000000
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path

from sqlalchemy import insert

from bench.corpus import CLASSIFICATIONS, STATUSES, complaint_text
from lapor_desktop.desk import Desk, FirstSupervisor, initialise, open_desk
from lapor_desktop.domain.complaint import Identity
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.accounts import SignedIn
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage import search
from lapor_desktop.storage.models import ComplainantIdentity, Complaint, OutboxEntry, StatusEvent
from tests.support.samples import valid_form

CHUNK = 5_000
NAMES = [
    "Siti Aminah",
    "Budi Santoso",
    "Rahmat Hidayat",
    "Nur Aisyah",
    "Andi Saputra",
    "Dewi Lestari",
    "Muhammad Rizki",
    "Fatimah Zahra",
    "Hendra Wijaya",
    "Yuliana",
]


def _fake_nik(rng: random.Random) -> str:
    day, month, serial = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1, 9999)
    return f"210401{day:02d}{month:02d}90{serial:04d}"


def fill(desk: Desk, rows: int, seed: int) -> float:
    rng = random.Random(seed)
    vault = desk.context.require_vault()
    start = time.perf_counter()
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    agencies = [a.code for a in desk.context.references.agencies()]
    next_id = 1
    per_day: dict[str, int] = {}
    while next_id <= rows:
        batch = range(next_id, min(rows, next_id + CHUNK - 1) + 1)
        complaints, identities, events, outbox = [], [], [], []
        for cid in batch:
            created = base + dt.timedelta(minutes=cid * (3 * 365 * 24 * 60) // max(rows, 1))
            day = f"{created:%Y%m%d}"
            per_day[day] = per_day.get(day, 0) + 1
            title, description, location, district = complaint_text(rng)
            status = rng.choice(STATUSES)
            complaints.append(
                {
                    "id": cid,
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "registration_number": f"2104-{day}-BNCH-{per_day[day]:04d}",
                    "office_code": "2104",
                    "station_id": "BNCH",
                    "classification": rng.choice(CLASSIFICATIONS),
                    "title": title,
                    "description": description,
                    "incident_date": created.date(),
                    "region_code": district,
                    "region_label": "Kabupaten Lingga, Kepulauan Riau",
                    "location_text": location,
                    "category_code": None,
                    "agency_code": rng.choice(agencies),
                    "channel": "tatap_muka",
                    "anonim": rng.random() < 0.1,
                    "rahasia": rng.random() < 0.05,
                    "urgent": False,
                    "status": status,
                    "sync_state": "pending" if status == "queued" else "sent",
                    "tracking_id": None if status == "queued" else str(3_000_000 + cid),
                    "draft_form": None,
                    "created_by": "bench",
                    "created_at": created,
                    "updated_at": created,
                    "submitted_at": created,
                }
            )
            person = Identity(
                full_name=rng.choice(NAMES),
                nik=_fake_nik(rng),
                phone=f"+62812{rng.randint(10_000_000, 99_999_999)}",
            )
            sealed = vault.seal(complaints[-1]["uuid"], person, salt=f"{cid:032x}")
            identities.append({"complaint_id": cid, **dataclasses.asdict(sealed)})
            events.append(
                {
                    "complaint_id": cid,
                    "status": status,
                    "occurred_at": created,
                    "actor": "bench",
                    "source": "local",
                    "note": "",
                }
            )
            if status == "queued":
                outbox.append(
                    {
                        "complaint_id": cid,
                        "kind": "submit_complaint",
                        "ref_uuid": complaints[-1]["uuid"],
                        "content_hash": "0" * 64,
                        "priority": 0,
                        "state": "pending",
                        "attempts": 0,
                        "last_error": "",
                        "created_at": created,
                    }
                )
        with desk.database.write() as session:
            session.execute(insert(Complaint), complaints)
            session.execute(insert(ComplainantIdentity), identities)
            session.execute(insert(StatusEvent), events)
            if outbox:
                session.execute(insert(OutboxEntry), outbox)
            words = [
                (c["id"], " ".join(str(c[k] or "") for k in search.WORD_COLUMNS))
                for c in complaints
            ]
            search.index_rows(session.connection(), words)  # core inserts skip the ORM's events
        next_id = batch[-1] + 1
        print(f"\r  filled {batch[-1]:,} / {rows:,}", end="", flush=True)
    print()
    return time.perf_counter() - start


SUPERVISOR = FirstSupervisor("kepala", "Benchmark", "Daik-Lingga-2104!")


def _sign_in(desk: Desk) -> Actor:
    """Real Argon2 costs: the benchmark measures what an office PC does."""
    outcome = desk.sign_in(SUPERVISOR.username, SUPERVISOR.password)
    assert isinstance(outcome, SignedIn), outcome
    return outcome.principal.actor


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49] * 1000, 2),
        "p95_ms": round(q[94] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def time_saves(desk: Desk, count: int) -> dict[str, float]:
    actor = _sign_in(desk)
    samples = []
    for n in range(count):
        form = valid_form(title=f"Keluhan pengukuran nomor {n}")
        started = time.perf_counter()
        outcome = desk.intake.submit(form, actor=actor)
        samples.append(time.perf_counter() - started)
        assert outcome.queued, outcome.issues
    return percentiles(samples)


SEARCHES = [
    ComplaintQuery(text="air"),
    ComplaintQuery(text="jalan rusak"),
    ComplaintQuery(text="puskesmas obat"),
    ComplaintQuery(text="kapal tanjungpinang"),
    ComplaintQuery(text="daik", status="queued"),
    ComplaintQuery(text="pungutan", classification="pengaduan"),
    ComplaintQuery(text="listrik", sync_state="sent"),
    ComplaintQuery(text="sampah pasar dabo"),
    ComplaintQuery(text="beasiswa", created_from=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
    ComplaintQuery(status="queued"),
    ComplaintQuery(),
    ComplaintQuery(text="zzzz tidak ada"),
]


def time_searches(desk: Desk, rounds: int, rows: int) -> dict[str, object]:
    """All first-page searches together, and the slowest kinds of query on their own."""
    actor = _sign_in(desk)
    rng = random.Random(7)
    queries = list(SEARCHES)
    for _ in range(4):  # tracking ids, as a returning citizen brings them
        queries.append(ComplaintQuery(text=str(3_000_000 + rng.randint(1, max(rows, 1)))))
    samples: list[float] = []
    per_query: dict[str, list[float]] = {}
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            desk.lookup.find(query, actor=actor)
            elapsed = time.perf_counter() - started
            samples.append(elapsed)
            label = f"text={query.text!r} status={query.status} class={query.classification}"
            per_query.setdefault(label, []).append(elapsed)
    slowest = sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))[:4]
    return {
        **percentiles(samples),
        "slowest_medians_ms": {k: round(statistics.median(v) * 1000, 2) for k, v in slowest},
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--search-rounds", type=int, default=20)
    parser.add_argument("--data-dir", type=Path, default=Path("bench/out/data"))
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--output", type=Path, default=Path("bench/out/complaints_bench.json"))
    args = parser.parse_args(argv)

    paths = DataPaths(args.data_dir.resolve())
    # No OS keyring on a benchmark machine: the documented key-file fallback, outside the data.
    os.environ.setdefault("LAPOR_MACHINE_KEY_FILE", str(paths.root.parent / "machine.key"))
    office = OfficeSettings(office_code="2104", office_name="Pemerintah Kabupaten Lingga")
    if args.reuse and paths.database.exists():
        desk, fill_seconds = open_desk(paths), 0.0
        _sign_in(desk)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{paths.database}{suffix}").unlink(missing_ok=True)
        desk = initialise(paths.ensure(), office, supervisor=SUPERVISOR)
        print(f"Filling {args.rows:,} complaints into {paths.database}")
        fill_seconds = fill(desk, args.rows, seed=2104)
    try:
        with desk.database.write() as session:
            session.connection().exec_driver_sql("ANALYZE")
        result = {
            "rows": args.rows,
            "fill_seconds": round(fill_seconds, 1),
            "database_mb": round(paths.database.stat().st_size / 2**20, 1),
            "save": time_saves(desk, args.saves),
            "search_first_page": time_searches(desk, args.search_rounds, args.rows),
        }
    finally:
        desk.close()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
