"""The desk: a data folder opened into ready services, and its first set-up.

Core only (no Qt, no network): the command line, the window and the sync
commands all open a desk here; the launcher at the top composes them.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from lapor_desktop.backups.automatic import back_up_on_open
from lapor_desktop.backups.copies import DEFAULT_KEEP
from lapor_desktop.backups.startup import (
    Damaged,
    DatabaseDamaged,
    check_database,
    full_check_due,
)
from lapor_desktop.i18n import Message
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths
from lapor_desktop.reference.store import ReferenceLookup, ensure_bundled
from lapor_desktop.security.file_modes import Loosened, check_data_folder
from lapor_desktop.security.machine_key import MachineKeyStore, machine_key_store
from lapor_desktop.services.accounts import (
    AccountService,
    AuthOutcome,
    Principal,
    Refused,
    SignedIn,
)
from lapor_desktop.services.context import Clock, DeskContext, system_clock
from lapor_desktop.services.data_key import DataKeyService
from lapor_desktop.services.data_subject import DataSubjectService
from lapor_desktop.services.events import EventHub
from lapor_desktop.services.export import ExportService
from lapor_desktop.services.follow_ups import FollowUpService
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.intake import IntakeService
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.office import OfficeNotInitialised, load_office, save_office
from lapor_desktop.services.orphan_files import remove_orphans
from lapor_desktop.services.overrides import audit_restore
from lapor_desktop.services.passwords import check_password, check_username, normalise_username
from lapor_desktop.services.spool import SPOOL_FILE, Spool
from lapor_desktop.services.spool_intake import SpoolingIntake
from lapor_desktop.services.website_lane import WebsiteLane
from lapor_desktop.services.website_records import WebsiteRecords
from lapor_desktop.services.workstations import reserve_spool_station, unused_station_id
from lapor_desktop.settings import OfficeSettings, WorkstationSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.pg_connect import DEFAULT_TIMEOUT_SECONDS, PgTimeouts

AccountFactory = Callable[[Database, Clock, str], AccountService]
"""Builds the account service; tests pass one with cheap Argon2 costs."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FirstSupervisor:
    """The account ``init`` creates; it chose its own password, so no forced change."""

    username: str
    display_name: str
    password: str

    def problem(self) -> Message | None:
        """Why these credentials cannot be used, checked before anything is created."""
        name = normalise_username(self.username)
        return check_username(name) or check_password(self.password, name)


class SetupRefused(RuntimeError):
    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render("en"))


@dataclass
class Desk:
    """Everything a front end (GUI or command line) needs, ready to use."""

    paths: DataPaths
    context: DeskContext
    intake: IntakeService
    lookup: LookupService
    follow_ups: FollowUpService
    accounts: AccountService
    keys: DataKeyService
    machine: MachineKeyStore
    exports: ExportService
    data_subjects: DataSubjectService
    website: WebsiteLane
    website_records: WebsiteRecords
    loosened: tuple[Loosened, ...] = ()
    """Files of the data folder that were open to other accounts at opening (now closed)."""
    spool: Spool | None = None
    """A shared desk's own spool, for when the office database is away (None on SQLite)."""

    @property
    def database(self) -> Database:
        return self.context.database

    @property
    def hub(self) -> EventHub:
        """The desk's one event hub: every write announces its ``DeskChanges`` here."""
        return self.context.hub

    @property
    def unlocked(self) -> bool:
        return self.context.vault is not None

    def sign_in(self, username: str, password: str) -> AuthOutcome:
        """Authenticate; a success also unlocks the identities on this workstation."""
        outcome = self.accounts.authenticate(username, password)
        if isinstance(outcome, SignedIn):
            self.unlock(outcome.principal)
        return outcome

    def unlock(self, principal: Principal) -> None:
        """Use the data key a password opened, and keep it for this PC's machine key."""
        if self.context.vault is None:
            self.keys.remember_here(principal.data_key, self.machine, now=self.context.now())
        self.context.vault = IdentityVault(principal.data_key)

    def close(self) -> None:
        self.context.database.dispose()
        if self.spool is not None:
            self.spool.dispose()


def open_database(
    paths: DataPaths, database_url: str | None = None, *, clock: Clock = system_clock
) -> Database:
    """Check, back up and migrate (refusing a damaged database or one from a newer version).

    A SQLite file gets ``PRAGMA quick_check`` first (:class:`DatabaseDamaged`
    on failure, for the window to offer the newest good backup), then a
    backup before a migration, else a daily one.
    """
    paths.ensure()
    url = database_url or paths.database_url()
    source = _sqlite_file(url)
    if source is not None and source.is_file():
        full = full_check_due(source, paths.backups, clock())
        health = check_database(source, paths.backups, full=full)
        if isinstance(health, Damaged):
            raise DatabaseDamaged(health)
    settings = WorkstationSettings.load(paths.workstation_settings)
    seconds = settings.database_timeout_seconds if settings else DEFAULT_TIMEOUT_SECONDS
    database = Database(url, timeouts=PgTimeouts(seconds))
    try:
        keep = settings.backups_kept if settings else DEFAULT_KEEP
        back_up_on_open(database, source, paths.backups, now=clock(), keep=keep)
        migrate.upgrade(database)
    except BaseException:
        database.dispose()
        raise
    return database


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL, which is backed up with pg_dump)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def workstation(paths: DataPaths, database: Database | None = None) -> WorkstationSettings:
    """This PC's settings; a new PC draws a station id that ``database`` has never seen."""
    paths.ensure()
    settings = WorkstationSettings.load(paths.workstation_settings)
    if settings is None:
        settings = WorkstationSettings.new()
        if database is not None:
            settings = dataclasses.replace(settings, station_id=unused_station_id(database))
        settings.save(paths.workstation_settings)
    return settings


def initialise(
    paths: DataPaths,
    office: OfficeSettings,
    *,
    supervisor: FirstSupervisor | None = None,
    database_url: str | None = None,
    clock: Clock = system_clock,
    machine: MachineKeyStore | None = None,
    account_factory: AccountFactory = AccountService,
) -> Desk:
    """First set-up of a desk: schema, office settings, the data key, the first supervisor.

    Run again on a desk already set up, it updates the office settings and
    creates nothing else.
    """
    problem = supervisor.problem() if supervisor else None
    if problem is not None:
        raise SetupRefused(problem)
    database = open_database(paths, database_url, clock=clock)
    save_office(database, office, now=clock())
    database.dispose()
    desk = open_desk(
        paths,
        database_url=database_url,
        clock=clock,
        machine=machine,
        account_factory=account_factory,
    )
    if not desk.keys.exists():
        data_key = desk.keys.create(desk.machine, now=clock())
        desk.context.vault = IdentityVault(data_key)
        if supervisor is not None:
            created = desk.accounts.create_first_supervisor(
                supervisor.username, supervisor.display_name, supervisor.password, data_key
            )
            if isinstance(created, Refused):
                raise SetupRefused(created.message)
    return desk


def open_desk(
    paths: DataPaths,
    *,
    database_url: str | None = None,
    clock: Clock = system_clock,
    machine: MachineKeyStore | None = None,
    account_factory: AccountFactory = AccountService,
) -> Desk:
    """Open a desk that was set up; identities are unlocked if this PC's machine key opens them.

    Raises ``NoSecureKeyStore`` where there is neither an OS keyring nor an
    explicit ``LAPOR_MACHINE_KEY_FILE``: never silently insecure.
    """
    loosened = tuple(check_data_folder(paths.root))  # before the database is opened
    if loosened:
        _log.warning("data folder was open to others: %d entries tightened", len(loosened))
    database = open_database(paths, database_url, clock=clock)
    office = load_office(database)
    if office is None:
        database.dispose()
        raise OfficeNotInitialised()
    ensure_bundled(database)
    station = workstation(paths, database)
    if not database.is_sqlite and not station.spool_station_id:
        station = reserve_spool_station(database, station, now=clock())
        station.save(paths.workstation_settings)
    audit_restore(database, paths.root, station.station_id, clock())
    store = machine or machine_key_store(paths.root)
    keys = DataKeyService(database, station.station_id)
    data_key = keys.unlock_here(store)
    context = DeskContext(
        database=database,
        office=office,
        station=station,
        references=ReferenceLookup(database),
        attachments_root=paths.attachments,
        clock=clock,
        vault=IdentityVault(data_key) if data_key else None,
    )
    spool = (
        None
        if database.is_sqlite
        else Spool(paths.root / SPOOL_FILE, context, station.spool_station_id)
    )
    keep = frozenset(spool.referenced_files()) if spool is not None else frozenset()
    if spool is not None:
        context.references.warm()  # the spool validates with them while the database is away
    remove_orphans(database, paths.attachments, now=clock(), keep=keep)
    lookup = LookupService(context)
    website = WebsiteLane(context)
    return Desk(
        paths=paths,
        context=context,
        intake=IntakeService(context) if spool is None else SpoolingIntake(context, spool),
        spool=spool,
        lookup=lookup,
        follow_ups=FollowUpService(context),
        accounts=account_factory(database, clock, station.station_id),
        keys=keys,
        machine=store,
        exports=ExportService(context, lookup),
        data_subjects=DataSubjectService(context, lookup),
        website=website,
        website_records=WebsiteRecords(context, website),
        loosened=loosened,
    )


def require_database(paths: DataPaths) -> None:
    """Raise :class:`OfficeNotInitialised` when the SQLite file does not exist yet.

    A mistyped ``--data-dir`` must say "not initialised", not leave a fresh
    empty database behind; only first set-up creates one.
    """
    if not os.environ.get(DATABASE_URL_ENV) and not paths.database.is_file():
        raise OfficeNotInitialised()


def open_existing_desk(paths: DataPaths) -> Desk:
    """:func:`open_desk` for a desk that must already exist (every command but ``init``)."""
    require_database(paths)
    return open_desk(paths)
