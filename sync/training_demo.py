"""Training mode's throwaway desk: sample complaints, synced once to an in-process server.

Everything lives in one new temporary folder (its own machine key file too),
so nothing of a real desk is touched, and the desk knows no server but the
loopback one. The launcher opens the window on it.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.desk import Desk, FirstSupervisor, SetupRefused, initialise, workstation
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.accounts import PasswordChanged, Refused, SignedIn
from lapor_desktop.services.demo_samples import sample_forms
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings, WebsiteLaneSettings
from sync.connection import NotConfigured, connected_engine
from sync.device_token import store_token
from sync.engine import SyncSummary
from sync.reference_server import RunningServer, ServerConfig, start_in_thread
from sync.reference_server.practice_form import PRACTICE_PATH

DEMO_OFFICE = OfficeSettings(office_code="2104", office_name="Pemerintah Kabupaten Lingga")
DEMO_SUPERVISOR = FirstSupervisor("pelatih", "Pelatih Meja Layanan", "Daik-Lingga-2104")
DEMO_FRONT_DESK = ("loket", "Meja-Depan-2104")


@dataclass
class TrainingDesk:
    """A prepared training desk; ``server`` runs until :meth:`stop`."""

    root: Path
    paths: DataPaths
    server: RunningServer
    first_sync: SyncSummary

    def banner(self) -> str:
        """What the terminal shows: where it lives and the training accounts."""
        return (
            f"LAPOR! Desktop - PELATIHAN / TRAINING\n"
            f"  data: {self.paths.root}\n  reference server: {self.server.url}\n"
            f"  front desk: {DEMO_FRONT_DESK[0]} / {DEMO_FRONT_DESK[1]}\n"
            f"  supervisor: {DEMO_SUPERVISOR.username} / {DEMO_SUPERVISOR.password}\n"
            f"  first sync: {self.first_sync.sent} sent, {self.first_sync.rejected} rejected"
        )

    def stop(self) -> None:
        self.server.stop()


def prepare_training_desk() -> TrainingDesk:
    """A new temporary folder with a seeded desk beside a running reference server.

    Sets ``LAPOR_MACHINE_KEY_FILE`` to a key file inside that folder, for this
    process only, so the training desk never uses the PC's real machine key.
    """
    root = Path(tempfile.mkdtemp(prefix="lapor-demo-"))
    os.environ[MACHINE_KEY_FILE_ENV] = str(root / "machine.key")
    paths = DataPaths(root / "data").ensure()
    server = start_in_thread(ServerConfig(data_dir=root / "reference-server"))
    try:
        workstation(paths).training_copy().save(paths.workstation_settings)
        desk = initialise(paths, training_office(server), supervisor=DEMO_SUPERVISOR)
        store_token(paths.root, server.tokens[DEMO_OFFICE.office_code])
        try:
            _seed(desk)
            summary = _first_sync(desk)
        finally:
            desk.close()
    except BaseException:
        server.stop()
        raise
    return TrainingDesk(root, paths, server, summary)


def training_office(server: RunningServer) -> OfficeSettings:
    """The demo office, pointed at the in-process training server on loopback.

    Its website lane opens the server's practice form, never the real lapor.go.id.
    """
    national = NationalServiceSettings(server.url, (server.public_key_text,))
    website = WebsiteLaneSettings(address=server.url.rstrip("/") + PRACTICE_PATH)
    return dataclasses.replace(DEMO_OFFICE, national=national, website=website)


def _first_sync(desk: Desk) -> SyncSummary:
    """One sync pass of the samples to the training server, so the desk shows sent complaints."""
    with connected_engine(desk.context, desk.paths.root) as engine:
        if isinstance(engine, NotConfigured):
            raise SetupRefused(engine.message)
        return engine.run_once()


def _seed(desk: Desk) -> None:
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
