"""Starting the desk window: open the data folder, sign in, show the main window.

``lapor-desktop`` with no arguments lands here (wired by the composition
root). A data folder with no desk yet opens the setup wizard
(``ui.setup_wizard``); problems an administrator must fix (no key store)
are told in a message box and end with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from lapor_desktop import app
from lapor_desktop.cli.opening import open_existing_desk
from lapor_desktop.i18n import LANGUAGES, N_, Message
from lapor_desktop.paths import resolve_data_dir
from lapor_desktop.security.machine_key import MachineKeyError
from lapor_desktop.services.office import OfficeNotInitialised
from ui.i18n import Language
from ui.idle_lock import IdleLock
from ui.main_window import MainWindow
from ui.setup_wizard import first_run
from ui.sign_in import SignInDialog
from ui.style import STYLESHEET
from ui.tasks import TaskRunner

EXIT_OK = 0
EXIT_NOT_READY = 2
CANNOT_START = N_("LAPOR! Desktop cannot start")


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lapor-desktop", add_help=True)
    parser.add_argument("--data-dir", help="the data folder (default: the platform's)")
    parser.add_argument("--training", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(list(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """The GUI's entry point; returns the process exit code."""
    args = parse(sys.argv[1:] if argv is None else argv)
    application = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(application, QApplication)
    application.setApplicationName("LAPOR! Desktop")
    application.setStyleSheet(STYLESHEET)
    language = Language()
    paths = resolve_data_dir(args.data_dir)
    try:
        desk = open_existing_desk(paths)
    except OfficeNotInitialised:
        set_up = first_run(paths, language)  # a new desk: the setup wizard, then sign in
        if set_up is None:
            return EXIT_NOT_READY
        desk = set_up
    except MachineKeyError as error:
        return _refuse(language, error.message)
    try:
        if desk.context.station.language in LANGUAGES:
            language.switch(desk.context.station.language)
        training = args.training or desk.context.station.training
        return _session(application, desk, language, training=training)
    finally:
        desk.close()


def _session(
    application: QApplication, desk: app.Desk, language: Language, *, training: bool
) -> int:
    runner = TaskRunner()
    sign_in = SignInDialog(language, desk, runner)
    accepted = sign_in.exec() == QDialog.DialogCode.Accepted
    runner.shutdown()
    if not accepted or sign_in.principal is None:
        return EXIT_OK
    window = MainWindow(desk, sign_in.principal.actor, language, training=training)
    lock = IdleLock(window)  # kept referenced until the event loop ends
    window.resize(1280, 860)
    window.show()
    code = application.exec()
    del lock
    return code


def _refuse(language: Language, message: Message) -> int:
    box = QMessageBox(
        QMessageBox.Icon.Critical, language.text(CANNOT_START), language.render(message)
    )
    box.exec()
    return EXIT_NOT_READY
