"""Starting the desk window: open the data folder, sign in, show the main window.

``lapor-desktop`` with no arguments lands here (wired by the composition
root). On the way: the rotating log and the crash reporter first (a bug
anywhere after that leaves a report, not a silent exit), then the desk.
A data folder with no desk yet opens the setup wizard (``ui.setup_wizard``);
a damaged database opens the recovery dialog (``ui.recovery_dialog``);
problems an administrator must fix (no key store, a read-only or full
data folder) are told in a message box and end with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from lapor_desktop.backups.startup import Damaged, DatabaseDamaged
from lapor_desktop.desk import Desk, open_existing_desk
from lapor_desktop.i18n import LANGUAGES, N_, Message
from lapor_desktop.paths import DataPaths, resolve_data_dir
from lapor_desktop.security.file_modes import loosened_warning
from lapor_desktop.security.machine_key import MachineKeyError
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.office import OfficeNotInitialised
from lapor_desktop.services.reports.recap import recap_reminder
from lapor_desktop.storage.problems import ProblemKind, storage_problem
from sync import desk_logging
from sync.runner import RunnerConfig
from ui.crash_dialog import CrashReporter
from ui.i18n import Language
from ui.idle_lock import IdleLock
from ui.main_window import MainWindow
from ui.qt_dialogs import install_qt_texts
from ui.recovery_dialog import RecoveryDialog
from ui.setup_wizard import first_run
from ui.sign_in import SignInDialog
from ui.style import STYLESHEET
from ui.tasks import TaskRunner

EXIT_OK = 0
EXIT_NOT_READY = 2
CANNOT_START = N_("LAPOR! Desktop cannot start")
TRY_AGAIN = N_("Try again")
CLOSE = N_("Close")
REMINDER_SHOWN_MS = 120_000


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lapor-desktop", add_help=True)
    parser.add_argument("--data-dir", help="the data folder (default: the platform's)")
    parser.add_argument("--training", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(list(argv))


@dataclass
class Session:
    """A signed-in operator's window and what must be closed after it.

    Signing out (Session menu, or the lock screen) asks for the next person
    over the same desk; they get a window of their own, the last one's draft kept.
    """

    desk: Desk
    window: MainWindow
    crashes: CrashReporter
    lock: IdleLock
    language: Language
    sync_config: RunnerConfig | None = None
    retired: list[MainWindow] = field(default_factory=list)
    """Windows signed out of: kept until the session ends, as a closed window's own menu
    action is still on the stack when the next window opens."""

    def show(self) -> None:
        """The window where it was last time (or as large as fits), its Session menu wired."""
        self.window.sign_out_requested.connect(self.sign_out)
        self.window.place()
        self.window.show()
        context = self.desk.context
        notice = recap_reminder(context.database, context.office_today(), self.window.actor)
        if notice is not None:  # gentle: in the status line for a while, never a dialog
            self.window.statusBar().showMessage(self.language.render(notice), REMINDER_SHOWN_MS)

    def sign_out(self) -> None:
        """The window closes (keeping its draft); the sign-in dialog opens; closing it ends."""
        old, application = self.window, QApplication.instance()
        assert isinstance(application, QApplication)
        central = old.centralWidget()
        if central is not None:
            central.setVisible(False)
        application.setQuitOnLastWindowClosed(False)
        try:
            principal = sign_in(self.desk, self.language)
            old.close()
            self.retired.append(old)
            if principal is not None:
                window = _window(self.desk, principal, self.language, self, old.training)
                self.window, self.lock = window, IdleLock(window)
                self.show()
        finally:
            application.setQuitOnLastWindowClosed(True)
        if principal is None:
            application.quit()

    def close(self) -> None:
        self.window.close()
        self.desk.close()
        self.crashes.uninstall()


def run(argv: Sequence[str] | None = None) -> int:
    """The GUI's entry point; returns the process exit code."""
    args = parse(sys.argv[1:] if argv is None else argv)
    application = qt_application()
    language = Language()
    qt_texts = install_qt_texts(language)  # Qt's own dialogs in the desk's language
    session = start(resolve_data_dir(args.data_dir), language, training=args.training)
    if not isinstance(session, Session):
        return session
    try:
        return application.exec()
    finally:
        session.close()
        application.removeTranslator(qt_texts)


def qt_application() -> QApplication:
    application = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(application, QApplication)
    application.setApplicationName("LAPOR! Desktop")
    application.setStyleSheet(STYLESHEET)
    return application


def start(
    paths: DataPaths,
    language: Language,
    *,
    training: bool = False,
    sync_config: RunnerConfig | None = None,
) -> Session | int:
    """Everything up to the shown main window; an exit code when it ends before that."""
    start_logging(paths)
    crashes = CrashReporter(paths, language)
    crashes.install()
    try:
        session = _open_session(paths, language, crashes, training, sync_config)
    except BaseException:
        crashes.uninstall()
        raise
    if not isinstance(session, Session):
        crashes.uninstall()
    return session


def _open_session(
    paths: DataPaths,
    language: Language,
    crashes: CrashReporter,
    training: bool,
    sync_config: RunnerConfig | None,
) -> Session | int:
    desk = open_or_recover(paths, language)
    if isinstance(desk, int):
        return desk
    try:
        if desk.context.station.language in LANGUAGES:
            language.switch(desk.context.station.language)
        if desk.loosened:
            warn(language, loosened_warning(list(desk.loosened)))
        principal = sign_in(desk, language)
        if principal is None:
            desk.close()
            return EXIT_OK
        training = training or desk.context.station.training
        window = MainWindow(
            desk,
            principal.actor,
            language,
            training=training,
            sync_config=sync_config,
            crashes=crashes,
        )
    except BaseException:
        desk.close()
        raise
    session = Session(desk, window, crashes, IdleLock(window), language, sync_config)
    session.show()
    return session


def _window(
    desk: Desk, principal: Principal, language: Language, session: Session, training: bool
) -> MainWindow:
    return MainWindow(
        desk,
        principal.actor,
        language,
        training=training,
        sync_config=session.sync_config,
        crashes=session.crashes,
    )


def start_logging(paths: DataPaths) -> None:
    """Log into the data folder once there is one (a mistyped folder is not created)."""
    if paths.root.is_dir():
        desk_logging.start_logging(paths)


def sign_in(desk: Desk, language: Language) -> Principal | None:
    """The sign-in dialog, modal; who signed in, or None if it was closed."""
    runner = TaskRunner()
    dialog = SignInDialog(language, desk, runner)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        runner.shutdown()
    return dialog.principal if accepted else None


def open_or_recover(paths: DataPaths, language: Language) -> Desk | int:
    """The desk; or the setup wizard, the recovery dialog, or a refusal with its exit code."""
    while True:
        try:
            return open_existing_desk(paths)
        except OfficeNotInitialised:
            set_up = first_run(paths, language)  # a new desk: the setup wizard, then sign in
            if set_up is None:
                return EXIT_NOT_READY
            start_logging(paths)
            return set_up
        except MachineKeyError as error:
            return refuse(language, error.message)
        except DatabaseDamaged as damaged:
            if not recover(paths, language, damaged.damaged):
                return EXIT_NOT_READY
        except Exception as error:
            problem = storage_problem(error, paths.root)  # locked, read-only, disk full
            if problem is None:
                raise
            if problem.kind is not ProblemKind.NOT_ANSWERING:
                return refuse(language, problem.message)
            if not retry(language, problem.message):
                return EXIT_NOT_READY
            # the office database PC may just be starting: try again


def recover(paths: DataPaths, language: Language, damaged: Damaged) -> bool:
    """The recovery dialog; True once a backup was restored and the desk may be opened."""
    runner = TaskRunner()
    dialog = RecoveryDialog(language, damaged, paths, runner)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        runner.shutdown()


def warn(language: Language, message: Message) -> None:
    """A warning the operator reads before signing in (the desk still opens)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "LAPOR! Desktop", language.render(message))
    box.exec()


def retry(language: Language, message: Message) -> bool:
    """Whether the operator asks to try the office database again (it may be booting)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, language.text(CANNOT_START), language.render(message)
    )
    again = box.addButton(language.text(TRY_AGAIN), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(language.text(CLOSE), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(again)
    box.exec()
    return box.clickedButton() is again


def refuse(language: Language, message: Message) -> int:
    box = QMessageBox(
        QMessageBox.Icon.Critical, language.text(CANNOT_START), language.render(message)
    )
    box.exec()
    return EXIT_NOT_READY
