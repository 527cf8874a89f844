"""The first-run setup wizard: by keyboard alone to a desk that syncs; mistakes said beside fields.

Renders its pages to PNG too (``LAPOR_SCREENSHOTS=docs/screenshots``), for the user guide.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget, QWizard
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.i18n import translate
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.accounts import SignedIn
from lapor_desktop.settings import WorkstationSettings
from sync.connection import NotConfigured, connected_engine
from sync.desk_setup import set_up
from sync.reference_server import RunningServer
from tests.support.accounts import cheap_accounts
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE, valid_form
from ui.i18n import Language
from ui.setup_wizard import SetupWizard
from ui.style import STYLESHEET
from ui.tasks import TaskRunner

PASSWORD = "Daik-Lingga-2104!"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def wizard(
    qtbot: QtBot, language: Language, paths: DataPaths, runner: TaskRunner
) -> Iterator[SetupWizard]:
    shown = SetupWizard(
        language,
        paths,
        runner,
        set_up=functools.partial(set_up, account_factory=cheap_accounts),
    )
    shown.setStyleSheet(STYLESHEET)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    if shown.desk is not None:
        shown.desk.close()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_and_tab(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def press_enter(qtbot: QtBot) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def alt(qtbot: QtBot, button: QAbstractButton) -> None:
    """Alt and the button's mnemonic (whatever the language gives it); Qt clicks after a short
    animation, so wait for the click."""
    text = button.text()
    letter = text[text.index("&") + 1].upper()
    with qtbot.waitSignal(button.clicked, timeout=5_000):
        qtbot.keyClick(focused(), letter, Qt.KeyboardModifier.AltModifier)


def pick_lingga(qtbot: QtBot, wizard: SetupWizard) -> None:
    page = wizard.office_page
    assert focused() is page.region
    qtbot.keyClicks(focused(), "kabupaten lingga")
    completer = page.region.completer()
    assert completer is not None
    popup = completer.popup()
    assert popup is not None and popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    # Offscreen there is no window manager to hand activation back once the popup closes.
    with qtbot.waitActive(wizard):
        wizard.activateWindow()


def fill_first_pages(qtbot: QtBot, wizard: SetupWizard) -> None:
    pick_lingga(qtbot, wizard)
    press_enter(qtbot)
    assert wizard.currentPage() is wizard.supervisor_page
    type_and_tab(qtbot, "kepala")
    type_and_tab(qtbot, "Kepala Bagian Pengaduan")
    type_and_tab(qtbot, PASSWORD)
    qtbot.keyClicks(focused(), PASSWORD)
    press_enter(qtbot)
    assert wizard.currentPage() is wizard.national_page
    assert focused() is wizard.national_page.connect_now, "the choice comes first"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def record_and_sync(desk: Desk) -> tuple[int, int]:
    signed = desk.sign_in("kepala", PASSWORD)
    assert isinstance(signed, SignedIn), signed
    recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    outcome = desk.intake.submit(valid_form(incident_date=recent), actor=signed.principal.actor)
    assert outcome.queued, outcome.issues
    with connected_engine(desk.context, desk.paths.root) as engine:
        assert not isinstance(engine, NotConfigured), engine.message.render("en")
        summary = engine.run_once()
    return summary.sent, summary.rejected


def test_the_keyboard_alone_sets_up_a_desk_that_syncs(
    qtbot: QtBot, wizard: SetupWizard, server: RunningServer
) -> None:
    fill_first_pages(qtbot, wizard)
    office = wizard.office_page
    assert office.code.text() == OFFICE_CODE
    assert office.name.text() == "Pemerintah Kabupaten Lingga"
    assert office.code_hint.text() == "Kabupaten Lingga, Kepulauan Riau (2104)"
    assert focused() is wizard.national_page.server_url
    type_and_tab(qtbot, server.url)
    type_and_tab(qtbot, server.tokens[OFFICE_CODE])
    qtbot.keyClicks(focused(), server.public_key_text)
    press_enter(qtbot)
    assert wizard.currentPage() is wizard.summary_page
    assert focused() is wizard.button(QWizard.WizardButton.FinishButton)
    summary = wizard.summary_page.summary.text()
    assert "Pemerintah Kabupaten Lingga (2104)" in summary and server.url in summary
    assert PASSWORD not in summary and server.tokens[OFFICE_CODE] not in summary

    with qtbot.waitSignal(wizard.completed, timeout=30_000) as done:
        press_enter(qtbot)

    desk = done.args[0]
    assert wizard.result() == wizard.DialogCode.Accepted
    assert desk.context.office.national.server_url == server.url
    assert record_and_sync(desk) == (1, 0)


def test_a_bad_address_and_key_keep_the_typing_and_say_what_is_wrong(
    qtbot: QtBot, wizard: SetupWizard, server: RunningServer
) -> None:
    fill_first_pages(qtbot, wizard)
    page = wizard.national_page
    type_and_tab(qtbot, "http://lapor.example.go.id")
    type_and_tab(qtbot, server.tokens[OFFICE_CODE])
    qtbot.keyClicks(focused(), "bukan-kunci")
    press_enter(qtbot)

    assert wizard.currentPage() is page
    assert page.server_url.text() == "http://lapor.example.go.id"
    assert page.public_key.toPlainText() == "bukan-kunci"
    assert page.errors["server_url"].isVisible()
    assert "http://" in page.errors["server_url"].text()
    assert (
        page.errors["server_url"].text() != ""
        and "Refusing" not in page.errors["server_url"].text()
    )
    assert page.errors["public_key"].isVisible()
    assert "Ed25519" in page.errors["public_key"].text()
    assert not page.errors["device_token"].isVisible()
    assert focused() is page.server_url, "the first problem gets the cursor"

    page.server_url.selectAll()
    qtbot.keyClicks(page.server_url, server.url)
    assert not page.errors["server_url"].isVisible(), "typing clears the old complaint"
    page.public_key.setPlainText(server.public_key_text)
    press_enter(qtbot)
    assert wizard.currentPage() is wizard.summary_page
    save_page(wizard, "setup_summary.png")


def test_password_rules_are_told_as_the_password_is_typed(
    qtbot: QtBot, wizard: SetupWizard
) -> None:
    pick_lingga(qtbot, wizard)
    press_enter(qtbot)
    page = wizard.supervisor_page
    type_and_tab(qtbot, "kepala")
    type_and_tab(qtbot, "")
    qtbot.keyClicks(focused(), "pendek")
    too_short = page.password_status.text()
    qtbot.keyClicks(focused(), "-kepala-99")
    names_user = page.password_status.text()
    page.password.clear()
    qtbot.keyClicks(page.password, PASSWORD)
    good = page.password_status.text()
    qtbot.keyClicks(page.repeat, "Daik-Lingga-2104?")
    differs = page.repeat_error.text()
    press_enter(qtbot)

    assert too_short == translate("A password needs at least {minimum} characters.", "id").format(
        minimum=10
    )
    assert names_user == translate("The password must not contain the user name.", "id")
    assert good.startswith("✓")
    assert differs == translate("The two passwords are not the same.", "id")
    assert wizard.currentPage() is page and focused() is page.repeat


def test_training_only_makes_a_practice_desk_without_a_national_service(
    qtbot: QtBot, wizard: SetupWizard, paths: DataPaths
) -> None:
    fill_first_pages(qtbot, wizard)
    alt(qtbot, wizard.national_page.training)
    assert wizard.national_page.training_only
    assert not wizard.national_page.server_url.isEnabled()
    press_enter(qtbot)
    assert wizard.currentPage() is wizard.summary_page

    with qtbot.waitSignal(wizard.completed, timeout=30_000) as done:
        press_enter(qtbot)

    desk = done.args[0]
    station = WorkstationSettings.load(paths.workstation_settings)
    assert station is not None and station.training and desk.context.station.training
    assert not desk.context.office.national.configured


def test_a_setup_that_fails_says_why_and_keeps_everything_typed(
    qtbot: QtBot, wizard: SetupWizard, paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MACHINE_KEY_FILE_ENV, str(paths.root / "machine.key"))  # refused inside
    fill_first_pages(qtbot, wizard)
    alt(qtbot, wizard.national_page.training)
    press_enter(qtbot)

    with qtbot.waitSignal(wizard.refused, timeout=30_000) as refused:
        press_enter(qtbot)

    assert str(paths.root / "machine.key") in refused.args[0]
    assert wizard.currentPage() is wizard.summary_page and wizard.isVisible()
    assert wizard.office_page.code.text() == OFFICE_CODE
    assert wizard.supervisor_page.password.text() == PASSWORD


def test_the_pages_render_for_the_guide(qtbot: QtBot, wizard: SetupWizard) -> None:
    pick_lingga(qtbot, wizard)
    save_page(wizard, "setup_office.png")
    press_enter(qtbot)
    type_and_tab(qtbot, "kepala")
    type_and_tab(qtbot, "Kepala Bagian Pengaduan")
    qtbot.keyClicks(focused(), "lingga2104")
    save_page(wizard, "setup_supervisor.png")
    wizard.supervisor_page.password.setText(PASSWORD)
    wizard.supervisor_page.repeat.setText(PASSWORD)
    press_enter(qtbot)
    page = wizard.national_page
    qtbot.keyClicks(page.server_url, "http://lapor.example.go.id")
    page.public_key.setPlainText("bukan-kunci")
    press_enter(qtbot)
    assert wizard.currentPage() is page
    save_page(wizard, "setup_national_errors.png")


def save_page(wizard: SetupWizard, name: str) -> None:
    folder = Path(os.environ.get("LAPOR_SCREENSHOTS") or wizard.paths.root.parent / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    image = wizard.grab()
    assert not image.isNull()
    assert image.save(str(folder / name))
