"""Register import speed: a 10,000-row CSV register into a fresh desk, rows per second.

Every row goes the whole way a real import goes (read, map columns, validate, seal the
identity, registration number, outbox entry, audit entry, word index) on a real SQLite
file, or on the PostgreSQL database ``--database-url`` names (it must be empty). The
seconds until every row is checked and the seconds of the one saving transaction are
given apart. Target: >= 2,000 rows/s (issue 19, docs/performance.md).

    .venv/bin/python -m bench.import_bench [--rows 10000] [--database-url URL]
                                           [--out bench/out/import]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher

from lapor_desktop.desk import FirstSupervisor, initialise
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.keys import KdfParams
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.accounts import AccountService
from lapor_desktop.services.context import Actor, Clock, system_clock
from lapor_desktop.services.importer import ImportProgress, RegisterImporter
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.database import Database

HEADER = (
    "klasifikasi;judul;isi_laporan;tanggal_kejadian;kode_wilayah;lokasi;instansi;kanal;"
    "anonim;rahasia;nama;nik;no_hp;email;alamat"
)
TOPICS = (
    (
        "Jalan rusak di {place}",
        "Jalan menuju {place} berlubang dan tergenang saat hujan.",
        "2104-DPUPR",
    ),
    (
        "Lampu jalan mati di {place}",
        "Penerangan jalan umum di {place} padam sejak seminggu.",
        "2104-DPUPR",
    ),
    (
        "Sampah menumpuk di {place}",
        "Sampah di {place} tidak diangkut sudah dua minggu.",
        "2104-DLH",
    ),
)
PLACES = ("Daik", "Dabo", "Senayang", "Sungai Buluh", "Pancur", "Tanjung Buton")
FIRST = ("Siti", "Ahmad", "Nur", "Rudi", "Dewi", "Hasan", "Rina", "Yusuf")
LAST = ("Aminah", "Saputra", "Hidayat", "Lestari", "Wahyuni", "Pratama")
ACTOR = Actor("bench", Role.SUPERVISOR)


def register(path: Path, rows: int, seed: int = 7) -> Path:
    """A register of ``rows`` valid complaints, anonymous half of the time (no identity)."""
    chance = random.Random(seed)
    lines = [HEADER]
    for number in range(rows):
        title, story, agency = chance.choice(TOPICS)
        place = chance.choice(PLACES)
        anonim = number % 2 == 0
        name = f"{chance.choice(FIRST)} {chance.choice(LAST)}"
        identity = ";;;;" if anonim else f"{name};;0812{chance.randrange(10**7, 10**8)};;"
        lines.append(
            f"pengaduan;{title.format(place=place)} ({number});{story.format(place=place)};"
            f"20/11/2026;210402;{place};{agency};;{'ya' if anonim else 'tidak'};tidak;{identity}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cheap_accounts(database: Database, clock: Clock, station_id: str) -> AccountService:
    """Password hashing at test cost: the bench measures the import, not the sign-in."""
    return AccountService(
        database,
        clock,
        station_id,
        hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
        kdf_params=lambda: KdfParams(os.urandom(16), time_cost=1, memory_cost=8, parallelism=1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    parser.add_argument("--out", type=Path, default=Path("bench/out/import"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lapor-import-bench-"))
    os.environ.setdefault(MACHINE_KEY_FILE_ENV, str(work / "machine.key"))
    try:
        paths = DataPaths(work / "data").ensure()
        desk = initialise(
            paths,
            OfficeSettings("2104", "Kabupaten Lingga"),
            supervisor=FirstSupervisor("kepala", "Kepala", "Bench-Lingga-2104!"),
            database_url=args.database_url,
            clock=system_clock,
            account_factory=cheap_accounts,
        )
        try:
            file = register(work / "register.csv", args.rows)
            checked: list[float] = []

            def heard(progress: ImportProgress) -> None:
                if progress.stage == "check" and progress.done == progress.total:
                    checked.append(time.perf_counter())

            started = time.perf_counter()
            importer = RegisterImporter(desk.context, desk.intake)
            report = importer.run(file, actor=ACTOR, progress=heard)
            ended = time.perf_counter()
            database = desk.database.engine.dialect.name
        finally:
            desk.close()
        if report.refused or len(report.imported) != args.rows:
            raise SystemExit(f"import refused: {report.issues[:3]}")
        seconds = ended - started
        result = {
            "database": database,
            "rows": args.rows,
            "seconds": round(seconds, 2),
            "read_and_check_seconds": round(checked[0] - started, 2),
            "save_seconds": round(ended - checked[0], 2),
            "rows_per_second": round(args.rows / seconds),
        }
        print(json.dumps(result))
        args.out.mkdir(parents=True, exist_ok=True)
        name = f"import-{database}-{args.rows}.json"
        (args.out / name).write_text(json.dumps(result, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
