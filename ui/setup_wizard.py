"""First run without a desk: a wizard sets it up, the same way ``lapor-desktop init`` does.

Pages: the office, the first supervisor, the national service (or
"training only for now"), a summary. Finish calls ``set_up`` on the
database worker, so the window stays alive through Argon2 and migrations;
a refusal is shown on the summary and everything typed stays.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

from lapor_desktop.desk import Desk, SetupRefused
from lapor_desktop.i18n import N_, Message
from lapor_desktop.paths import DataPaths
from sync.desk_setup import set_up
from ui.errors import explain
from ui.fields import FieldError, set_role
from ui.i18n import Language, Texts
from ui.setup_office import OfficePage
from ui.setup_pages import NationalPage, SupervisorPage
from ui.tasks import TaskRunner

SetUp = Callable[..., Desk]
"""``set_up``; tests pass it with cheaper Argon2 costs."""

WORKING = Message(N_("Setting up the desk: creating the database and the keys…"))


class SummaryPage(QWizardPage):
    """What will be written, read back before Finish; the outcome of finishing shows here."""

    def __init__(self, language: Language, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts = Texts(language, self)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.status = set_role(QLabel(), "hint")
        self.error = FieldError()
        texts.bind(self.setTitle, N_("4. Check and finish"))
        texts.bind(
            self.setSubTitle,
            N_("Go back to correct anything. Finish creates the desk in the data folder below."),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        language.changed.connect(lambda _code: self.initializePage())

    def initializePage(self) -> None:
        wizard = self.wizard()
        if isinstance(wizard, SetupWizard):
            self.summary.setText(wizard.describe())

    def first_field(self) -> QWidget | None:
        """Finish: Enter finishes, and Back stays a deliberate choice."""
        wizard = self.wizard()
        return wizard.button(QWizard.WizardButton.FinishButton) if wizard else None

    def validatePage(self) -> bool:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        if wizard.desk is not None:
            return True
        wizard.finish_setup()
        return False


class SetupWizard(QWizard):
    """``completed`` carries the new desk; ``refused`` the text shown when setup failed."""

    completed = Signal(object)
    refused = Signal(str)

    def __init__(
        self,
        language: Language,
        paths: DataPaths,
        runner: TaskRunner,
        *,
        set_up: SetUp = set_up,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.texts = texts = Texts(language, self)
        self.paths = paths
        self.desk: Desk | None = None
        self._runner = runner
        self._set_up = set_up
        self._busy = False
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.office_page = OfficePage(language)
        self.supervisor_page = SupervisorPage(language)
        self.national_page = NationalPage(language)
        self.summary_page = SummaryPage(language)
        for page in (self.office_page, self.supervisor_page, self.national_page):
            self.addPage(page)
        self.addPage(self.summary_page)
        texts.bind(self.setWindowTitle, N_("LAPOR! Desktop: set up this desk"))
        for button, msgid in (
            (QWizard.WizardButton.BackButton, N_("< &Back")),
            (QWizard.WizardButton.NextButton, N_("&Next >")),
            (QWizard.WizardButton.FinishButton, N_("&Finish")),
            (QWizard.WizardButton.CancelButton, N_("Cancel")),
        ):
            texts.bind(functools.partial(self.setButtonText, button), msgid)
        self.setMinimumSize(720, 560)
        self.currentIdChanged.connect(self._focus_page)

    def describe(self) -> str:
        """The answers as the summary shows them; the password and the token never appear."""
        t = self.texts.text
        office = self.office_page.office()
        supervisor = self.supervisor_page.supervisor()
        national = self.national_page.national()
        zone = self.office_page.timezone.currentText()
        rows = [
            (t(N_("Office")), f"{office.office_name} ({office.office_code}), {zone}"),
            (t(N_("First supervisor")), f"{supervisor.display_name} ({supervisor.username})"),
        ]
        if self.national_page.training_only:
            rows.append((t(N_("National service")), t(N_("none: training only (PELATIHAN)"))))
        else:
            keys = t(
                N_("{count} public key(s), device token given"), count=len(national.public_keys)
            )
            rows.append((t(N_("National service")), f"{national.server_url}; {keys}"))
        rows.append((t(N_("Data folder")), str(self.paths.root)))
        cells = "".join(
            f"<tr><td><b>{escape(name)}</b>&nbsp;&nbsp;</td><td>{escape(value)}</td></tr>"
            for name, value in rows
        )
        return f"<table cellspacing='4'>{cells}</table>"

    def finish_setup(self) -> None:
        """Create the desk on the database worker; the wizard closes when it exists."""
        if self._busy:
            return
        office = dataclasses.replace(
            self.office_page.office(), national=self.national_page.national()
        )
        supervisor = self.supervisor_page.supervisor()
        token = self.national_page.device_token()
        training = self.national_page.training_only
        paths, set_up = self.paths, self._set_up
        self._set_busy(True)
        self.texts.show("error", self.summary_page.error.setText, None)
        self.texts.show("status", self.summary_page.status.setText, WORKING)
        self._runner.run(
            lambda: set_up(
                paths, office, supervisor=supervisor, device_token=token, training=training
            ),
            self._done,
            self._failed,
        )

    def reject(self) -> None:
        """Cancel waits while the desk is being created: half a desk helps nobody."""
        if not self._busy:
            super().reject()

    def _focus_page(self, _page_id: int) -> None:
        """The cursor where the shown page starts (Qt would leave it on a hidden page's field)."""
        page = self.currentPage()
        field = getattr(page, "first_field", lambda: None)()
        if isinstance(field, QWidget):
            field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _done(self, desk: Desk) -> None:
        self.desk = desk
        self._set_busy(False)
        self.completed.emit(desk)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        message = error.message if isinstance(error, SetupRefused) else explain(error)[0]
        self.texts.show("status", self.summary_page.status.setText, None)
        self.texts.show("error", self.summary_page.error.setText, message)
        self.refused.emit(self.summary_page.error.text())

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for which in (
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not busy)


def first_run(paths: DataPaths, language: Language) -> Desk | None:
    """Run the wizard on a data folder that holds no desk; the new desk, or None if cancelled."""
    runner = TaskRunner()
    wizard = SetupWizard(language, paths, runner)
    try:
        wizard.exec()
    finally:
        runner.shutdown()
    return wizard.desk
