"""When the data is in trouble: a damaged database at start-up, a database that cannot be written.

The damage is real (pages of a real desk's SQLite file overwritten with junk, as a failing
disk does) and the backup a real one taken earlier; the recovery dialog runs modally inside
``ui.app``'s start-up, driven as a person would. Nothing is ever deleted.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from lapor_desktop.backups import startup
from lapor_desktop.backups.copies import Reason, back_up
from lapor_desktop.desk import Desk
from lapor_desktop.i18n import Message
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.problems import ProblemKind, describe
from tests.support import samples
from tests.support.clock import FakeClock
from tests.support.damaged_disk import damage
from tests.ui.desk_window import settle
from tests.ui.modal import when_modal
from ui import app as gui
from ui.errors import TYPING_KEPT
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.recovery_dialog import RecoveryDialog

SAVED_BEFORE_BACKUP = 12


def _titles(database: Path) -> set[str]:
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return {title for (title,) in c.execute("SELECT title FROM complaints")}


@pytest.fixture
def damaged(sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock) -> DataPaths:
    """A desk with a backup of its first complaints, then more work, then a failing disk."""
    paths = sqlite_desk.paths
    for n in range(SAVED_BEFORE_BACKUP):
        saved = sqlite_desk.intake.submit(
            samples.valid_form(title=f"Keluhan {n}"), actor=sqlite_clerk
        )
        assert saved.queued, saved.issues
    back_up(paths.database, paths.backups, now=clock(), reason=Reason.MANUAL)
    sqlite_desk.intake.submit(samples.valid_form(title="Sesudah cadangan"), actor=sqlite_clerk)
    sqlite_desk.close()
    damage(paths.database)
    return paths


@pytest.fixture(autouse=True)
def _hooks_and_logs_put_back() -> Iterator[None]:
    hooks = (sys.excepthook, threading.excepthook)
    handlers = list(logging.getLogger().handlers)
    yield
    assert (sys.excepthook, threading.excepthook) == hooks, "start-up left its hooks behind"
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()


def test_a_damaged_database_is_restored_from_the_newest_good_backup_and_kept_aside(
    qtbot: QtBot, damaged: DataPaths
) -> None:
    damaged_bytes = damaged.database.read_bytes()
    seen: dict[str, str] = {}

    def restore(dialog: RecoveryDialog) -> None:
        seen["explanation"] = dialog.explanation.text()
        seen["file"] = dialog.damaged_file.text()
        assert dialog.restore_button.isEnabled() and dialog.restore_button.isDefault()
        with qtbot.waitSignal(dialog.finished_restoring, timeout=10_000):
            dialog.restore_button.click()
        seen["status"] = dialog.status.text()
        assert dialog.continue_button.isVisible() and not dialog.quit_button.isVisible()
        dialog.continue_button.click()

    steps = when_modal(RecoveryDialog, restore)
    desk = gui.open_or_recover(damaged, Language("en"))
    steps.raise_failure()

    assert isinstance(desk, Desk)
    try:
        assert "The database is damaged" in seen["explanation"]
        assert "2026-11-27 02:30 UTC" in seen["explanation"], "the backup's date is told"
        assert str(damaged.database) in seen["file"]
        [aside] = (damaged.root / "set-aside").iterdir()
        assert aside.read_bytes() == damaged_bytes, "the damaged file is kept, byte for byte"
        assert str(aside) in seen["status"]
        assert isinstance(startup.startup_check(damaged), startup.Healthy)
        assert _titles(damaged.database) == {f"Keluhan {n}" for n in range(SAVED_BEFORE_BACKUP)}
    finally:
        desk.close()


def test_quit_leaves_the_damaged_database_as_it_was_and_exits_not_ready(
    qtbot: QtBot, damaged: DataPaths
) -> None:
    before = sorted((p.name, p.read_bytes()) for p in damaged.root.rglob("*") if p.is_file())

    steps = when_modal(RecoveryDialog, lambda dialog: dialog.quit_button.click())
    code = gui.run(["--data-dir", str(damaged.root)])
    steps.raise_failure()

    assert code == gui.EXIT_NOT_READY
    after = sorted((p.name, p.read_bytes()) for p in damaged.root.rglob("*") if p.is_file())
    data_before = [entry for entry in before if not entry[0].endswith(".log")]
    assert [entry for entry in after if not entry[0].endswith(".log")] == data_before
    assert not (damaged.root / "set-aside").exists()


def test_without_a_good_backup_only_quit_is_offered_and_it_says_so(
    qtbot: QtBot, damaged: DataPaths
) -> None:
    for backup in damaged.backups.iterdir():
        backup.unlink()
    seen: list[str] = []

    def read_and_quit(dialog: RecoveryDialog) -> None:
        assert not dialog.restore_button.isEnabled()
        assert dialog.quit_button.isDefault()
        seen.append(dialog.explanation.text())
        dialog.quit_button.click()

    steps = when_modal(RecoveryDialog, read_and_quit)
    result = gui.open_or_recover(damaged, Language("en"))
    steps.raise_failure()

    assert result == gui.EXIT_NOT_READY
    assert "there is no good backup" in seen[0] and "Do not delete anything" in seen[0]
    assert damaged.database.exists()


def test_a_read_only_database_is_explained_at_save_and_what_was_typed_stays(
    qtbot: QtBot, window: MainWindow, sqlite_desk: Desk
) -> None:
    page = window.intake
    assert page is not None
    page.form.load(samples.valid_form(title="Jangan hilang"), anonim=False, rahasia=False)
    typed = page.form.form()
    writable = sqlite_desk.context.database
    read_only = Database(f"sqlite:///file:{sqlite_desk.paths.database}?mode=ro&uri=true")
    sqlite_desk.context.database = read_only
    try:
        page.save()
        settle(qtbot, window.runner)
    finally:
        sqlite_desk.context.database = writable
        read_only.dispose()

    problem = describe(ProblemKind.READ_ONLY, sqlite_desk.paths.root)
    expected = Message(TYPING_KEPT, {"problem": problem.message}).render("id")
    assert page.status.text() == expected
    assert str(sqlite_desk.paths.root) in page.status.text()
    assert page.form.form() == typed, "nothing typed was lost"
    assert page.form.isEnabled()
    assert window.crashes.dialog is None and window.findChild(QMessageBox) is None
    with qtbot.waitSignal(window.receipt_shown, timeout=10_000):
        page.save()  # the folder is writable again: the same form saves
    assert "Jangan hilang" in _titles(sqlite_desk.paths.database)
