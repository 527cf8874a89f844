"""A desk pointed at a real reference server, and waiting for the window's sync passes."""

from __future__ import annotations

import dataclasses

from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.services.office import save_office
from lapor_desktop.settings import NationalServiceSettings
from sync.device_token import store_token
from sync.reference_server import RunningServer
from tests.support.samples import OFFICE_CODE
from ui.sync_controller import SyncController
from ui.sync_state import Connection

PASS_TIMEOUT_MS = 30_000


def point_at(desk: Desk, url: str, public_key: str, token: str) -> None:
    """What IT staff set in Settings: the server, its receipt key, this workstation's token."""
    national = NationalServiceSettings(url, (public_key,))
    office = dataclasses.replace(desk.context.office, national=national)
    save_office(desk.database, office, now=desk.context.now())
    desk.context.office = office
    store_token(desk.paths.root, token)


def point_at_server(desk: Desk, server: RunningServer) -> None:
    point_at(desk, server.url, server.public_key_text, server.tokens[OFFICE_CODE])


def wait_for_passes(qtbot: QtBot, sync: SyncController, count: int) -> None:
    """Until ``count`` passes have finished since the window opened (no pass is missed)."""
    while sync.passes < count:
        with qtbot.waitSignal(sync.pass_finished, timeout=PASS_TIMEOUT_MS):
            pass


def wait_for_connection(qtbot: QtBot, sync: SyncController, connection: Connection) -> None:
    while sync.view.connection is not connection or sync.view.running:
        with qtbot.waitSignal(sync.changed, timeout=PASS_TIMEOUT_MS):
            pass
