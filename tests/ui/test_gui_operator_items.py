"""Issue 17 items 7 and 9: what a front-desk operator meets on screen, each on the real window."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.domain.status import SyncState
from lapor_desktop.i18n import Message, translate
from lapor_desktop.services.context import Actor
from lapor_desktop.services.drafts import DISCARDED_ACTION
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.services.sync_feed import NationalChange, apply_changes
from lapor_desktop.storage.models import AuditEntry, Complaint, OutboxEntry
from tests.support import accounts, samples
from tests.ui.desk_window import open_window, settle
from ui.complaint_model import UUID_ROLE
from ui.draft_discard import DISCARDED
from ui.duplicate_warning import DuplicateWarning
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.receipt import TRAINING_MARK
from ui.settings_form import READ_ONLY, READ_ONLY_LOOK
from ui.sign_in import SignInDialog
from ui.style import STYLESHEET
from ui.sync_panel import OF_THEM
from ui.tasks import TaskRunner

REPLY = (
    "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Lingga telah meninjau lokasi pada "
    "2 Desember 2026. Perbaikan jalan menuju pelabuhan Daik dijadwalkan dalam anggaran "
    "perubahan; sementara itu lubang terbesar ditimbun sirtu minggu ini dan rambu "
    "peringatan dipasang di kedua arah. Warga dapat menghubungi bidang bina marga bila "
    "lubang bertambah sebelum perbaikan selesai."
)


def _open(qtbot: QtBot, window: MainWindow, uuid: str) -> None:
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.open_complaint(uuid)


def test_a_front_desk_operator_discards_a_draft_never_queued_and_it_is_audited(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    draft = sqlite_desk.intake.save_draft(
        samples.valid_form(title="Salah ketik"), actor=sqlite_clerk
    )
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    _open(qtbot, window, draft.uuid)
    button = window.detail.discard_button
    assert button.isVisibleTo(window.detail)

    with qtbot.waitSignal(button.asked, timeout=5_000) as asked:
        button.click()
    box = asked.args[0]
    assert isinstance(box, QMessageBox)
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No), "No is the default"
    with qtbot.waitSignal(button.done, timeout=10_000):
        box.button(QMessageBox.StandardButton.Yes).click()
    settle(qtbot, window.runner)

    assert window.detail.page is None
    assert window.detail.placeholder.text() == translate(DISCARDED, "id")
    assert sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk) == []
    assert window.model.rowCount() == 0
    with sqlite_desk.database.read() as session:
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == DISCARDED_ACTION, AuditEntry.entity_id == draft.uuid)
        )
    assert audited == 1


def test_a_queued_complaint_offers_no_discard(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    queued = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    _open(qtbot, window, queued.uuid)

    assert not window.detail.discard_button.isVisibleTo(window.detail)


def test_the_agencys_long_reply_is_readable_whole_in_the_timeline(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    clock = sqlite_desk.context.clock
    with sqlite_desk.database.write() as session:
        session.execute(update(Complaint).values(status="sent", sync_state="sent"))
        change = NationalChange(
            "chg-1", saved.uuid, "LPR-8", "verified", REPLY, "2104-DPUPR", clock()
        )
        assert apply_changes(session, [change], clock()) == 1
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    window.resize(1366, 728)
    _open(qtbot, window, saved.uuid)
    table = window.detail.timeline
    row = table.rowCount() - 1
    assert table.texts()[row][3] == REPLY

    needed = table.fontMetrics().boundingRect(
        QRect(0, 0, table.columnWidth(3) - 8, 10_000), Qt.TextFlag.TextWordWrap, REPLY
    )
    assert table.rowHeight(row) >= needed.height(), "the whole reply fits its row"
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    assert table.viewport().height() >= rows, "no row is cut at the table's bottom"

    table.setFocus()
    table.setCurrentCell(row, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert table.note_dialog is not None
    whole = table.note_dialog.findChild(QPlainTextEdit)
    assert whole is not None and whole.toPlainText() == REPLY
    table.note_dialog.close()


def test_the_receipt_names_the_officer_not_the_account(
    qtbot: QtBot, sqlite_desk: Desk, language: Language
) -> None:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    sqlite_desk.accounts.create_user(
        boss, "loket", "Rina Marlina", Role.FRONT_DESK, accounts.INITIAL_PASSWORD
    )
    sqlite_desk.accounts.change_password("loket", accounts.INITIAL_PASSWORD, accounts.PASSWORD)
    loket = accounts.sign_in(sqlite_desk, "loket", accounts.PASSWORD).actor
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=loket)
    window = open_window(qtbot, sqlite_desk, loket, language)
    _open(qtbot, window, saved.uuid)

    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        window.detail.receipt_button.click()

    html = shown.args[0].html()
    assert "Rina Marlina" in html
    assert ">loket<" not in html
    shown.args[0].close()


def test_the_duplicate_warning_opens_the_existing_complaint_and_keeps_the_form(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    first = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    page = window.intake
    assert page is not None
    page.form.load(samples.valid_form(), anonim=False, rahasia=False)
    page.form.title.setText("Jalan di Daik rusak lagi")
    with qtbot.waitSignal(page.duplicates_shown, timeout=10_000) as shown:
        page.save()
    warning = shown.args[0]
    assert isinstance(warning, DuplicateWarning)
    assert warning.open_button.isVisible()

    with qtbot.waitSignal(window.detail_shown, timeout=10_000) as opened:
        warning.open_button.click()

    assert opened.args[0] is not None
    assert opened.args[0].detail.summary.uuid == first.uuid
    assert window.tabs.currentWidget() is window.detail.parentWidget()
    assert page.form.title.text() == "Jalan di Daik rusak lagi", "the form waits as typed"
    assert len(sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)) == 1


def test_the_sync_panel_says_the_retries_are_part_of_the_waiting_and_lists_them(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language
) -> None:
    waiting = [
        sqlite_desk.intake.submit(samples.valid_form(phone=p), actor=sqlite_clerk).uuid
        for p in ("081234567890", "081298765432")
    ]
    sqlite_desk.intake.save_draft(samples.valid_form(title="Belum selesai"), actor=sqlite_clerk)
    later = sqlite_desk.context.now() + dt.timedelta(hours=1)
    with sqlite_desk.database.write() as session:
        session.execute(update(OutboxEntry).values(attempts=1, next_attempt_at=later))
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    panel = window.sync_panel

    assert panel.counts["pending"].text() == "2"
    assert panel.counts["waiting"].text() == Message(OF_THEM, {"count": 2}).render("id")
    assert panel.counts["sending"].text() == Message(OF_THEM, {"count": 0}).render("id")
    assert panel.waiting_link.isEnabled()
    with qtbot.waitSignal(window.model.modelReset, timeout=10_000):
        panel.waiting_link.click()
    settle(qtbot, window.runner)

    assert window.tabs.currentWidget() is window.detail.parentWidget()
    assert window.list.sync_filter.currentData() == SyncState.PENDING.value
    shown = {window.model.data(window.model.index(r, 0), UUID_ROLE) for r in range(2)}
    assert window.model.rowCount() == 2 and shown == set(waiting), "the draft is not listed"


def test_front_desk_settings_look_read_only_and_say_who_may_change_them(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.settings
    if not page.isEnabled():
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            pass
    window.show_settings()

    for field in (page.server_url, page.public_keys, page.leave_days):
        assert field.isReadOnly()
        assert field.styleSheet() == READ_ONLY_LOOK, "greyed, unlike an editable field"
        assert field.toolTip() == translate(READ_ONLY.template, "id")
    notes = [label.text() for label in page.findChildren(QLabel)]
    assert translate(READ_ONLY.template, "id") in notes
    assert not page.max_attachment_mib.isEnabled()


def test_the_sign_in_dialog_of_a_training_desk_says_pelatihan(
    qtbot: QtBot, sqlite_desk: Desk, language: Language, runner: TaskRunner
) -> None:
    real = SignInDialog(language, sqlite_desk, runner)
    qtbot.addWidget(real)
    assert TRAINING_MARK not in real.windowTitle() and real.training_mark is None

    sqlite_desk.context.station = sqlite_desk.context.station.training_copy()
    dialog = SignInDialog(language, sqlite_desk, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    assert TRAINING_MARK in dialog.windowTitle()
    assert dialog.training_mark is not None and dialog.training_mark.isVisible()
    assert TRAINING_MARK in dialog.training_mark.text()
    dialog.show_locked(accounts.SUPERVISOR.username)
    assert TRAINING_MARK in dialog.windowTitle()


def test_the_changed_screens_render_at_1366x768(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language, tmp_path: Path
) -> None:
    """Pictures to look at (``LAPOR_SCREENSHOTS`` names a folder for them; else a temporary one)."""
    folder = Path(os.environ.get("LAPOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    saved = sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk)
    draft = sqlite_desk.intake.save_draft(samples.valid_form(title="Jalan"), actor=sqlite_clerk)
    clock = sqlite_desk.context.clock
    with sqlite_desk.database.write() as session:
        session.execute(update(Complaint).where(Complaint.uuid == saved.uuid).values(status="sent"))
        change = NationalChange(
            "c-1", saved.uuid, "LPR-8", "verified", REPLY, "2104-DPUPR", clock()
        )
        apply_changes(session, [change], clock())
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    window.resize(1366, 728)
    _open(qtbot, window, saved.uuid)
    QApplication.processEvents()
    scroll = window.detail.timeline.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    assert scroll is not None
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    pictures = {"detail_long_reply.png": window}
    _grab(window, folder / "detail_long_reply.png")
    _open(qtbot, window, draft.uuid)
    scroll.verticalScrollBar().setValue(0)
    _grab(window, folder / "detail_draft.png")
    qtbot.keyClick(window, Qt.Key.Key_F6)
    _grab(window, folder / "sync_panel.png")
    window.show_settings()
    _grab(window, folder / "settings_front_desk.png")
    sqlite_desk.context.station = sqlite_desk.context.station.training_copy()
    sign_in = SignInDialog(language, sqlite_desk, window.runner)
    sign_in.setStyleSheet(STYLESHEET)
    qtbot.addWidget(sign_in)
    sign_in.show()
    qtbot.waitExposed(sign_in)
    _grab(sign_in, folder / "sign_in_training.png")
    assert all((folder / name).stat().st_size > 0 for name in pictures)


def _grab(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    assert widget.grab().save(str(path))
