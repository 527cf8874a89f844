"""The practice copy of the LAPOR! report form keeps what operators typed, to check and to show.

Its own small SQLite file beside the reference server's: practice reports are
not protocol records and never enter the changes feed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

PRACTICE_FILE = "practice-form.sqlite3"
FIRST_PRACTICE_ID = 9_000_001
"""Practice tracking IDs start far from the reference server's protocol ones (1,000,001)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS practice_reports (
    tracking_id INTEGER PRIMARY KEY,
    submitted_at TEXT NOT NULL,
    classification TEXT NOT NULL,
    title TEXT NOT NULL,
    story TEXT NOT NULL,
    incident_date TEXT NOT NULL,
    location TEXT NOT NULL,
    agency TEXT NOT NULL,
    category TEXT NOT NULL,
    anonymous INTEGER NOT NULL,
    confidential INTEGER NOT NULL,
    attachment_names TEXT NOT NULL,
    attachment_bytes INTEGER NOT NULL
)
"""
_FIELDS = (
    "classification",
    "title",
    "story",
    "incident_date",
    "location",
    "agency",
    "category",
    "anonymous",
    "confidential",
    "attachment_names",
    "attachment_bytes",
)

_INSERT = (
    "INSERT INTO practice_reports (tracking_id, submitted_at, classification, title, story, "
    "incident_date, location, agency, category, anonymous, confidential, attachment_names, "
    "attachment_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT = (
    "SELECT tracking_id, submitted_at, classification, title, story, incident_date, location, "
    "agency, category, anonymous, confidential, attachment_names, attachment_bytes "
    "FROM practice_reports WHERE tracking_id = ?"
)


@dataclass(frozen=True)
class PracticeReport:
    """One report as typed into the practice form."""

    classification: str
    title: str
    story: str
    incident_date: str
    location: str
    agency: str
    category: str
    anonymous: bool
    confidential: bool
    attachment_names: tuple[str, ...] = ()
    attachment_bytes: int = 0


@dataclass(frozen=True)
class StoredPracticeReport:
    tracking_id: int
    submitted_at: dt.datetime
    report: PracticeReport


class PracticeRecords:
    """Thread-safe: the server answers requests on several threads."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / PRACTICE_FILE
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(_SCHEMA)

    def add(self, report: PracticeReport, now: dt.datetime) -> int:
        """Store the report; returns its new practice tracking ID."""
        row = (
            now.isoformat(),
            report.classification,
            report.title,
            report.story,
            report.incident_date,
            report.location,
            report.agency,
            report.category,
            int(report.anonymous),
            int(report.confidential),
            "\n".join(report.attachment_names),
            report.attachment_bytes,
        )
        with self._lock, self._connect() as db:
            (last,) = db.execute("SELECT MAX(tracking_id) FROM practice_reports").fetchone()
            tracking_id = FIRST_PRACTICE_ID if last is None else int(last) + 1
            db.execute(_INSERT, (tracking_id, *row))
        return tracking_id

    def get(self, tracking_id: int) -> StoredPracticeReport | None:
        with self._connect() as db:
            found = db.execute(_SELECT, (tracking_id,)).fetchone()
        if found is None:
            return None
        number, submitted, *values = found
        fields = dict(zip(_FIELDS, values, strict=True))
        report = PracticeReport(
            **{
                **fields,
                "anonymous": bool(fields["anonymous"]),
                "confidential": bool(fields["confidential"]),
                "attachment_names": tuple(n for n in fields["attachment_names"].split("\n") if n),
            }
        )
        return StoredPracticeReport(int(number), dt.datetime.fromisoformat(submitted), report)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction, committed on success, then the connection closed."""
        with closing(sqlite3.connect(self._path, isolation_level=None, timeout=10)) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
