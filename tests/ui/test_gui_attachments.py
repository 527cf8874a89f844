"""Attachments at the desk: picked or dropped, refused with a reason, removed, saved, previewed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.domain.complaint import AttachmentView
from lapor_desktop.i18n import translate
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ATTACHMENT_HIDDEN, ComplaintQuery
from lapor_desktop.settings import MIB, AttachmentSettings, OfficeSettings
from tests.support import samples
from tests.ui.desk_window import open_window, settle
from ui.attachments_panel import AttachmentsPanel
from ui.attachments_preview import PreviewDialog
from ui.i18n import Language
from ui.intake_page import IntakePage
from ui.main_window import MainWindow

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def office() -> OfficeSettings:
    """A 1 MB limit, so a too-large file is small enough to make in a test."""
    return OfficeSettings(
        office_code=samples.OFFICE_CODE,
        office_name=samples.OFFICE_NAME,
        attachments=AttachmentSettings(max_bytes=MIB),
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    photo = QImage(640, 480, QImage.Format.Format_RGB32)
    photo.fill(QColor("#2a7f62"))
    paths = {
        "photo": tmp_path / "foto jalan.png",
        "scan": tmp_path / "surat.pdf",
        "program": tmp_path / "setup.exe",
        "large": tmp_path / "besar.pdf",
    }
    assert photo.save(str(paths["photo"]))
    paths["scan"].write_bytes(PDF)
    paths["program"].write_bytes(b"MZ" + b"\x90" * 200)
    paths["large"].write_bytes(PDF + b"0" * (MIB + 10))
    return paths


@pytest.fixture
def page(window: MainWindow) -> IntakePage:
    assert window.intake is not None
    return window.intake


def add(qtbot: QtBot, panel: AttachmentsPanel, *paths: Path) -> None:
    with qtbot.waitSignal(panel.settled, timeout=10_000):
        panel.add_paths(paths)


def test_picked_files_are_listed_with_a_thumbnail_and_saved_with_the_complaint(
    qtbot: QtBot,
    window: MainWindow,
    page: IntakePage,
    files: dict[str, Path],
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
) -> None:
    add(qtbot, page.attachments, files["photo"], files["scan"])

    panel = page.attachments
    assert [f.filename for f in panel.files()] == ["foto jalan.png", "surat.pdf"]
    assert not panel.list.item(0).icon().isNull()
    assert panel.error.text() == ""
    page.form.load(samples.valid_form(), anonim=False, rahasia=False)
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000):
        page.save()

    [saved] = sqlite_desk.lookup.find(ComplaintQuery(), actor=sqlite_clerk)
    detail = sqlite_desk.lookup.get(saved.uuid, actor=sqlite_clerk)
    assert detail is not None
    assert [(a.filename, a.media_type) for a in detail.attachments] == [
        ("foto jalan.png", "image/png"),
        ("surat.pdf", "application/pdf"),
    ]
    store = sqlite_desk.context.attachment_store()
    assert all(store.verify(a.sha256) for a in detail.attachments)
    assert panel.files() == (), "the next citizen starts with no files"


def test_a_program_or_a_too_large_file_is_refused_beside_the_list_in_plain_words(
    qtbot: QtBot, page: IntakePage, files: dict[str, Path]
) -> None:
    add(qtbot, page.attachments, files["program"], files["large"], files["scan"])

    panel = page.attachments
    assert [f.filename for f in panel.files()] == ["surat.pdf"]
    shown = panel.error.text()
    assert (
        "setup.exe: "
        + translate("The file is a Windows program (exe), which cannot be attached.", "id")
        in shown
    )
    assert "besar.pdf: " in shown
    assert (
        translate("The file is larger than the limit of {limit_mb} MB.", "id").format(limit_mb="1")
        in shown
    )
    assert "1 MB" in panel.hint.text(), "the office's limit is stated before anyone picks"


def test_a_file_removed_before_saving_is_not_attached(
    qtbot: QtBot,
    window: MainWindow,
    page: IntakePage,
    files: dict[str, Path],
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
) -> None:
    add(qtbot, page.attachments, files["photo"], files["scan"])
    panel = page.attachments
    panel.list.setCurrentRow(0)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert [f.filename for f in panel.files()] == ["surat.pdf"]

    page.form.load(samples.valid_form(), anonim=False, rahasia=False)
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000) as shown:
        page.save()

    detail = sqlite_desk.lookup.get(shown.args[0].receipt.registration_number, actor=sqlite_clerk)
    assert detail is not None
    assert [a.filename for a in detail.attachments] == ["surat.pdf"]


def test_a_draft_keeps_its_files_and_they_come_back_when_it_is_continued(
    qtbot: QtBot,
    window: MainWindow,
    page: IntakePage,
    files: dict[str, Path],
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
) -> None:
    add(qtbot, page.attachments, files["scan"])
    page.form.load(samples.valid_form(), anonim=None, rahasia=None)
    with qtbot.waitSignal(page.draft_saved, timeout=10_000) as kept:
        page.save()
    draft = sqlite_desk.lookup.get(kept.args[0].uuid, actor=sqlite_clerk)
    assert draft is not None
    assert [a.filename for a in draft.attachments] == ["surat.pdf"]

    page.start_new()  # nothing changed since the save: a fresh form at once
    assert page.attachments.files() == ()
    assert page.resume(draft)
    settle(qtbot, window.runner)

    assert [f.filename for f in page.attachments.files()] == ["surat.pdf"]


def test_files_dropped_on_the_form_are_attached(
    qtbot: QtBot, page: IntakePage, files: dict[str, Path]
) -> None:
    panel = page.attachments
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(files["photo"]))])
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()

    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(panel.settled, timeout=10_000):
        QApplication.sendEvent(panel, drop)

    assert [f.filename for f in panel.files()] == ["foto jalan.png"]


def test_the_detail_shows_a_picture_decrypted_in_memory_and_saves_a_copy(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    language: Language,
    files: dict[str, Path],
    tmp_path: Path,
) -> None:
    photo = sqlite_desk.intake.store_file(files["photo"], actor=sqlite_clerk)
    scan = sqlite_desk.intake.store_file(files["scan"], actor=sqlite_clerk)
    assert isinstance(photo, AttachmentView) and isinstance(scan, AttachmentView)
    sqlite_desk.intake.submit(samples.valid_form(), actor=sqlite_clerk, files=[photo, scan])
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    window.show_list()
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.list.select_row(0)
    view = window.detail.attachments
    assert view.list.count() == 2

    with qtbot.waitSignal(view.previewed, timeout=10_000) as previewed:
        view.preview(0)
    dialog = previewed.args[0]
    assert isinstance(dialog, PreviewDialog)
    assert dialog.picture.pixmap().width() == 640
    dialog.accept()

    copy = tmp_path / "copy.pdf"
    with qtbot.waitSignal(view.saved, timeout=10_000):
        view.save_copy(1, copy)
    assert copy.read_bytes() == PDF


def test_a_confidential_complaints_files_stay_closed_to_the_front_desk(
    qtbot: QtBot,
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    language: Language,
    files: dict[str, Path],
) -> None:
    ktp = sqlite_desk.intake.store_file(files["photo"], actor=sqlite_clerk)
    assert isinstance(ktp, AttachmentView)
    saved = sqlite_desk.intake.submit(
        samples.valid_form(rahasia=True),
        actor=sqlite_clerk,
        files=[ktp],
    )
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language)
    window.show_list()
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.list.select_row(0)

    view = window.detail.attachments
    assert view.hidden.isVisibleTo(view)
    assert view.hidden.text() == translate(ATTACHMENT_HIDDEN, "id")
    assert not view.preview_button.isEnabled() and not view.save_button.isEnabled()
    refused = sqlite_desk.lookup.read_attachment(
        saved.uuid,
        ktp.sha256,
        actor=sqlite_clerk,
    )
    assert not isinstance(refused, bytes)
    assert refused.render("en") == ATTACHMENT_HIDDEN
