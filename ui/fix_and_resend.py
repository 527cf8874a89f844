"""Correcting a complaint the national service refused, then sending it again, in one dialog.

The supervisor sees the server's reason on top and the complaint in the
intake's own fields, with the field the reason names already under the
cursor. Saving is the quarantine service's ``fix_and_resend`` (it checks,
re-hashes, re-queues and audits) on the database worker; a correction
that does not pass the desk's checks keeps what was typed and says why
beside each field.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.complaint import ComplaintForm
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.intake import IntakeService, SaveOutcome
from lapor_desktop.services.lookup import LookupService
from lapor_desktop.services.quarantine import (
    QuarantinedRecord,
    QuarantineService,
    ResendRefused,
    Resent,
)
from lapor_desktop.validation.form import ValidationResult
from lapor_desktop.validation.issues import ValidationIssue
from ui.errors import explain
from ui.fields import set_role
from ui.i18n import Language, Texts
from ui.intake_form import FIELD_ORDER, IntakeForm
from ui.reference_choices import ReferenceChoices, load_choices
from ui.style import ERROR_TEXT
from ui.tasks import TaskRunner

TITLE = N_("Fix and resend {number}")
REFUSED_BECAUSE = N_("The national service refused this complaint: {reason}")
NAMED_HERE = N_("The national service refused this field: {reason}")
HOW_TO = N_(
    "Correct the complaint, then press Fix and resend (Ctrl+S). The desk checks it first; "
    "it then goes with the next sync."
)
NOT_SENT = N_("Not sent: {count} things to correct, marked in red. It stays in quarantine.")
GONE = N_("{number} is no longer on this desk.")
IDENTITY_HIDDEN = N_(
    "Your role may not see this complainant's identity, so it cannot be corrected here."
)
FLAGGED_STYLE = f"""
*[flagged="true"] {{ border: 2px solid {ERROR_TEXT}; }}
"""
"""The field the server named, marked beyond the text beside it (which says it in words)."""

_NAMED_FIELD = re.compile(r"^[\w.-]+ \((?P<field>[\w.]+)\): (?P<text>.*)$", re.DOTALL)
"""How the sync engine writes an item's rejection: ``code (field): the server's text``."""


@dataclass(frozen=True)
class FixSources:
    """Where the dialog reads the complaint and the pickers' entries from (on the worker)."""

    lookup: LookupService
    intake: IntakeService
    context: DeskContext


@dataclass(frozen=True)
class FixStart:
    """The complaint as stored, in the form's terms, and the entries of today's reference set."""

    form: ComplaintForm
    choices: ReferenceChoices


def named_field(reason: str) -> tuple[str, str] | None:
    """The form field a server's reason names, with the rest of the reason; None if none."""
    match = _NAMED_FIELD.match(reason.strip())
    if match is None:
        return None
    field = match["field"].rsplit(".", 1)[-1]
    return (field, match["text"]) if field in FIELD_ORDER else None


def load_fix(sources: FixSources, record: QuarantinedRecord, actor: Actor) -> FixStart | Message:
    """Runs on the worker: the stored complaint (identity opened and audited) as a form.

    A correction kept earlier as a draft (it did not pass the checks) is
    what the supervisor typed last, so it is shown rather than what was sent.
    """
    number = record.registration_number or record.complaint_uuid
    detail = sources.lookup.get(record.complaint_uuid, actor=actor)
    if detail is None:
        return Message(GONE, {"number": number})
    if detail.identity_hidden is not None:
        return Message(IDENTITY_HIDDEN)
    summary, identity = detail.summary, detail.identity
    if detail.draft_form is not None:
        known = {f.name for f in dataclasses.fields(ComplaintForm)}
        typed = {k: v for k, v in detail.draft_form.items() if k in known}
        form = dataclasses.replace(ComplaintForm(), **typed)  # type: ignore[arg-type]
    else:
        form = ComplaintForm(
            classification=summary.classification or "",
            title=summary.title,
            description=detail.description,
            incident_date=summary.incident_date.isoformat() if summary.incident_date else "",
            region_code=detail.region_code or "",
            location_text=detail.location_text,
            category_code=summary.category_code or "",
            agency_code=summary.agency_code or "",
            channel=detail.channel,
            anonim=summary.anonim,
            rahasia=summary.rahasia,
            urgent=detail.urgent,
        )
    form = dataclasses.replace(
        form,
        full_name=identity.full_name,
        nik=identity.nik,
        phone=identity.phone,
        email=identity.email,
        address=identity.address,
    )
    context = sources.context
    return FixStart(form, load_choices(context.references, context.office.office_code))


class FixAndResendDialog(QDialog):
    """``resent`` with the outcome once the record is queued again (then the dialog closes);
    ``answered`` with any other outcome (issues, a refusal), for tests and tours."""

    resent = Signal(object)
    answered = Signal(object)
    checked = Signal()

    def __init__(
        self,
        language: Language,
        record: QuarantinedRecord,
        start: FixStart,
        service: QuarantineService,
        intake: IntakeService,
        actor: Actor,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts = Texts(language, self)
        self.record = record
        self._service, self._intake, self._actor, self._runner = service, intake, actor, runner
        self._sending = False
        self._closed = False
        self._touched: set[str] = set()
        self._check_generation = 0
        self.form = IntakeForm(texts)
        self.reason = set_role(QLabel(), "status-warn")
        self.status = QLabel()
        self.send_button = QPushButton()
        self.cancel_button = QPushButton()
        self.flagged: str | None = None
        self._lay_out()
        self.form.set_choices(start.choices)
        self.form.load(start.form, anonim=start.form.anonim, rahasia=start.form.rahasia)
        self._show_reason()
        self.form.left.connect(self._field_left)
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(self.reject)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self.send)

    def send(self) -> None:
        """Check, save and queue the correction on the worker; the form waits meanwhile."""
        if self._sending:
            return
        self._sending = True
        self.form.setEnabled(False)
        self.send_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        form, key = self.form.form(), str(self.record.outbox_id)
        service, actor = self._service, self._actor
        self._runner.run(
            lambda: service.fix_and_resend(key, form, actor=actor), self._sent, self._failed
        )

    def reject(self) -> None:
        """Not while a correction is on its way: its answer decides what the list shows."""
        if not self._sending:
            super().reject()

    def done(self, result: int) -> None:
        self._closed = True  # a check still under way must not reach deleted widgets
        super().done(result)

    # -- reactions ------------------------------------------------------------------------

    def _sent(self, outcome: SaveOutcome | Resent | ResendRefused) -> None:
        self._enable()
        if isinstance(outcome, Resent) or (isinstance(outcome, SaveOutcome) and outcome.queued):
            self.resent.emit(outcome)
            self.accept()
            return
        if isinstance(outcome, ResendRefused):
            self._show_status(outcome.message)
        elif outcome.refused is not None:
            self._show_status(outcome.refused)
        else:
            self._touched.update(FIELD_ORDER)
            self.form.show_issues(outcome.issues, fields=FIELD_ORDER)
            count = len({issue.field for issue in outcome.issues})
            self._show_status(Message(NOT_SENT, {"count": count}))
            first = min((i.field for i in outcome.issues), key=_field_rank)
            self.form.focus_field(first)
        self.answered.emit(outcome)

    def _failed(self, error: BaseException) -> None:
        self._enable()
        message, is_bug = explain(error)
        self._show_status(message)
        if is_bug:
            self._runner.failed.emit(error)

    def _enable(self) -> None:
        self._sending = False
        self.form.setEnabled(True)
        self.send_button.setEnabled(True)
        self.cancel_button.setEnabled(True)

    def _field_left(self, field: str) -> None:
        """As at intake: check the whole form, show what concerns the fields gone through."""
        self._touched.add(field)
        self._check_generation += 1
        generation, form, intake = self._check_generation, self.form.form(), self._intake
        self._runner.run(
            lambda: intake.validate(form), lambda result: self._show_checked(generation, result)
        )

    def _show_checked(self, generation: int, result: ValidationResult) -> None:
        if self._closed or generation != self._check_generation or self._sending:
            return
        self.form.show_issues(result.issues, fields=self._touched)
        self.checked.emit()

    # -- construction ---------------------------------------------------------------------

    def _show_reason(self) -> None:
        record = self.record
        self._texts.show(
            "reason", self.reason.setText, Message(REFUSED_BECAUSE, {"reason": record.reason})
        )
        named = named_field(record.reason)
        if named is None:
            self.form.focus_field(FIELD_ORDER[0])
            return
        field, text = named
        self.flagged = field
        issue = ValidationIssue(field, Message(NAMED_HERE, {"reason": text}))
        self.form.show_issues((issue,), fields=(field,))
        flagged = self.form.input(field)
        flagged.setProperty("flagged", "true")
        flagged.style().unpolish(flagged)
        flagged.style().polish(flagged)
        self.form.focus_field(field)

    def _show_status(self, message: Message) -> None:
        set_role(self.status, "status-warn")
        self._texts.show("status", self.status.setText, message)

    def _lay_out(self) -> None:
        t = self._texts
        number = self.record.registration_number or str(self.record.outbox_id)
        t.bind(self.setWindowTitle, TITLE, number=number)
        t.bind(self.send_button.setText, N_("Fix and resend (Ctrl+S)"))
        t.bind(self.cancel_button.setText, N_("Cancel"))
        self.setStyleSheet(FLAGGED_STYLE)
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setWordWrap(True)
        how_to = set_role(QLabel(), "hint")
        how_to.setWordWrap(True)
        t.bind(how_to.setText, HOW_TO)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        for button in (self.send_button, self.cancel_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addWidget(how_to)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(1100, 780)


def _field_rank(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)
