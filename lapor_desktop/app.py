"""The composition root: builds the desk from a data folder and wires every part once.

This is the only core module allowed to import the sync engine and the GUI.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.engine import SyncSummary
    from sync.reference_server import RunningServer

from sqlalchemy.engine import make_url

from lapor_desktop.backups.automatic import back_up_on_open
from lapor_desktop.backups.copies import DEFAULT_KEEP
from lapor_desktop.backups.startup import (
    Damaged,
    DatabaseDamaged,
    check_database,
    full_check_due,
)
from lapor_desktop.domain.roles import Role
from lapor_desktop.i18n import Message
from lapor_desktop.logs import configure_logging
from lapor_desktop.paths import DataPaths
from lapor_desktop.reference.store import ReferenceLookup, ensure_bundled
from lapor_desktop.security.machine_key import (
    MACHINE_KEY_FILE_ENV,
    MachineKeyStore,
    machine_key_store,
)
from lapor_desktop.services.accounts import (
    AccountService,
    AuthOutcome,
    PasswordChanged,
    Principal,
    Refused,
    SignedIn,
)
from lapor_desktop.services.context import Clock, DeskContext, system_clock
from lapor_desktop.services.data_key import DataKeyService
from lapor_desktop.services.data_subject import DataSubjectService
from lapor_desktop.services.demo_samples import sample_forms
from lapor_desktop.services.export import ExportService
from lapor_desktop.services.follow_ups import FollowUpService
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.intake import IntakeService
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.office import OfficeNotInitialised, load_office, save_office
from lapor_desktop.services.passwords import check_password, check_username, normalise_username
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings, WorkstationSettings
from lapor_desktop.storage import migrate
from lapor_desktop.storage.database import Database

AccountFactory = Callable[[Database, Clock, str], AccountService]
"""Builds the account service; tests pass one with cheap Argon2 costs."""


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

    @property
    def database(self) -> Database:
        return self.context.database

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
    database = Database(url)
    try:
        if source is not None:
            settings = WorkstationSettings.load(paths.workstation_settings)
            keep = settings.backups_kept if settings else DEFAULT_KEEP
            back_up_on_open(database, source, paths.backups, now=clock(), keep=keep)
        migrate.upgrade(database)
    except BaseException:
        database.dispose()
        raise
    return database


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL, whose backups are the DBA's job)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def start_logging(paths: DataPaths) -> None:
    """The rotating log of GUI and command line, with the sync engine's token redactor."""
    from sync.device_token import REDACTOR

    configure_logging(paths, extra_filters=[REDACTOR])


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


NATIONAL_FIELDS = ("server_url", "public_key", "device_token", "pinned_ca_file")
"""The keys of :func:`national_problems`, one per thing IT staff type."""


def national_problems(
    national: NationalServiceSettings, token_text: str | None, *, training: bool
) -> dict[str, Message]:
    """What is wrong with each national-service field and the device token, before any write.

    Keyed by :data:`NATIONAL_FIELDS`, so the wizard and the settings screen say it
    beside the field and ``init`` says it before creating anything.
    """
    from sync.connection import national_problems as problems

    return problems(national, token_text, training=training)


def set_up(
    paths: DataPaths,
    office: OfficeSettings,
    *,
    supervisor: FirstSupervisor | None = None,
    device_token: str | None = None,
    training: bool = False,
    database_url: str | None = None,
    clock: Clock = system_clock,
    machine: MachineKeyStore | None = None,
    account_factory: AccountFactory = AccountService,
) -> Desk:
    """First-run setup as the wizard and ``init`` both do it: check everything, then write.

    Writes the office settings (national service included), the first
    supervisor, this workstation's device token and, for "training only for
    now", the training mark. Raises :class:`SetupRefused` with the reason.
    """
    station = WorkstationSettings.load(paths.workstation_settings)
    training = training or (station is not None and station.training)
    problems: dict[str, Message] = {}
    if office.national != NationalServiceSettings() or device_token is not None:
        problems = national_problems(office.national, device_token, training=training)
    problem = (supervisor.problem() if supervisor else None) or next(iter(problems.values()), None)
    if problem is not None:
        raise SetupRefused(problem)
    desk = initialise(
        paths,
        office,
        supervisor=supervisor,
        database_url=database_url,
        clock=clock,
        machine=machine,
        account_factory=account_factory,
    )
    try:
        if training and not desk.context.station.training:
            desk.context.station = desk.context.station.training_copy()
            desk.context.station.save(paths.workstation_settings)
        if device_token is not None:
            _store_device_token(paths, device_token)
    except BaseException:
        desk.close()
        raise
    return desk


def _store_device_token(paths: DataPaths, token_text: str) -> None:
    from sync.device_token import DeviceTokenError, store_token

    try:
        store_token(paths.root, token_text)
    except DeviceTokenError as exc:
        raise SetupRefused(exc.message) from exc


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
    database = open_database(paths, database_url, clock=clock)
    office = load_office(database)
    if office is None:
        database.dispose()
        raise OfficeNotInitialised()
    ensure_bundled(database)
    station = workstation(paths)
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
    lookup = LookupService(context)
    return Desk(
        paths=paths,
        context=context,
        intake=IntakeService(context),
        lookup=lookup,
        follow_ups=FollowUpService(context),
        accounts=account_factory(database, clock, station.station_id),
        keys=keys,
        machine=store,
        exports=ExportService(context, lookup),
        data_subjects=DataSubjectService(context, lookup),
    )


def run_gui(argv: list[str]) -> int:
    """Open the desk window; imported here so that the core never loads Qt unless asked."""
    from ui.app import run

    return run(argv)


def run_self_test(argv: list[str]) -> int:
    """Check this installation on a throwaway desk (``--self-test``); Qt loads only here."""
    from ui.self_test import run

    return run(argv)


def run_sync_command(argv: list[str]) -> int:
    """``sync``, ``sync-status`` and ``quarantine`` drive the sync engine, so they live there."""
    from lapor_desktop.cli.opening import data_paths, open_existing_desk
    from lapor_desktop.cli.session import signed_in_desk
    from sync.cli import main
    from sync.cli.desk_access import DeskAccess

    access = DeskAccess(signed_in_desk, lambda args: open_existing_desk(data_paths(args)))
    return main(argv, access)


def run_reference_server(argv: list[str]) -> int:
    """The reference national server (sync package), for tests, demos and training."""
    from sync.reference_server import main

    return main(argv)


DEMO_OFFICE = OfficeSettings(office_code="2104", office_name="Pemerintah Kabupaten Lingga")
DEMO_SUPERVISOR = FirstSupervisor("pelatih", "Pelatih Meja Layanan", "Daik-Lingga-2104")
DEMO_FRONT_DESK = ("loket", "Meja-Depan-2104")


def run_demo(argv: list[str]) -> int:
    """Training mode: a throwaway desk with sample complaints, beside an in-process reference
    server on loopback, opened in the window marked as training.

    Everything lives in a new temporary folder (its own machine key file too), so nothing
    of a real desk is touched, and the desk knows no server but the loopback one.
    """
    import argparse
    import shutil
    import tempfile

    from sync.device_token import store_token
    from sync.reference_server import ServerConfig, start_in_thread

    parser = argparse.ArgumentParser(prog="lapor-desktop demo")
    parser.add_argument("--setup-only", action="store_true", help="prepare, print, do not open")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="lapor-demo-"))
    os.environ[MACHINE_KEY_FILE_ENV] = str(root / "machine.key")
    paths = DataPaths(root / "data").ensure()
    server = start_in_thread(ServerConfig(data_dir=root / "reference-server"))
    try:
        workstation(paths).training_copy().save(paths.workstation_settings)
        desk = initialise(paths, training_office(server), supervisor=DEMO_SUPERVISOR)
        store_token(paths.root, server.tokens[DEMO_OFFICE.office_code])
        try:
            _seed_demo(desk)
            summary = _sync_demo(desk, server)
        finally:
            desk.close()
        print(
            f"LAPOR! Desktop - PELATIHAN / TRAINING\n"
            f"  data: {paths.root}\n  reference server: {server.url}\n"
            f"  front desk: {DEMO_FRONT_DESK[0]} / {DEMO_FRONT_DESK[1]}\n"
            f"  supervisor: {DEMO_SUPERVISOR.username} / {DEMO_SUPERVISOR.password}\n"
            f"  first sync: {summary.sent} sent, {summary.rejected} rejected",
            flush=True,
        )
        if args.setup_only:
            return 0
        code = run_gui(["--data-dir", str(paths.root), "--training"])
        shutil.rmtree(root, ignore_errors=True)  # training data is thrown away
        return code
    finally:
        server.stop()


def training_office(server: RunningServer) -> OfficeSettings:
    """The demo office, pointed at the in-process training server on loopback."""
    national = NationalServiceSettings(server.url, (server.public_key_text,))
    return dataclasses.replace(DEMO_OFFICE, national=national)


def _sync_demo(desk: Desk, server: RunningServer) -> SyncSummary:
    """One sync pass of the samples to the training server, so the desk shows sent complaints."""
    from sync.connection import NotConfigured, connected_engine

    with connected_engine(desk.context, desk.paths.root) as engine:
        if isinstance(engine, NotConfigured):
            raise SetupRefused(engine.message)
        return engine.run_once()


def _seed_demo(desk: Desk) -> None:
    signed = desk.sign_in(DEMO_SUPERVISOR.username, DEMO_SUPERVISOR.password)
    assert isinstance(signed, SignedIn), signed
    boss = signed.principal
    username, password = DEMO_FRONT_DESK
    initial = password + "-awal"
    created = desk.accounts.create_user(boss, username, "Petugas Loket", Role.FRONT_DESK, initial)
    changed = desk.accounts.change_password(username, initial, password)
    assert not isinstance(created, Refused), created
    assert isinstance(changed, PasswordChanged), changed
    for form in sample_forms(desk.context.office_today()):
        outcome = desk.intake.submit(form, actor=boss.actor)
        assert outcome.queued, outcome.issues
