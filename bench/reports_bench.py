"""Dashboard and recap figures on the 1,000,000-complaint database: one month, one year.

Starts from the database ``bench.complaints_bench`` filled (copied, never
changed), migrates the copy and gives its complaints realistic timelines
by bulk SQL (forwarded a few working days after receipt, followed up,
closed; some reopened), then times ``ReportService.report`` (every
figure, the weeks, the overdue list and both comparisons; for the month also
limited to one district) and the recap files.
Reports p50/max; the target is 1 s (docs/performance.md).

    .venv/bin/python -m bench.reports_bench [--source bench/out/data] [--reuse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import time
from pathlib import Path

from sqlalchemy import text

from lapor_desktop.domain.roles import Role
from lapor_desktop.reference.store import ReferenceLookup
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.reports.areas import Area
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.service import OfficeReport, ReportService
from lapor_desktop.settings import OfficeSettings, WorkstationSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database

AS_OF = dt.date(2026, 12, 7)
ACTOR = Actor("bench", Role.SUPERVISOR)
LINGGA = Area("210402", "Lingga")
"""The dashboard limited to one district (the bench's complaints are placed by district)."""
TIMELINE_SQL = (
    # Every complaint past "sent" was forwarded 1-6 days after receipt (some late).
    """INSERT INTO status_events (complaint_id, status, occurred_at, actor, source, note)
       SELECT id, 'forwarded', datetime(submitted_at, '+' || (1 + id % 6) || ' days'),
              'bench', 'national', ''
       FROM complaints WHERE status IN ('followed_up', 'finished', 'archived')""",
    """INSERT INTO status_events (complaint_id, status, occurred_at, actor, source, note)
       SELECT id, 'followed_up', datetime(submitted_at, '+' || (4 + id % 9) || ' days'),
              'bench', 'national', ''
       FROM complaints WHERE status IN ('finished', 'archived')""",
    # One in twenty finished complaints was reopened: closed once, then followed up again.
    """UPDATE complaints SET status = 'followed_up'
       WHERE status = 'finished' AND id % 20 = 0""",
)


PROPOSED_INDEXES = (
    # Asked for in a migration (issue 18): the period filter and the timeline steps, both
    # covering, so a year's figures never read the wide complaint rows.
    "CREATE INDEX IF NOT EXISTS ix_complaints_received_report ON complaints (submitted_at, "
    "status, classification, category_code, agency_code, channel, region_code, delivered_via, "
    "rahasia, anonim)",
    "CREATE INDEX IF NOT EXISTS ix_status_events_timeline "
    "ON status_events (complaint_id, status, occurred_at)",
)
WITHOUT_INDEXES = (
    "DROP INDEX IF EXISTS ix_complaints_received_report",
    "DROP INDEX IF EXISTS ix_status_events_timeline",
)


def set_indexes(database: Database, *, proposed: bool) -> None:
    with database.write() as session:
        for statement in PROPOSED_INDEXES if proposed else WITHOUT_INDEXES:
            session.execute(text(statement))
        session.execute(text("ANALYZE"))


def prepare(source: Path, target: Path) -> Database:
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"Copying {source} to {target}")
    shutil.copyfile(source, target)
    database = Database(f"sqlite:///{target}")
    migrate.upgrade(database)
    with database.write() as session:
        for statement in TIMELINE_SQL:
            session.execute(text(statement))
        session.execute(
            text(
                "UPDATE complaints SET delivered_via = 'protocol' "
                "WHERE status != 'queued' AND id % 4 != 0"
            )
        )
        session.execute(
            text(
                "UPDATE complaints SET delivered_via = 'website' "
                "WHERE status != 'queued' AND id % 4 = 0"
            )
        )
    with database.write() as session:
        session.connection().exec_driver_sql("ANALYZE")
    return database


def time_report(
    service: ReportService, period: Period, rounds: int, area: Area | None = None
) -> tuple[dict[str, float], OfficeReport]:
    samples: list[float] = []
    report: OfficeReport | None = None
    for _ in range(rounds):
        started = time.perf_counter()
        report = service.report(period, actor=ACTOR, as_of=AS_OF, area=area)
        samples.append(time.perf_counter() - started)
    assert report is not None
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
        "n": rounds,
        "complaints": report.received.total,
    }, report


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("bench/out/data/lapor.sqlite3"))
    parser.add_argument("--copy", type=Path, default=Path("bench/out/reports/lapor.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an already prepared copy")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--proposed-indexes", action="store_true", help="with the two indexes the issue asks for"
    )
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    if args.reuse and args.copy.exists():
        database = Database(f"sqlite:///{args.copy}")
    else:
        database = prepare(args.source, args.copy)
    set_indexes(database, proposed=args.proposed_indexes)
    office = OfficeSettings(office_code="2104", office_name="Pemerintah Kabupaten Lingga")
    context = DeskContext(
        database=database,
        office=office,
        station=WorkstationSettings.new(),
        references=ReferenceLookup(database),
        attachments_root=args.copy.parent / "attachments",
    )
    service = ReportService(context)
    result: dict[str, object] = {"proposed_indexes": args.proposed_indexes}
    try:
        for name, period, area in (
            ("month_2026_11", Period.month(2026, 11), None),
            ("month_2026_11_one_district", Period.month(2026, 11), LINGGA),
            ("year_2025", Period.year(2025), None),
        ):
            result[name], report = time_report(service, period, args.rounds, area)
            if name.startswith("year"):
                result["recap_files"] = time_recap_files(report, args.copy.parent)
    finally:
        database.dispose()
    suffix = "_indexed" if args.proposed_indexes else ""
    output = args.output or Path(f"bench/out/reports_bench{suffix}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return result


def time_recap_files(report: OfficeReport, folder: Path) -> dict[str, float]:
    """Writing the year's recap files once the figures are in hand."""
    from lapor_desktop.services.reports.recap_meta import RecapMeta
    from lapor_desktop.services.reports.recap_pdf import write_pdf
    from lapor_desktop.services.reports.recap_xlsx import write_xlsx

    meta = RecapMeta(
        made_by="Benchmark",
        made_at=dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC),
        timezone="Asia/Jakarta",
    )
    timings: dict[str, float] = {}
    for name, writer in (("xlsx_ms", write_xlsx), ("pdf_ms", write_pdf)):
        started = time.perf_counter()
        with (folder / f"recap.{name[:-3]}").open("wb") as handle:
            writer(report, meta, handle)
        timings[name] = round((time.perf_counter() - started) * 1000, 1)
    return timings


if __name__ == "__main__":
    main()
