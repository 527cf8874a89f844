"""The settings screen: stored by the core, checked beside each field, used by the keyboard."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import Message, translate
from lapor_desktop.services.context import Actor
from lapor_desktop.services.office import load_office
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.services.settings_service import SettingsService
from lapor_desktop.settings import MIB
from lapor_desktop.storage.models import AuditEntry
from sync.connection import TRAINING_NOT_LOOPBACK
from sync.device_token import load_token
from sync.protocol.receipts import public_key_text
from tests.support import accounts, samples
from tests.ui.desk_window import open_window
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.settings_form import ROUTES
from ui.settings_page import SAVED, TOKEN_SET, SettingsPage
from ui.settings_work import SaveResult

TOKEN = "tok-2104-lingga-0001"


@pytest.fixture
def boss(sqlite_desk: Desk) -> Actor:
    return accounts.sign_in_supervisor(sqlite_desk).actor


def _key() -> str:
    return public_key_text(Ed25519PrivateKey.generate().public_key())


def _settings(qtbot: QtBot, window: MainWindow) -> SettingsPage:
    page = window.settings
    if not page.isEnabled():
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            pass
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is page
    assert page.server_url.hasFocus()
    return page


def _save(qtbot: QtBot, page: SettingsPage) -> SaveResult:
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.keyClick(page.server_url, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    result = saved.args[0]
    assert isinstance(result, SaveResult)
    return result


def test_settings_round_trip_through_the_core(
    qtbot: QtBot, sqlite_desk: Desk, boss: Actor, language: Language
) -> None:
    window = open_window(qtbot, sqlite_desk, boss, language)
    page = _settings(qtbot, window)
    key = _key()
    qtbot.keyClicks(page.server_url, "https://lapor.example.go.id/")
    qtbot.keyClick(page.server_url, Qt.Key.Key_Tab)
    assert page.device_token.hasFocus()
    qtbot.keyClicks(page.device_token, TOKEN)
    page.public_keys.setPlainText(key)
    page.max_attachment_mib.setValue(35)
    page.follow_up_working_days.setValue(7)
    page.leave_days.setPlainText("24/12/2026\n2026-12-26\n")

    result = _save(qtbot, page)

    stored = load_office(sqlite_desk.database)
    assert stored is not None
    assert stored.national.server_url == "https://lapor.example.go.id/"
    assert stored.national.public_keys == (key,)
    assert stored.attachments.max_bytes == 35 * MIB
    assert stored.sla.follow_up_working_days == 7
    assert stored.sla.leave_days == (dt.date(2026, 12, 24), dt.date(2026, 12, 26))
    assert sqlite_desk.context.office == stored
    token = load_token(sqlite_desk.paths.root)
    assert token is not None and token.reveal() == TOKEN
    assert result.token_set and page.device_token.text() == ""
    assert page.token_state.text() == TOKEN_SET.render("id")
    assert page.status.text() == SAVED.render("id")
    with sqlite_desk.database.read() as session:
        entries = session.scalars(select(AuditEntry)).all()
        assert {"office_settings_changed", "device_token_changed"} <= {e.action for e in entries}
        assert all(TOKEN not in str(e.details) for e in entries)


def test_wrong_values_are_shown_beside_their_fields_and_nothing_is_saved(
    qtbot: QtBot, sqlite_desk: Desk, boss: Actor, language: Language
) -> None:
    before = load_office(sqlite_desk.database)
    window = open_window(qtbot, sqlite_desk, boss, language)
    page = _settings(qtbot, window)
    qtbot.keyClicks(page.server_url, "ftp://lapor.example.go.id")
    page.public_keys.setPlainText("bukan-kunci")
    qtbot.keyClicks(page.device_token, "has spaces in it")

    _save(qtbot, page)

    for field in ("server_url", "public_keys", "device_token"):
        assert page.errors[field].isVisibleTo(page), field
    assert load_office(sqlite_desk.database) == before
    assert load_token(sqlite_desk.paths.root) is None

    page.leave_days.setPlainText("31/02/2026")
    page.save()
    assert page.errors["leave_days"].isVisibleTo(page)
    assert "31/02/2026" in page.errors["leave_days"].text()


def test_a_training_desk_cannot_be_pointed_at_a_real_server(
    qtbot: QtBot, sqlite_desk: Desk, boss: Actor, language: Language
) -> None:
    training = sqlite_desk.context.station.training_copy()
    sqlite_desk.context.station = training
    window = open_window(qtbot, sqlite_desk, boss, language, training=True)
    page = _settings(qtbot, window)
    page.public_keys.setPlainText(_key())
    qtbot.keyClicks(page.server_url, "https://lapor.go.id")

    _save(qtbot, page)

    refusal = Message(TRAINING_NOT_LOOPBACK.template, {"url": "https://lapor.go.id"})
    assert page.errors["server_url"].text() == refusal.render("id")
    stored = load_office(sqlite_desk.database)
    assert stored is not None and stored.national.server_url == ""


def test_the_front_desk_sees_the_settings_but_cannot_change_them(
    qtbot: QtBot, window: MainWindow, sqlite_clerk: Actor, sqlite_desk: Desk
) -> None:
    page = _settings(qtbot, window)

    assert page.server_url.isReadOnly()
    assert not page.save_button.isEnabled()
    office = dataclasses.replace(sqlite_desk.context.office, office_name="Lain")
    with pytest.raises(PermissionDenied):
        SettingsService(sqlite_desk.context).save(sqlite_clerk, office)


def test_a_supervisor_sends_new_complaints_to_the_website_lane_from_the_settings(
    qtbot: QtBot, sqlite_desk: Desk, boss: Actor, language: Language
) -> None:
    window = open_window(qtbot, sqlite_desk, boss, language)
    page = _settings(qtbot, window)
    assert page.route.currentData() == "protocol"
    assert page.route.itemText(1) == translate(ROUTES[1][0], "id")
    page.route.setFocus()
    qtbot.keyClick(page.route, Qt.Key.Key_Down)  # by keyboard, as an operator would
    assert page.route.currentData() == "website"

    _save(qtbot, page)

    stored = load_office(sqlite_desk.database)
    assert stored is not None and stored.website.route == "website"
    assert stored.national.adapter == sqlite_desk.context.office.national.adapter
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=boss)
    assert [i.complaint_uuid for i in sqlite_desk.website.queue(actor=boss)] == [saved.uuid]
