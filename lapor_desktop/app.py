"""The composition root: builds the desk from a data folder and wires every part once.

This is the only core module allowed to import the sync engine and the GUI.
"""

from __future__ import annotations

from dataclasses import dataclass

from lapor_desktop.attachments.store import AttachmentStore
from lapor_desktop.paths import DataPaths
from lapor_desktop.reference.store import ReferenceLookup, ensure_bundled
from lapor_desktop.services.context import Clock, DeskContext, system_clock
from lapor_desktop.services.follow_ups import FollowUpService
from lapor_desktop.services.intake import IntakeService
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.office import OfficeNotInitialised, load_office, save_office
from lapor_desktop.settings import OfficeSettings, WorkstationSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database


@dataclass
class Desk:
    """Everything a front end (GUI or command line) needs, ready to use."""

    paths: DataPaths
    context: DeskContext
    intake: IntakeService
    lookup: LookupService
    follow_ups: FollowUpService

    @property
    def database(self) -> Database:
        return self.context.database

    def close(self) -> None:
        self.context.database.dispose()


def open_database(paths: DataPaths, database_url: str | None = None) -> Database:
    """Connect and migrate (refusing a database from a newer version)."""
    paths.ensure()
    database = Database(database_url or paths.database_url())
    migrate.upgrade(database)
    return database


def workstation(paths: DataPaths) -> WorkstationSettings:
    paths.ensure()
    settings = WorkstationSettings.load(paths.workstation_settings)
    if settings is None:
        settings = WorkstationSettings.new()
        settings.save(paths.workstation_settings)
    return settings


def initialise(
    paths: DataPaths,
    office: OfficeSettings,
    *,
    database_url: str | None = None,
    clock: Clock = system_clock,
) -> Desk:
    """First set-up of a desk: schema, office settings, bundled reference data."""
    database = open_database(paths, database_url)
    save_office(database, office, now=clock())
    database.dispose()
    return open_desk(paths, database_url=database_url, clock=clock)


def open_desk(
    paths: DataPaths, *, database_url: str | None = None, clock: Clock = system_clock
) -> Desk:
    database = open_database(paths, database_url)
    office = load_office(database)
    if office is None:
        database.dispose()
        raise OfficeNotInitialised()
    ensure_bundled(database)
    context = DeskContext(
        database=database,
        office=office,
        station=workstation(paths),
        references=ReferenceLookup(database),
        attachments=AttachmentStore(paths.attachments),
        clock=clock,
    )
    return Desk(
        paths, context, IntakeService(context), LookupService(database), FollowUpService(context)
    )
