"""Adding a PC to an office's shared PostgreSQL desk, and station ids that stay unique.

A second workstation needs nothing from the first but the database URL: it
reads the office from the database. What can go wrong is pointing it at the
wrong place, so a join checks first, reading only (no migration, no writes):
the database is shared (PostgreSQL, not this PC's own SQLite file), it answers,
it was set up, its schema is exactly this program's (a joining PC of another
version must not migrate a database the other PCs still use), and it belongs
to the office the IT officer named.

The station id names a PC in registration numbers and in its machine-key
wrap of the data key (one per station). It is drawn at random; a new PC of a
shared desk draws again while the database already knows the id, so a new PC
can never take over another PC's key wrap.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.services.office import load_office
from lapor_desktop.settings import OfficeSettings, WorkstationSettings, new_station_id
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, KeyWrap, RegistrationCounter
from lapor_desktop.storage.revisions import head_revision, known_revisions

JOINED_ACTION = "workstation_joined"
_DRAWS = 64


class JoinProblem(enum.StrEnum):
    NOT_SHARED = "not_shared"
    NOT_SET_UP = "not_set_up"
    OTHER_OFFICE = "other_office"
    OLDER_SCHEMA = "older_schema"
    NEWER_SCHEMA = "newer_schema"


_MESSAGES = {
    JoinProblem.NOT_SHARED: N_(
        "This PC uses its own SQLite database, so there is no shared desk to join. Set "
        "LAPOR_DATABASE_URL to the office's PostgreSQL database (the same value as on the "
        "other PCs), then run this again."
    ),
    JoinProblem.NOT_SET_UP: N_(
        "The office database answers but has not been set up yet. Set up the desk once, on "
        "the first PC (lapor-desktop init), then join the other PCs."
    ),
    JoinProblem.OTHER_OFFICE: N_(
        "The office database belongs to office {found} ({name}), not to {expected}. Check "
        "LAPOR_DATABASE_URL: this PC must not record complaints into another office's desk."
    ),
    JoinProblem.OLDER_SCHEMA: N_(
        "The office database is at an older version (schema {found}) than this program "
        "(schema {expected}). Install the same version of LAPOR! Desktop on every PC of the "
        "office, starting with the PC that holds the database, then join this PC."
    ),
    JoinProblem.NEWER_SCHEMA: N_(
        "The office database was upgraded by a newer version of LAPOR! Desktop (schema "
        "{found}) than the one on this PC (schema {expected}). Install that newer version "
        "on this PC, then join it."
    ),
}


@dataclass(frozen=True)
class JoinRefused:
    problem: JoinProblem
    details: dict[str, str]

    @property
    def message(self) -> Message:
        return Message(_MESSAGES[self.problem], self.details)


@dataclass(frozen=True)
class Joinable:
    """What the checks found: the office, its schema revision, and where it lives."""

    office: OfficeSettings
    revision: str
    server: str
    """Host, port and database name: never the user name or password."""


def check_join(database: Database, office_code: str) -> Joinable | JoinRefused:
    """Whether this PC may join ``database`` as a workstation of ``office_code``.

    Reads only; a server that does not answer raises the driver's error, which
    :func:`lapor_desktop.storage.problems.storage_problem` names.
    """
    if database.is_sqlite:
        return JoinRefused(JoinProblem.NOT_SHARED, {})
    revision = migrate.current_revision(database)
    office = load_office(database) if revision is not None else None
    if revision is None or office is None:
        return JoinRefused(JoinProblem.NOT_SET_UP, {})
    head = head_revision()
    if revision != head:
        problem = (
            JoinProblem.OLDER_SCHEMA if revision in known_revisions() else JoinProblem.NEWER_SCHEMA
        )
        return JoinRefused(problem, {"found": revision, "expected": head})
    if office.office_code != office_code:
        return JoinRefused(
            JoinProblem.OTHER_OFFICE,
            {"found": office.office_code, "name": office.office_name, "expected": office_code},
        )
    url = database.engine.url
    server = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
    return Joinable(office, revision, server)


def stations_in_use(database: Database) -> set[str]:
    """Every station id the office's database knows: key wraps, counters, audit entries."""
    queries = (
        select(KeyWrap.station_id).where(KeyWrap.station_id.is_not(None)).distinct(),
        select(RegistrationCounter.station_id).distinct(),
        select(AuditEntry.station_id).distinct(),
    )
    with database.read() as session:
        return {str(station) for query in queries for station in session.scalars(query)}


def unused_station_id(database: Database, draw: Callable[[], str] = new_station_id) -> str:
    """A station id no other PC of this database has used."""
    taken = stations_in_use(database)
    for _ in range(_DRAWS):
        station = draw()
        if station not in taken:
            return station
    raise RuntimeError(f"no unused station id in {_DRAWS} draws ({len(taken)} taken)")


SPOOL_RESERVED = "workstation.spool_station_reserved"


def reserve_spool_station(
    database: Database, station: WorkstationSettings, *, now: dt.datetime
) -> WorkstationSettings:
    """``station`` with a spool station id, drawn unused and reserved in ``database``.

    The reservation is an audit entry under the new id, which is one of the
    places :func:`stations_in_use` reads, so no PC draws it later. The
    caller saves the settings it returns.
    """
    if station.spool_station_id:
        return station
    taken = stations_in_use(database) | {station.station_id}
    spool_id = next((s for s in (new_station_id() for _ in range(_DRAWS)) if s not in taken), "")
    if not spool_id:
        raise RuntimeError(f"no unused spool station id in {_DRAWS} draws")
    with database.write() as session:
        audit.record(
            session,
            at=now,
            actor="desk",
            station_id=spool_id,
            action=SPOOL_RESERVED,
            entity_type="workstation",
            entity_id=station.station_id,
        )
    return dataclasses.replace(station, spool_station_id=spool_id)
