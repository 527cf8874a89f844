"""The printed receipt: read back from the PDF itself, as a citizen would read the paper."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.validation.nik import mask_nik
from tests.support import samples
from tests.ui.desk_window import open_window
from ui.detail_data import load_detail
from ui.i18n import Language
from ui.receipt import TRAINING_MARK, receipt_for
from ui.receipt_dialog import ReceiptDialog

NIK = samples.valid_form().nik

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def pdf_text(path: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def receipt_dialog(
    qtbot: QtBot,
    desk: Desk,
    actor: Actor,
    language: Language,
    *,
    training: bool = False,
    **changes: object,
) -> tuple[ReceiptDialog, str]:
    outcome = desk.intake.submit(samples.valid_form(**changes), actor=actor)
    assert outcome.registration_number is not None
    page = load_detail(desk.lookup, desk.context, outcome.uuid, actor)
    assert page is not None
    receipt = receipt_for(page, desk.context.office, training=training)
    dialog = ReceiptDialog(language, receipt)
    qtbot.addWidget(dialog)
    return dialog, outcome.registration_number


@needs_pdftotext
def test_the_pdf_carries_the_registration_number_and_only_a_masked_nik(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language, tmp_path: Path
) -> None:
    dialog, number = receipt_dialog(qtbot, sqlite_desk, sqlite_clerk, language)

    text = pdf_text(dialog.save_pdf(tmp_path / "receipt.pdf"))

    assert number in text
    assert mask_nik(NIK) in text
    assert NIK not in text
    assert "TANDA TERIMA PENGADUAN" in text
    assert TRAINING_MARK not in text
    assert "ID pelacakan" not in text, "not sent yet: no tracking ID to print"


@needs_pdftotext
def test_the_pdf_of_an_anonymous_complaint_names_nobody(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language, tmp_path: Path
) -> None:
    dialog, number = receipt_dialog(qtbot, sqlite_desk, sqlite_clerk, language, anonim=True)

    text = pdf_text(dialog.save_pdf(tmp_path / "receipt.pdf"))

    assert number in text
    assert samples.valid_form().full_name not in text
    assert mask_nik(NIK) not in text
    assert "(anonim)" in text


@needs_pdftotext
def test_a_training_desk_stamps_the_receipt_and_the_window_title(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language, tmp_path: Path
) -> None:
    dialog, _number = receipt_dialog(qtbot, sqlite_desk, sqlite_clerk, language, training=True)

    text = pdf_text(dialog.save_pdf(tmp_path / "receipt.pdf"))

    assert TRAINING_MARK in text
    window = open_window(qtbot, sqlite_desk, sqlite_clerk, language, training=True)
    assert TRAINING_MARK in window.windowTitle()


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="pdfimages is not installed")
def test_the_pdf_carries_a_qr_code_of_the_registration_number(
    qtbot: QtBot, sqlite_desk: Desk, sqlite_clerk: Actor, language: Language, tmp_path: Path
) -> None:
    dialog, number = receipt_dialog(qtbot, sqlite_desk, sqlite_clerk, language)

    pdf = dialog.save_pdf(tmp_path / "receipt.pdf")

    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(listing) == 1, "one picture: the QR code"
    expected = segno.make(number, error="m", micro=False)
    width = int(listing[0].split()[3])
    assert width == (expected.symbol_size(scale=8, border=4)[0])
