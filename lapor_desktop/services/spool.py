"""This workstation's spool: where complaints go while the office database is away.

A shared desk (PostgreSQL on another PC) keeps a SQLite file of its own in
the data folder, ``spool.sqlite3``, with the desk's schema. A complaint
saved there is sealed with the same data key and blind-index key as in the
office database, keeps its client UUID, and takes its number with this
PC's *spool station id* (drawn once from the office database and reserved
there, :func:`lapor_desktop.services.workstations.reserve_spool_station`),
so no spooled number can equal one the office database gives out. The
receipt a citizen holds is therefore already final. :mod:`spool_replay`
moves the spooled complaints into the office database when it answers again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from lapor_desktop.services.context import DeskContext
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Attachment, AuditEntry, Complaint
from lapor_desktop.storage.problems import ProblemKind, storage_problem

SPOOL_FILE = "spool.sqlite3"
MERGED_ACTION = "complaint.spool_merged"
CONFLICT_ACTION = "complaint.spool_conflict"
AWAY_KINDS = frozenset({ProblemKind.NOT_ANSWERING, ProblemKind.TOO_SLOW})
"""The office database's problems that send a save to the spool (a full disk does not)."""


def database_away(error: BaseException) -> bool:
    """Whether ``error`` says the office database cannot be reached or does not answer."""
    problem = storage_problem(error)
    return problem is not None and problem.kind in AWAY_KINDS


class OfficeLink:
    """Whether the office database is away, as the last attempt found it (any thread).

    While it is away, saves go straight to the spool instead of each waiting
    for the connect timeout; only a replay (which asks the database first)
    says it is back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._away_since: dt.datetime | None = None

    @property
    def away_since(self) -> dt.datetime | None:
        with self._lock:
            return self._away_since

    def lost(self, at: dt.datetime) -> None:
        with self._lock:
            if self._away_since is None:
                self._away_since = at

    def back(self) -> None:
        with self._lock:
            self._away_since = None


@dataclass(frozen=True)
class SpooledComplaint:
    """One complaint waiting in the spool, as the operator sees it in the list."""

    uuid: str
    registration_number: str | None
    title: str
    status: str
    saved_at: dt.datetime
    conflict: bool
    """The office database holds a version of it that was sent or changed elsewhere."""


@dataclass(frozen=True)
class MergedComplaint:
    """One complaint a replay moved into the office database (the spool's own audit says so)."""

    uuid: str
    registration_number: str | None
    merged_at: dt.datetime


class Spool:
    """The spool file, opened (and migrated) once; contexts for saving and reading it."""

    def __init__(self, path: Path, office: DeskContext | None, station_id: str) -> None:
        """``office`` None: a spool only read (``workstation spool`` with the database away)."""
        self.path = path
        self.link = OfficeLink()
        self.station_id = station_id
        self._office = office
        self._database: Database | None = None
        self._lock = threading.Lock()

    @property
    def database(self) -> Database:
        """The spool's SQLite database (created 0600 and migrated on first use)."""
        with self._lock:
            if self._database is None:
                database = Database(f"sqlite:///{self.path}")
                try:
                    migrate.upgrade(database)
                except BaseException:
                    database.dispose()
                    raise
                self._database = database
            return self._database

    def context(self) -> DeskContext:
        """The desk's context over the spool, numbering with the spool station id.

        Built on each call, so it carries the vault the desk holds now (a
        sign-in after opening unlocks the spool too).
        """
        office = self._office
        if office is None:
            raise RuntimeError("a spool opened to be read only has no context to save in")
        station = dataclasses.replace(office.station, station_id=self.station_id)
        return dataclasses.replace(office, database=self.database, station=station)

    def waiting(self) -> list[SpooledComplaint]:
        """What this PC recorded while the office database was away and has not merged yet."""
        if not self.path.exists():
            return []
        with self.database.read() as session:
            conflicts = set(
                session.scalars(
                    select(AuditEntry.entity_id).where(AuditEntry.action == CONFLICT_ACTION)
                )
            )
            rows = session.scalars(select(Complaint).order_by(Complaint.id)).all()
            return [
                SpooledComplaint(
                    row.uuid,
                    row.registration_number,
                    row.title,
                    row.status,
                    row.updated_at,
                    row.uuid in conflicts,
                )
                for row in rows
            ]

    def merged(self, *, since: dt.datetime | None = None) -> list[MergedComplaint]:
        """The complaints replays moved into the office database, newest first."""
        if not self.path.exists():
            return []
        query = select(AuditEntry).where(AuditEntry.action == MERGED_ACTION)
        if since is not None:
            query = query.where(AuditEntry.occurred_at >= since)
        with self.database.read() as session:
            return [
                MergedComplaint(
                    entry.entity_id, entry.details.get("registration_number"), entry.occurred_at
                )
                for entry in session.scalars(query.order_by(AuditEntry.id.desc()))
            ]

    def referenced_files(self) -> set[str]:
        """SHA-256 names of the attachment files spooled complaints hold (not orphans)."""
        if not self.path.exists():
            return set()
        with self.database.read() as session:
            return set(session.scalars(select(Attachment.sha256)))

    def dispose(self) -> None:
        with self._lock:
            if self._database is not None:
                self._database.dispose()
                self._database = None
