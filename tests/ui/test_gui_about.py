"""The About box: what IT staff read out on a support call, from a real desk's database."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from lapor_desktop import __version__
from lapor_desktop.desk import Desk
from lapor_desktop.i18n import translate
from lapor_desktop.storage import migrate
from ui.about_dialog import AboutDialog, about_facts
from ui.i18n import Language
from ui.receipt import TRAINING_MARK

TITLE = "About LAPOR! Desktop"


def about(qtbot: QtBot, desk: Desk, language: Language, *, training: bool) -> AboutDialog:
    dialog = AboutDialog(language, about_facts(desk, training=training))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_about_shows_version_schema_data_folder_and_credits(
    qtbot: QtBot, sqlite_desk: Desk, language: Language
) -> None:
    dialog = about(qtbot, sqlite_desk, language, training=False)

    assert dialog.values["version"].text() == __version__
    assert migrate.head_revision() in dialog.values["schema"].text()
    assert dialog.values["data_folder"].text() == str(sqlite_desk.paths.root)
    assert dialog.values["database"].text() == str(sqlite_desk.paths.database)
    assert "Kemendagri" in dialog.credits.text()
    assert "cahyadsn/wilayah" in dialog.credits.text()
    assert "MIT" in dialog.credits.text()
    assert dialog.training_mark is None
    assert TRAINING_MARK not in dialog.details()


def test_about_says_when_the_database_is_behind_this_version(
    qtbot: QtBot, sqlite_desk: Desk, language: Language
) -> None:
    with sqlite_desk.database.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0002'"))

    dialog = about(qtbot, sqlite_desk, language, training=False)

    shown = dialog.values["schema"].text()
    assert "0002" in shown
    assert migrate.head_revision() in shown


def test_about_marks_a_training_desk(qtbot: QtBot, sqlite_desk: Desk, language: Language) -> None:
    dialog = about(qtbot, sqlite_desk, language, training=True)

    assert dialog.training_mark is not None
    assert dialog.training_mark.isVisible()
    assert dialog.training_mark.text() == TRAINING_MARK
    assert TRAINING_MARK in dialog.details()


def test_copy_details_puts_the_facts_on_the_clipboard(
    qtbot: QtBot, sqlite_desk: Desk, language: Language
) -> None:
    dialog = about(qtbot, sqlite_desk, language, training=False)
    dialog.copy_button.click()

    copied = QApplication.clipboard().text()
    assert __version__ in copied
    assert str(sqlite_desk.paths.root) in copied
    assert migrate.head_revision() in copied


def test_about_follows_the_language_switch(
    qtbot: QtBot, sqlite_desk: Desk, language: Language
) -> None:
    dialog = about(qtbot, sqlite_desk, language, training=False)

    language.switch("en")
    assert dialog.windowTitle() == TITLE
    assert "(up to date)" in dialog.values["schema"].text()
    language.switch("id")
    assert dialog.windowTitle() == translate(TITLE, "id")
