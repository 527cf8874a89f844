"""Fixing a quarantined complaint in the desk window and sending it again, against the real
reference server: it refused an agency missing from its list, and the pass that refused it
brought that list to the desk, so the desk itself now rejects the agency until it is changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services.context import Actor
from lapor_desktop.services.intake import SaveOutcome
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.quarantine import QuarantineService
from lapor_desktop.storage.models import AuditEntry
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.samples import valid_form
from tests.support.sync_engine import outbox_of, queue
from tests.ui.desk_window import open_window, settle
from tests.ui.sync_desk import point_at_server, wait_for_passes
from ui.fix_and_resend import FixAndResendDialog, named_field
from ui.i18n import Language
from ui.main_window import MainWindow

UNKNOWN_TO_SERVER = "2104-SETWAN"
KNOWN_TO_SERVER = "2104-DPUPR"


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


@pytest.fixture
def refused(sqlite_desk: Desk, boss: Actor, server: RunningServer) -> str:
    point_at_server(sqlite_desk, server)
    return queue(sqlite_desk, boss, agency_code=UNKNOWN_TO_SERVER)


def _quarantine_shown(qtbot: QtBot, desk: Desk, actor: Actor, language: Language) -> MainWindow:
    """The window after its first pass (the refusal), on the sync panel."""
    window = open_window(qtbot, desk, actor, language)
    wait_for_passes(qtbot, window.sync, 1)
    with qtbot.waitSignal(window.quarantine.listed, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_F6)
    return window


def _open_fix(qtbot: QtBot, window: MainWindow) -> FixAndResendDialog:
    """Alt+F on the quarantine, as a supervisor would (offscreen, nothing re-activates the
    window when a dialog closes; a window manager would)."""
    with qtbot.waitActive(window):
        window.activateWindow()
    window.quarantine.table.setFocus()
    label = window.quarantine.fix_button.text()  # Alt+F in English, Alt+P in Indonesian
    mnemonic = label[label.index("&") + 1]
    with qtbot.waitSignal(window.quarantine.fix_shown, timeout=10_000) as shown:
        qtbot.keyClick(window.quarantine.table, mnemonic, Qt.KeyboardModifier.AltModifier)
    dialog: FixAndResendDialog = shown.args[0]
    return dialog


def test_the_field_the_server_names_is_found_in_its_reason() -> None:
    assert named_field("unknown-code (agency_code): Instansi tidak dikenal.") == (
        "agency_code",
        "Instansi tidak dikenal.",
    )
    assert named_field("malformed (identity.nik): too short") == ("nik", "too short")
    assert named_field("conflict: LAPOR! holds other content under this UUID (8123)") is None
    assert named_field("malformed (v): unsupported") is None


def test_a_supervisor_fixes_the_agency_and_it_is_sent_once_corrected(
    qtbot: QtBot,
    sqlite_desk: Desk,
    boss: Actor,
    server: RunningServer,
    refused: str,
    language: Language,
) -> None:
    window = _quarantine_shown(qtbot, sqlite_desk, boss, language)
    view = window.quarantine
    assert [r.complaint_uuid for r in view.records] == [refused]
    dialog = _open_fix(qtbot, window)
    form = dialog.form

    assert "agency_code" in dialog.reason.text()
    assert dialog.flagged == "agency_code"
    assert form.error_text("agency_code")  # the server's words beside the field it named
    assert form.input("agency_code").property("flagged") == "true"
    assert form.agency.hasFocus()
    sent = valid_form()
    assert (form.title.text(), form.nik.text(), form.full_name.text()) == (
        sent.title,
        sent.nik,
        sent.full_name,
    )
    assert form.agency.code() == UNKNOWN_TO_SERVER

    form.agency.clear_value()
    qtbot.keyClicks(form.agency.typing(), KNOWN_TO_SERVER)
    with qtbot.waitSignal(view.fixed, timeout=10_000) as fixed:
        qtbot.keyClick(form.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    outcome = fixed.args[0]
    assert isinstance(outcome, SaveOutcome) and outcome.queued and outcome.uuid == refused
    assert view.fix_dialog is None and not dialog.isVisible()
    wait_for_passes(qtbot, window.sync, 2)  # the runner was asked to sync at once
    settle(qtbot, window.runner)

    assert view.records == []
    assert server.state.store.copies_of(refused) == 1
    [(content_hash, content)] = [
        (h, c) for uuid, h, c in server.state.store.stored_contents() if uuid == refused
    ]
    assert content["agency_code"] == KNOWN_TO_SERVER
    states = outbox_of(sqlite_desk, refused, OutboxKind.SUBMIT_COMPLAINT)
    assert [state for state, _hash, _error in states] == ["quarantined", "done"]
    assert states[-1][1] == content_hash
    with sqlite_desk.database.read() as session:
        audited = session.execute(
            select(AuditEntry.actor, AuditEntry.entity_id).where(
                AuditEntry.action == "quarantine.fixed_and_resent"
            )
        ).all()
    assert [tuple(row) for row in audited] == [(boss.username, refused)]


def test_a_fix_the_desk_rejects_keeps_the_typing_and_the_quarantine(
    qtbot: QtBot,
    sqlite_desk: Desk,
    boss: Actor,
    refused: str,
    language: Language,
) -> None:
    window = _quarantine_shown(qtbot, sqlite_desk, boss, language)
    dialog = _open_fix(qtbot, window)
    form = dialog.form
    form.title.selectAll()
    qtbot.keyClicks(form.title, "Jalan utama Daik berlubang")

    with qtbot.waitSignal(dialog.answered, timeout=10_000) as answered:
        dialog.send_button.click()

    outcome = answered.args[0]
    assert isinstance(outcome, SaveOutcome) and not outcome.queued
    assert [issue.field for issue in outcome.issues] == ["agency_code"]
    assert dialog.isVisible() and form.isEnabled()
    assert form.title.text() == "Jalan utama Daik berlubang"
    assert form.error_text("agency_code")
    assert dialog.status.text()
    assert QApplication.focusWidget() in (form.agency, form.agency.typing())
    service = QuarantineService(sqlite_desk.context, sqlite_desk.intake)
    assert [r.complaint_uuid for r in service.list(actor=boss)] == [refused]

    dialog.reject()
    settle(qtbot, window.runner)
    again = _open_fix(qtbot, window)  # what was typed last comes back, not what was sent
    assert again.form.title.text() == "Jalan utama Daik berlubang"
    again.reject()


def test_the_front_desk_has_no_fix_and_resend(
    qtbot: QtBot, sqlite_desk: Desk, boss: Actor, refused: str, language: Language
) -> None:
    clerk = accounts.add_user(
        sqlite_desk, accounts.sign_in_supervisor(sqlite_desk), "ani", Role.FRONT_DESK
    ).actor
    window = open_window(qtbot, sqlite_desk, clerk, language)
    wait_for_passes(qtbot, window.sync, 1)
    window.show_sync_panel()

    assert not window.quarantine.may_decide
    assert not window.quarantine.fix_button.isVisible()
    window.quarantine.fix()
    assert window.quarantine.fix_dialog is None
