"""The sync indicator and panel against the real reference server over loopback HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.i18n import translate
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services.context import Actor
from lapor_desktop.services.quarantine import Resent
from lapor_desktop.services.sync_status import LAST_SUCCESS_KEY
from lapor_desktop.storage.models import AuditEntry
from sync.connection import NO_SERVER
from sync.protocol.receipts import public_key_text
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.sync_engine import queue, store_for
from tests.ui.desk_window import open_window
from tests.ui.sync_desk import point_at, point_at_server, wait_for_connection, wait_for_passes
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.sync_state import Connection

UNKNOWN_TO_SERVER = "2104-SETWAN"
"""An agency the desk knows but the test server does not: its complaint is refused there."""


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    bundled = load_bundled("21")
    reference = dataclasses.replace(
        bundled, agencies=tuple(a for a in bundled.agencies if a.code != UNKNOWN_TO_SERVER)
    )
    with running_reference_server(tmp_path / "server", clock=clock, reference=reference) as s:
        yield s


@pytest.fixture
def boss(sqlite_desk: Desk) -> Actor:
    return accounts.sign_in_supervisor(sqlite_desk).actor


def _window(qtbot: QtBot, desk: Desk, actor: Actor, language: Language) -> MainWindow:
    window = open_window(qtbot, desk, actor, language)
    qtbot.addWidget(window)
    return window


def test_sync_now_sends_and_the_panel_shows_the_summary(
    qtbot: QtBot,
    sqlite_desk: Desk,
    boss: Actor,
    server: RunningServer,
    language: Language,
) -> None:
    point_at_server(sqlite_desk, server)
    window = _window(qtbot, sqlite_desk, boss, language)
    wait_for_passes(qtbot, window.sync, 1)
    uuids = [queue(sqlite_desk, boss), queue(sqlite_desk, boss, urgent=True)]

    with qtbot.waitSignal(window.sync.pass_finished, timeout=30_000) as finished:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    wait_for_connection(qtbot, window.sync, Connection.ONLINE)
    with qtbot.waitSignal(window.sync.changed, timeout=10_000):
        pass  # the counts read after the pass

    summary = finished.args[0]
    assert (summary.sent, summary.rejected) == (2, 0)
    assert all(server.state.store.copies_of(u) == 1 for u in uuids)
    online = translate(Connection.ONLINE.label, "id")
    assert online in window.sync_bar.indicator.text()
    assert window.sync.view.status is not None and window.sync.view.status.pending == 0
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.tabs.currentWidget() is window.sync_panel
    assert window.sync_panel.summary["sent"].text() == "2"
    assert window.sync_panel.counts["pending"].text() == "0"
    assert window.sync_panel.state.text() == online


def test_an_unreachable_server_is_offline_not_an_error(
    qtbot: QtBot, sqlite_desk: Desk, boss: Actor, language: Language
) -> None:
    key = public_key_text(Ed25519PrivateKey.generate().public_key())
    point_at(sqlite_desk, "http://127.0.0.1:9", key, "token-for-nowhere-2104")
    queue(sqlite_desk, boss)

    window = _window(qtbot, sqlite_desk, boss, language)
    wait_for_passes(qtbot, window.sync, 1)
    wait_for_connection(qtbot, window.sync, Connection.OFFLINE)

    assert translate(Connection.OFFLINE.label, "id") in window.sync_bar.indicator.text()
    assert window.sync_bar.sync_button.isEnabled()
    assert window.sync.view.summary is not None and window.sync.view.summary.sent == 0


def test_a_desk_without_a_server_says_what_to_set(
    qtbot: QtBot, sqlite_desk: Desk, boss: Actor, language: Language
) -> None:
    window = _window(qtbot, sqlite_desk, boss, language)
    wait_for_connection(qtbot, window.sync, Connection.NOT_CONFIGURED)

    window.show_sync_panel()
    assert window.sync_panel.explanation.text() == NO_SERVER.render("id")
    assert translate(Connection.NOT_CONFIGURED.label, "id") in window.sync_bar.indicator.text()
    assert not window.sync_bar.sync_button.isEnabled()


def test_a_supervisor_resends_a_quarantined_complaint(
    qtbot: QtBot,
    sqlite_desk: Desk,
    boss: Actor,
    server: RunningServer,
    language: Language,
) -> None:
    point_at_server(sqlite_desk, server)
    refused = queue(sqlite_desk, boss, agency_code=UNKNOWN_TO_SERVER)
    window = _window(qtbot, sqlite_desk, boss, language)
    wait_for_passes(qtbot, window.sync, 1)
    with qtbot.waitSignal(window.quarantine.listed, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_F6)

    view = window.quarantine
    assert [r.complaint_uuid for r in view.records] == [refused]
    assert "agency_code" in view.table.item(0, 1).text()
    with qtbot.waitSignal(view.resent, timeout=10_000) as resent:
        view.resend_button.click()

    assert isinstance(resent.args[0], Resent)
    with sqlite_desk.database.read() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "quarantine.resent" in actions


def test_the_front_desk_sees_how_many_wait_but_not_the_list(
    qtbot: QtBot,
    sqlite_desk: Desk,
    boss: Actor,
    server: RunningServer,
    language: Language,
) -> None:
    point_at_server(sqlite_desk, server)
    queue(sqlite_desk, boss, agency_code=UNKNOWN_TO_SERVER)
    clerk = accounts.add_user(
        sqlite_desk, accounts.sign_in_supervisor(sqlite_desk), "ani", Role.FRONT_DESK
    ).actor
    window = _window(qtbot, sqlite_desk, clerk, language)
    wait_for_passes(qtbot, window.sync, 1)
    while window.sync.view.status is None or window.sync.view.status.quarantined != 1:
        with qtbot.waitSignal(window.sync.changed, timeout=10_000):
            pass

    assert not window.quarantine.may_decide
    assert window.quarantine.table.isHidden()
    assert window.quarantine.message.text().startswith("1 ")


def test_after_a_long_offline_spell_the_summary_is_shown_first(
    qtbot: QtBot,
    sqlite_desk: Desk,
    boss: Actor,
    server: RunningServer,
    clock: FakeClock,
    language: Language,
) -> None:
    point_at_server(sqlite_desk, server)
    three_days_ago = clock() - dt.timedelta(days=3)
    store_for(sqlite_desk, clock).set_value(LAST_SUCCESS_KEY, three_days_ago.isoformat())
    queue(sqlite_desk, boss)

    window = open_window(qtbot, sqlite_desk, boss, language)
    wait_for_passes(qtbot, window.sync, 1)

    assert window.tabs.currentWidget() is window.sync_panel
    assert window.sync_panel.summary["sent"].text() == "1"
