"""``lapor-desktop --self-test``: prove that this build works, on a throwaway desk.

The installers' smoke test, and the first thing IT staff can run after an
installation. A frozen build fails in ways the source tree never does (a
migration script, a catalogue or a Qt plugin left out of the bundle), so
this goes through what a first start does: migrate a new database, load the
reference data, record a complaint, open the desk window offscreen and
write a receipt PDF. Everything happens in a temporary folder with its own
key file: the real data folder and the OS keyring are never touched.
Exit status 0 when every check passed, 1 with the reason otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import gettext
import importlib
import os
import secrets
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from lapor_desktop import __version__
from lapor_desktop.desk import Desk, FirstSupervisor, initialise
from lapor_desktop.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    Message,
    translate,
    translations,
)
from lapor_desktop.paths import DATA_DIR_ENV, DATABASE_URL_ENV, DataPaths
from lapor_desktop.reference.store import installed_version
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV, machine_key_store
from lapor_desktop.services.accounts import SignedIn
from lapor_desktop.services.context import Actor
from lapor_desktop.services.demo_samples import sample_forms
from lapor_desktop.storage import migrate
from sync.training_demo import DEMO_OFFICE
from ui.detail_data import load_detail
from ui.i18n import Language
from ui.main_window import MainWindow
from ui.receipt import receipt_for, receipt_html, save_pdf
from ui.window_chrome import SIGNED_IN_AS

EXIT_PASSED = 0
EXIT_FAILED = 1
PASSED = N_("ok")
FAILED = N_("FAILED")
WINDOW_TIMEOUT_MS = 60_000
"""Generous: a frozen build on an old office PC may take long to show its first window."""

SELF_TEST_OFFICE = dataclasses.replace(DEMO_OFFICE, office_name="LAPOR! Desktop self-test")
"""The demo office code, because the sample complaints name its regions."""

KEYRING_BACKENDS = {
    "linux": ("keyring.backends.SecretService", "secretstorage"),
    "win32": ("keyring.backends.Windows", "win32ctypes.pywin32"),
    "darwin": ("keyring.backends.macOS", "keyring.backends.macOS.api"),
}
"""The keyring backend each OS needs, and the module it imports quietly (a backend whose
library is missing just reports itself unavailable, so both are checked)."""


class SelfTestFailed(RuntimeError):
    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message


Step = Callable[[], Message]


class SelfTest:
    """The checks, in the order a first start meets them; each returns what it found."""

    def __init__(self, folder: Path, language: str) -> None:
        self.language = language
        self.folder = folder
        self.paths = DataPaths(folder / "data")
        self.machine = machine_key_store(self.paths.root)
        self.supervisor = FirstSupervisor(
            "uji_mandiri", "Uji Mandiri", "Uji-" + secrets.token_urlsafe(18)
        )
        self.desk: Desk | None = None
        self.actor: Actor | None = None
        self.registration_number = ""

    def steps(self) -> Iterator[tuple[str, Step]]:
        yield N_("Translations"), self.check_translations
        yield N_("Keyring support"), self.check_keyring_support
        yield N_("New desk and database migrations"), self.check_setup
        yield N_("Reference data"), self.check_reference_data
        yield N_("Recording a complaint"), self.check_recording
        yield N_("Desk window"), self.check_window
        yield N_("Receipt PDF"), self.check_receipt

    def close(self) -> None:
        if self.desk is not None:
            self.desk.close()
            self.desk = None

    # -- the checks -----------------------------------------------------------------------

    def check_translations(self) -> Message:
        catalogue = translations("id")
        found = isinstance(catalogue, gettext.GNUTranslations)
        if not found or catalogue.gettext(SIGNED_IN_AS) == SIGNED_IN_AS:
            raise SelfTestFailed(
                Message(
                    N_("The Indonesian translations were not found in {folder}."),
                    {"folder": str(LOCALE_DIR)},
                )
            )
        return Message(N_("Indonesian catalogue loaded from {folder}"), {"folder": str(LOCALE_DIR)})

    def check_keyring_support(self) -> Message:
        """The backend module this OS needs is in the build (the test itself uses a key file)."""
        backend, library = KEYRING_BACKENDS.get(sys.platform, KEYRING_BACKENDS["linux"])
        importlib.import_module(backend)
        importlib.import_module(library)
        return Message(N_("{module} is present"), {"module": f"{backend} ({library})"})

    def check_setup(self) -> Message:
        # Always a new SQLite file: never the office's server named by LAPOR_DATABASE_URL.
        self.desk = initialise(
            self.paths,
            SELF_TEST_OFFICE,
            supervisor=self.supervisor,
            database_url=f"sqlite:///{self.paths.database}",
            machine=self.machine,
        )
        head = migrate.head_revision()
        current = migrate.current_revision(self.desk.database)
        if current != head:
            raise SelfTestFailed(
                Message(
                    N_("The new database is at schema {current}, not {head}."),
                    {"current": str(current), "head": head},
                )
            )
        return Message(N_("schema {revision}, the newest this version knows"), {"revision": head})

    def check_reference_data(self) -> Message:
        desk = self._desk()
        with desk.database.read() as session:
            version = installed_version(session)
        references = desk.context.references
        provinces = len(references.children(None))
        agencies = len(references.agencies())
        categories = len(references.categories())
        if version is None or not (provinces and agencies and categories):
            raise SelfTestFailed(Message(N_("The bundled reference data was not installed.")))
        return Message(
            N_("{version}: {provinces} provinces, {agencies} agencies, {categories} categories"),
            {
                "version": version,
                "provinces": provinces,
                "agencies": agencies,
                "categories": categories,
            },
        )

    def check_recording(self) -> Message:
        desk = self._desk()
        signed = desk.sign_in(self.supervisor.username, self.supervisor.password)
        if not isinstance(signed, SignedIn):
            raise SelfTestFailed(Message(N_("The new supervisor could not sign in.")))
        self.actor = signed.principal.actor
        form = sample_forms(desk.context.office_today())[0]
        outcome = desk.intake.submit(form, actor=self.actor)
        if not outcome.queued or not outcome.registration_number:
            found = [issue.render(self.language) for issue in outcome.issues]
            problems = "; ".join(found) or str(outcome.refused)
            raise SelfTestFailed(
                Message(
                    N_("The sample complaint was not recorded: {problems}"), {"problems": problems}
                )
            )
        self.registration_number = outcome.registration_number
        return Message(N_("registration number {number}"), {"number": self.registration_number})

    def check_window(self) -> Message:
        desk, actor = self._desk(), self._actor()
        window = MainWindow(desk, actor, Language(self.language))
        failures: list[BaseException] = []
        window.runner.failed.connect(failures.append)
        window.resize(1280, 860)
        window.show()
        try:

            def ready() -> bool:
                handle = window.windowHandle()
                exposed = handle is not None and handle.isExposed()
                return bool(failures) or (exposed and not window.runner.busy)

            if not wait_until(ready, WINDOW_TIMEOUT_MS):
                raise SelfTestFailed(
                    Message(
                        N_("The desk window was not shown within {seconds} seconds."),
                        {"seconds": WINDOW_TIMEOUT_MS // 1000},
                    )
                )
            if failures:
                raise failures[0]
            rows = window.model.rowCount()
            if rows < 1:
                raise SelfTestFailed(Message(N_("The complaint list in the window is empty.")))
            platform = QApplication.platformName()
        finally:
            window.close()
            window.deleteLater()
        return Message(
            N_("shown ({platform}), {rows} complaint(s) in its list"),
            {"platform": platform, "rows": rows},
        )

    def check_receipt(self) -> Message:
        desk, actor = self._desk(), self._actor()
        page = load_detail(desk.lookup, desk.context, self.registration_number, actor)
        if page is None:
            raise SelfTestFailed(Message(N_("The recorded complaint could not be found again.")))
        receipt = receipt_for(page, desk.context.office)
        path = save_pdf(
            self.folder / "receipt.pdf",
            receipt_html(receipt, self.language),
            training=False,
            title=self.registration_number,
        )
        size = path.stat().st_size if path.exists() else 0
        if size == 0 or path.read_bytes()[:5] != b"%PDF-":
            raise SelfTestFailed(Message(N_("The receipt PDF was not written.")))
        return Message(N_("{size} bytes"), {"size": size})

    # -- helpers --------------------------------------------------------------------------

    def _desk(self) -> Desk:
        assert self.desk is not None, "the set-up check runs first"
        return self.desk

    def _actor(self) -> Actor:
        assert self.actor is not None, "the recording check runs first"
        return self.actor


@contextmanager
def throwaway_environment(folder: Path) -> Iterator[None]:
    """Every part of the desk that reads the environment (the data key, the device token,
    the data folder) sees the throwaway ones while the check runs; then all is put back."""
    chosen = {
        MACHINE_KEY_FILE_ENV: str(folder / "machine.key"),
        DATA_DIR_ENV: str(folder / "data"),
        DATABASE_URL_ENV: None,  # never the office's PostgreSQL server
    }
    before = {name: os.environ.get(name) for name in chosen}
    try:
        for name, value in chosen.items():
            _set_env(name, value)
        yield
    finally:
        for name, value in before.items():
            _set_env(name, value)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def wait_until(condition: Callable[[], bool], timeout_ms: int) -> bool:
    """Run the event loop until ``condition`` holds or the time is up; whether it held."""
    if condition():
        return True
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    poll.start()
    deadline.start(timeout_ms)
    loop.exec()
    poll.stop()
    deadline.stop()
    return condition()


def reason(error: BaseException) -> Message:
    """Our own errors carry a bilingual message; anything else is named as it is."""
    message = getattr(error, "message", None)
    if isinstance(message, Message):
        return message
    return Message(
        N_("unexpected error {kind}: {detail}"),
        {"kind": type(error).__name__, "detail": str(error)},
    )


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="lapor-desktop --self-test",
        description="Check this installation on a throwaway desk; exit 0 when it works.",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    parser.add_argument("--debug", action="store_true", help="print the traceback of a failure")
    return parser.parse_args(list(argv))


def run(argv: Sequence[str]) -> int:
    """The self-test (``lapor-desktop --self-test``); returns the exit status."""
    args = parse(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    application = QApplication.instance() or QApplication([sys.argv[0] or "lapor-desktop"])
    assert isinstance(application, QApplication)

    def say(message: Message) -> None:
        print(message.render(args.lang), flush=True)

    def report(status: str, check: str, detail: Message) -> None:
        label, found = translate(check, args.lang), detail.render(args.lang)
        print(f"  [{translate(status, args.lang)}] {label}: {found}", flush=True)

    build = N_("installed build") if getattr(sys, "frozen", False) else N_("source tree")
    version = {"version": __version__, "build": Message(build)}
    say(Message(N_("LAPOR! Desktop {version} self-test ({build})"), version))
    with (
        tempfile.TemporaryDirectory(prefix="lapor-self-test-", ignore_cleanup_errors=True) as tmp,
        throwaway_environment(Path(tmp)),
    ):
        test = SelfTest(Path(tmp), args.lang)
        try:
            for name, step in test.steps():
                try:
                    found = step()
                except Exception as error:
                    if args.debug:
                        traceback.print_exc()
                    report(FAILED, name, reason(error))
                    say(Message(N_("Self-test failed.")))
                    return EXIT_FAILED
                report(PASSED, name, found)
        finally:
            test.close()
    say(Message(N_("Self-test passed: this installation works.")))
    return EXIT_PASSED
