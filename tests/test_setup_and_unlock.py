"""Setting a desk up, and how a workstation gets at the data key: machine key or password."""

from __future__ import annotations

from pathlib import Path

import pytest

from lapor_desktop.desk import FirstSupervisor, SetupRefused, initialise, open_desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import FileMachineKeyStore
from lapor_desktop.services.context import DeskLocked
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.samples import valid_form


def test_a_weak_first_password_is_refused_before_anything_is_created(
    data_paths: DataPaths, office: OfficeSettings, clock: FakeClock
) -> None:
    weak = FirstSupervisor("kepala", "Kepala", "kepala12345")
    with pytest.raises(SetupRefused) as refused:
        initialise(data_paths, office, supervisor=weak, clock=clock)
    assert refused.value.message.render("id") != refused.value.message.render("en")
    assert not data_paths.database.exists()


def test_a_new_workstation_is_locked_until_someone_signs_in_then_remembers(
    data_paths: DataPaths, office: OfficeSettings, clock: FakeClock, tmp_path: Path
) -> None:
    accounts.initialise_desk(data_paths, office, clock).close()
    other_pc = FileMachineKeyStore(tmp_path / "other-pc" / "machine.key", data_dir=data_paths.root)

    desk = open_desk(
        data_paths, clock=clock, machine=other_pc, account_factory=accounts.cheap_accounts
    )
    try:
        assert not desk.unlocked
        principal = accounts.sign_in_supervisor(desk)
        assert desk.unlocked
        assert desk.intake.submit(valid_form(), actor=principal.actor).queued
    finally:
        desk.close()

    again = open_desk(
        data_paths, clock=clock, machine=other_pc, account_factory=accounts.cheap_accounts
    )
    try:
        assert again.unlocked, "the machine key of this PC now opens the data key"
    finally:
        again.close()


def test_a_locked_desk_refuses_to_save_identities_rather_than_store_them_in_clear(
    data_paths: DataPaths, office: OfficeSettings, clock: FakeClock, tmp_path: Path
) -> None:
    first = accounts.initialise_desk(data_paths, office, clock)
    boss = accounts.sign_in_supervisor(first).actor
    first.close()
    stranger = FileMachineKeyStore(tmp_path / "stranger" / "machine.key", data_dir=data_paths.root)
    desk = open_desk(
        data_paths, clock=clock, machine=stranger, account_factory=accounts.cheap_accounts
    )
    try:
        with pytest.raises(DeskLocked):
            desk.intake.submit(valid_form(), actor=boss)
    finally:
        desk.close()
