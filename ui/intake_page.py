"""Recording a complaint: the form, its save keys, live checks and the autosave.

Nothing typed is ever lost: an incomplete form is saved as a draft with its issues
beside the fields, and a timer keeps the draft every few seconds, so a crash costs at
most that much; an empty form is never saved. The status line speaks only of the form
on screen. Checking and saving are the intake service's, asked on the database worker.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid as uuid_module
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from lapor_desktop.domain.complaint import AttachmentView, ComplaintDetail, ComplaintForm
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.context import Actor, Clock
from lapor_desktop.services.duplicates import WINDOW_DAYS, LikelyDuplicate
from lapor_desktop.services.intake import IntakeService, SaveOutcome
from lapor_desktop.validation.form import ValidationResult
from lapor_desktop.validation.issues import ValidationIssue
from ui.attachments_panel import AttachmentsPanel
from ui.duplicate_warning import DuplicateWarning
from ui.errors import explain
from ui.fields import set_role
from ui.formatting import clock_time, local
from ui.i18n import Texts
from ui.intake_form import FIELD_ORDER, IntakeForm
from ui.intake_layout import add_page_keys, lay_out_page
from ui.intake_texts import (
    AUTOSAVED,
    DRAFT_KEPT,
    NEW_FORM_KEPT,
    NOT_SAVED,
    NOTHING_TO_SAVE,
    SAVED_TO,
)
from ui.reference_choices import ReferenceChoices
from ui.tasks import TaskRunner

AUTOSAVE_SECONDS = 15
_FORM_FIELDS = frozenset(field.name for field in dataclasses.fields(ComplaintForm))


class IntakePage(QWidget):
    """The form plus what happens around it; ``submitted`` once a complaint is queued.

    ``submitted`` carries the outcome and whether the operator asked to
    print the receipt straight away (Ctrl+Enter).
    """

    submitted = Signal(object, bool)
    draft_saved = Signal(object)
    checked = Signal()
    duplicates_shown = Signal(object)
    """The warning dialog, open; for tests and tours."""

    def __init__(
        self,
        texts: Texts,
        intake: IntakeService,
        actor: Actor,
        runner: TaskRunner,
        clock: Clock,
        timezone: str,
        *,
        autosave_seconds: int = AUTOSAVE_SECONDS,
        data_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._data_folder = data_folder  # named in a full-disk or read-only message
        self._texts = texts
        self._intake = intake
        self._actor = actor
        self._runner = runner
        self._clock = clock
        self._timezone = timezone
        self._uuid = str(uuid_module.uuid4())
        self._submitting = False
        self._autosaving = False
        self._touched: set[str] = set()
        self._status_kind = ""
        self._check_generation = 0
        self._focus_before: QWidget | None = None
        self.attachments = AttachmentsPanel(
            texts,
            runner,
            lambda path: intake.store_file(path, actor=actor),
            intake.attachment_settings,
        )
        self.form = IntakeForm(texts, self.attachments)
        self.duplicate_warning: DuplicateWarning | None = None
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.save_button = QPushButton()
        self.save_print_button = QPushButton()
        self.new_button = QPushButton()
        self._lay_out()
        self.form.left.connect(self._field_left)
        self.form.edited.connect(self._edited)
        self.save_button.clicked.connect(lambda: self.save())
        self.save_print_button.clicked.connect(lambda: self.save(then_print=True))
        self.new_button.clicked.connect(self.start_new)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(autosave_seconds * 1000)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self._kept = self._blank = self.form.form()
        self._kept_files: tuple[AttachmentView, ...] = ()

    @property
    def complaint_uuid(self) -> str:
        return self._uuid

    @property
    def dirty(self) -> bool:
        """Whether the form holds anything not yet saved (compared, not guessed from signals)."""
        return self.form.form() != self._kept or self.attachments.files() != self._kept_files

    def set_choices(self, choices: ReferenceChoices) -> None:
        self.form.set_choices(choices)

    # -- saving -------------------------------------------------------------------------

    def save(self, *, then_print: bool = False) -> None:
        """Queue the complaint if it is complete; otherwise keep it as a draft and say why.

        A complete form is first checked for likely duplicates; the operator
        sees them and decides. Files still being stored are waited for.
        """
        if self._submitting:
            return
        if self.attachments.busy:
            self._submitting = True

            def when_stored() -> None:
                self.attachments.settled.disconnect(when_stored)
                self._submitting = False
                self.save(then_print=then_print)

            self.attachments.settled.connect(when_stored)
            return
        form, unanswered = self.form.form(), self.form.unanswered()
        if form == self._blank and not self.attachments.files():
            self._show_status(Message(NOTHING_TO_SAVE), warn=True)
            return
        self._submitting = True
        self._focus_before = QApplication.focusWidget()
        self.form.setEnabled(False)
        if unanswered:
            self._write(form, unanswered, then_print)
            return
        uuid, actor, intake = self._uuid, self._actor, self._intake
        self._runner.run(
            lambda: (
                intake.likely_duplicates(form, actor=actor, complaint_uuid=uuid)
                if intake.validate(form).ok
                else ()
            ),
            lambda found: self._checked_duplicates(found, form, then_print),
            self._save_failed,
        )

    def _checked_duplicates(
        self, found: tuple[LikelyDuplicate, ...], form: ComplaintForm, then_print: bool
    ) -> None:
        if not found:
            self._write(form, (), then_print)
            return
        dialog = DuplicateWarning(self._texts.language, found, self._timezone, WINDOW_DAYS, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.duplicate_warning = dialog

        def decided(result: int) -> None:
            self.duplicate_warning = None
            if result == DuplicateWarning.DialogCode.Accepted:
                self._write(form, (), then_print, despite=tuple(d.uuid for d in found))
            else:
                self._enable_form()
                self._show_status(Message(NOT_SAVED), warn=True)

        dialog.finished.connect(decided)
        dialog.open()
        self.duplicates_shown.emit(dialog)

    def _write(
        self,
        form: ComplaintForm,
        unanswered: tuple[ValidationIssue, ...],
        then_print: bool,
        *,
        despite: tuple[str, ...] = (),
    ) -> None:
        uuid, actor, intake = self._uuid, self._actor, self._intake
        files = self.attachments.files()
        work: Callable[[], SaveOutcome] = functools.partial(
            intake.save_draft, form, actor=actor, complaint_uuid=uuid, files=files
        )
        if not unanswered:
            work = functools.partial(
                intake.submit,
                form,
                actor=actor,
                complaint_uuid=uuid,
                files=files,
                despite_duplicates=despite,
            )
        self._runner.run(
            work,
            lambda outcome: self._saved(outcome, form, files, unanswered, then_print),
            self._save_failed,
        )

    def autosave(self) -> None:
        """Keep what is typed as a draft, quietly; never while a save is on its way."""
        if self.dirty and not self._submitting and not self._autosaving:
            self._keep_draft()

    def start_new(self) -> None:
        """An empty form for the next citizen, once what was typed is safely a draft."""
        kept = self.dirty and self.form.form() != self._blank
        self._keep_draft(then=lambda: self._reset(Message(NEW_FORM_KEPT) if kept else None))

    def resume(self, detail: ComplaintDetail) -> bool:
        """Continue a draft; False when it cannot be (its identity is hidden from this role).

        What the form held is kept as a draft first. An anonim or rahasia
        stored as "no" may be a question never asked, so it is asked again;
        a stored "yes" was an explicit answer.
        """
        if detail.draft_form is None or detail.identity_hidden is not None:
            return False
        fields = {k: v for k, v in detail.draft_form.items() if k in _FORM_FIELDS}
        form = ComplaintForm(**fields)  # type: ignore[arg-type]
        identity = detail.identity
        form.full_name, form.nik, form.phone = identity.full_name, identity.nik, identity.phone
        form.email, form.address = identity.email, identity.address

        def load() -> None:
            self._uuid = detail.summary.uuid
            self.form.load(form, anonim=form.anonim or None, rahasia=form.rahasia or None)
            self.attachments.load(detail.attachments)
            self._touched.clear()
            self._kept = self.form.form()
            self._kept_files = self.attachments.files()
            self.form.focus_field(FIELD_ORDER[0])

        self._keep_draft(then=load)
        return True

    def _keep_draft(self, then: Callable[[], None] | None = None) -> None:
        """Save the form as a draft if anything changed, then do ``then`` (only if it saved)."""
        if not self.dirty or (self.form.form() == self._blank and not self.attachments.files()):
            if then is not None:
                then()
            return
        form, uuid, actor, intake = self.form.form(), self._uuid, self._actor, self._intake
        files = self.attachments.files()
        self._autosaving = True

        def kept(outcome: SaveOutcome) -> None:
            self._autosaved(outcome, form, files)
            if then is not None and outcome.refused is None:
                then()

        self._runner.run(
            lambda: intake.save_draft(form, actor=actor, complaint_uuid=uuid, files=files),
            kept,
            self._autosave_failed,
        )

    def _saved(
        self,
        outcome: SaveOutcome,
        form: ComplaintForm,
        files: tuple[AttachmentView, ...],
        unanswered: tuple[ValidationIssue, ...],
        then_print: bool,
    ) -> None:
        self._enable_form()
        if outcome.refused is not None:
            self._show_status(outcome.refused, warn=True)
            return
        self._kept, self._kept_files = form, files
        issues = unanswered + outcome.issues
        if issues:
            self._touched.update(FIELD_ORDER)
            self.form.show_issues(issues, fields=FIELD_ORDER)
            count = len({issue.field for issue in issues})
            self._show_status(Message(DRAFT_KEPT, {"count": count}), warn=True, kind="red")
            first = min((i.field for i in issues), key=_field_rank)
            self.form.focus_field(first)
            self.draft_saved.emit(outcome)
            return
        self._reset()
        said = Message(SAVED_TO[outcome.spooled], {"number": outcome.registration_number})
        self._show_status(said, kind="sent")
        self.submitted.emit(outcome, then_print)

    def _enable_form(self) -> None:
        """Editable again after a save, the cursor back where it was (the caller may move it)."""
        self._submitting = False
        self.form.setEnabled(True)
        if self._focus_before is not None:
            self._focus_before.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_before = None

    def _save_failed(self, error: BaseException) -> None:
        self._enable_form()
        message, is_bug = explain(error, self._data_folder)
        self._show_status(message, warn=True)
        if is_bug:
            self._runner.failed.emit(error)

    def _autosaved(
        self, outcome: SaveOutcome, form: ComplaintForm, files: tuple[AttachmentView, ...]
    ) -> None:
        self._autosaving = False
        if outcome.refused is None:
            self._kept, self._kept_files = form, files
            when = clock_time(local(self._clock(), self._timezone), self._texts.language.code)
            self._show_status(Message(AUTOSAVED, {"time": when}))
        self.draft_saved.emit(outcome)

    def _autosave_failed(self, error: BaseException) -> None:
        self._autosaving = False
        self._show_status(explain(error, self._data_folder)[0], warn=True)

    def _reset(self, status: Message | None = None) -> None:
        self._uuid = str(uuid_module.uuid4())
        self.form.clear()
        self.attachments.clear()
        self._touched.clear()
        self._kept = self.form.form()
        self._kept_files = ()
        self._clear_status()
        if status is not None:
            self._show_status(status)
        self.form.focus_field(FIELD_ORDER[0])

    # -- checking while typing ------------------------------------------------------------

    def _field_left(self, field: str) -> None:
        """Check the whole form, show what concerns the fields the operator has been through."""
        self._touched.add(field)
        self._check_generation += 1
        generation, form, intake = self._check_generation, self.form.form(), self._intake
        self._runner.run(
            lambda: intake.validate(form), lambda result: self._show_checked(generation, result)
        )

    def _show_checked(self, generation: int, result: ValidationResult) -> None:
        if generation != self._check_generation or self._submitting:
            return
        unanswered = tuple(i for i in self.form.unanswered() if i.field in self._touched)
        self.form.show_issues(result.issues + unanswered, fields=self._touched)
        if self._status_kind == "red" and not result.issues and not self.form.unanswered():
            self._clear_status()  # nothing is red any more
        self.checked.emit()

    def _edited(self) -> None:
        """The next citizen is being typed: the line about the one before has done its job."""
        if self._status_kind == "sent":
            self._clear_status()

    # -- layout -------------------------------------------------------------------------

    def _show_status(self, message: Message, *, warn: bool = False, kind: str = "") -> None:
        """``kind``: "sent" (about the complaint before) or "red" (issues marked) go stale."""
        set_role(self.status, "status-warn" if warn else "status-ok")
        self._status_kind = kind
        self._texts.show("status", self.status.setText, message)

    def _clear_status(self) -> None:
        self._status_kind = ""
        self._texts.show("status", self.status.setText, None)

    def _lay_out(self) -> None:
        t = self._texts
        t.bind(self.save_button.setText, N_("Save (Ctrl+S)"))
        t.bind(self.save_print_button.setText, N_("Save and print receipt (Ctrl+Enter)"))
        t.bind(self.new_button.setText, N_("New form"))
        buttons = (self.new_button, self.save_print_button, self.save_button)
        lay_out_page(self, self.form, self.status, buttons)
        add_page_keys(
            self,
            save=self.save,
            save_and_print=lambda: self.save(then_print=True),
            attach=self.attachments.ask_for_files,
        )


def _field_rank(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)
