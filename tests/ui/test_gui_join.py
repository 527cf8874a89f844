"""A new PC of a shared PostgreSQL desk, started from its shortcut: it finds the office in
the database, asks for a sign-in (no setup wizard), and keeps the data key for itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DATABASE_URL_ENV, DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.data_key import MACHINE
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import KeyWrap
from tests.support import accounts
from tests.support.samples import OFFICE_CODE
from tests.ui.modal import when_modal
from ui import app as gui
from ui.i18n import Language
from ui.sign_in import SignInDialog

pytestmark = pytest.mark.postgres


def test_a_new_pc_of_a_shared_desk_signs_in_and_gets_its_own_station(
    qtbot: QtBot, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = accounts.initialise_desk(
        DataPaths(tmp_path / "pc1").ensure(),
        OfficeSettings(OFFICE_CODE, "Kabupaten Lingga"),
        system_clock,
        postgres_url,
    )
    try:
        accounts.add_user(first, accounts.sign_in_supervisor(first), "ani", Role.FRONT_DESK)
        first_station = first.context.station.station_id
    finally:
        first.close()
    monkeypatch.setenv(DATABASE_URL_ENV, postgres_url)
    monkeypatch.setenv(MACHINE_KEY_FILE_ENV, str(tmp_path / "pc2-keys" / "machine.key"))
    titles: list[str] = []

    def sign_in(dialog: SignInDialog) -> None:
        titles.append(dialog.windowTitle())
        dialog.username.setText("ani")
        dialog.password.setText(accounts.PASSWORD)
        dialog.sign_in_button.click()

    steps = when_modal(SignInDialog, sign_in)
    session = gui.start(DataPaths(tmp_path / "pc2"), Language("id"))
    steps.raise_failure()
    assert isinstance(session, gui.Session), "the window opened, no setup wizard"
    try:
        qtbot.addWidget(session.window)
        station = session.desk.context.station.station_id
        assert station != first_station
        assert session.desk.context.vault is not None
        with session.desk.database.read() as db:
            wraps = set(db.scalars(select(KeyWrap.station_id).where(KeyWrap.kind == MACHINE)))
        assert wraps == {first_station, station}
    finally:
        session.close()
