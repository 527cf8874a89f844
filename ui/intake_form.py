"""The fields of one complaint, laid out for a conversation at the desk, keyboard first.

Left, the report in the order the citizen tells it; right, who they are
and who may read it. Every field has its issue line right below it.
This widget only holds and shows values: checking them is the intake
service's job (``IntakePage`` asks it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.domain.complaint import Channel, Classification, ComplaintForm
from lapor_desktop.i18n import Message
from lapor_desktop.validation.issues import FIELD_LABELS, ValidationIssue
from ui import intake_texts as texts_
from ui.attachments_panel import AttachmentsPanel
from ui.fields import ExplicitChoice, FieldError, SearchableCombo, set_role
from ui.i18n import Texts
from ui.reference_choices import ReferenceChoices

FIELD_ORDER = (
    "classification",
    "title",
    "description",
    "incident_date",
    "region_code",
    "location_text",
    "category_code",
    "agency_code",
    "channel",
    "urgent",
    "anonim",
    "full_name",
    "nik",
    "phone",
    "email",
    "address",
    "rahasia",
)
"""Tab order, and the order issues are walked in."""

REPORT_FIELDS = FIELD_ORDER[:10]
IDENTITY_FIELDS = FIELD_ORDER[10:16]


class IntakeForm(QWidget):
    """Holds what the operator typed; ``left`` says a field is done (time to check it),
    ``edited`` that the operator changed something (never when the form is filled or cleared)."""

    left = Signal(str)
    edited = Signal()

    def __init__(
        self,
        texts: Texts,
        attachments: AttachmentsPanel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._texts = texts
        self.attachments = attachments
        self.classification = QComboBox()
        self.title = QLineEdit()
        self.description = QPlainTextEdit()
        self.incident_date = QLineEdit()
        self.region = SearchableCombo()
        self.location = QLineEdit()
        self.category = SearchableCombo()
        self.agency = SearchableCombo()
        self.channel = QComboBox()
        self.urgent = QCheckBox()
        self.anonim = ExplicitChoice()
        self.full_name = QLineEdit()
        self.nik = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.address = QLineEdit()
        self.rahasia = ExplicitChoice()
        self._inputs: dict[str, QWidget] = dict(zip(FIELD_ORDER, self._in_order(), strict=True))
        self._errors = {name: FieldError() for name in FIELD_ORDER}
        self.anonim_hint = set_role(QLabel(), "hint")
        self.rahasia_hint = set_role(QLabel(), "hint")
        self.general_errors = FieldError()
        self._identity_box = QGroupBox()
        self._filling = False
        self._configure()
        self._lay_out()
        self._connect()
        self._fill_fixed_choices()
        texts.language.changed.connect(self._fill_fixed_choices)
        self._update_hints()

    # -- values -------------------------------------------------------------------------

    def form(self) -> ComplaintForm:
        """Exactly what is typed; an unanswered anonim or rahasia counts as "no" here."""
        return ComplaintForm(
            classification=self.classification.currentData() or "",
            title=self.title.text(),
            description=self.description.toPlainText(),
            incident_date=self.incident_date.text(),
            region_code=self.region.code(),
            location_text=self.location.text(),
            category_code=self.category.code(),
            agency_code=self.agency.code(),
            channel=self.channel.currentData() or "",
            anonim=self.anonim.value() is True,
            rahasia=self.rahasia.value() is True,
            urgent=self.urgent.isChecked(),
            full_name=self.full_name.text(),
            nik=self.nik.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.text(),
        )

    def unanswered(self) -> tuple[ValidationIssue, ...]:
        """The explicit choices nobody made yet; the form stays a draft until they are."""
        return tuple(
            ValidationIssue(name, texts_.NOT_ANSWERED)
            for name, choice in (("anonim", self.anonim), ("rahasia", self.rahasia))
            if choice.value() is None
        )

    def load(
        self, form: ComplaintForm, *, anonim: bool | None = None, rahasia: bool | None = None
    ) -> None:
        """Fill the fields; the explicit choices stay unanswered unless given."""
        self._filling = True
        _select_data(self.classification, form.classification)
        self.title.setText(form.title)
        self.description.setPlainText(form.description)
        self.incident_date.setText(form.incident_date)
        self.region.set_code(form.region_code)
        self.location.setText(form.location_text)
        self.category.set_code(form.category_code)
        self.agency.set_code(form.agency_code)
        _select_data(self.channel, form.channel or Channel.WALK_IN.value)
        self.urgent.setChecked(form.urgent)
        self.anonim.set_value(anonim)
        self.full_name.setText(form.full_name)
        self.nik.setText(form.nik)
        self.phone.setText(form.phone)
        self.email.setText(form.email)
        self.address.setText(form.address)
        self.rahasia.set_value(rahasia)
        self._filling = False
        self.show_issues((), fields=FIELD_ORDER)

    def clear(self) -> None:
        self.load(ComplaintForm())

    def set_choices(self, choices: ReferenceChoices) -> None:
        self.region.set_choices(choices.regions)
        self.category.set_choices(choices.categories)
        self.agency.set_choices(choices.agencies)

    # -- issues -------------------------------------------------------------------------

    def show_issues(self, issues: Iterable[ValidationIssue], *, fields: Iterable[str]) -> None:
        """Show the issues of ``fields`` beside them; other fields keep what they show."""
        shown = set(fields)
        by_field: dict[str, list[Message]] = {}
        general: list[Message] = []
        files: list[ValidationIssue] = []
        for issue in issues:
            if issue.field == "attachment" and self.attachments is not None:
                files.append(issue)
            elif issue.field in self._errors:
                by_field.setdefault(issue.field, []).append(issue.message)
            else:
                label = Message(FIELD_LABELS.get(issue.field, issue.field))
                params = {"field": label, "problem": issue.message}
                general.append(Message(texts_.FIELD_PROBLEM, params))
        for name, error in self._errors.items():
            if name in shown:
                self._texts.show(f"error.{name}", error.setText, _joined(by_field.get(name, [])))
        self._texts.show("error.general", self.general_errors.setText, _joined(general))
        if self.attachments is not None and (files or "attachment" in shown):
            self.attachments.show_issues(files)

    def error_text(self, field: str) -> str:
        return self._errors[field].text()

    def focus_field(self, field: str) -> None:
        widget = self._inputs.get(field)
        if isinstance(widget, ExplicitChoice):
            widget = widget.no
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def input(self, field: str) -> QWidget:
        return self._inputs[field]

    # -- construction -------------------------------------------------------------------

    def _in_order(self) -> tuple[QWidget, ...]:
        return (
            self.classification,
            self.title,
            self.description,
            self.incident_date,
            self.region,
            self.location,
            self.category,
            self.agency,
            self.channel,
            self.urgent,
            self.anonim,
            self.full_name,
            self.nik,
            self.phone,
            self.email,
            self.address,
            self.rahasia,
        )

    def _configure(self) -> None:
        t = self._texts
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(110)
        self.description.setMaximumHeight(190)
        self.nik.setMaxLength(24)
        self.incident_date.setMaxLength(20)
        self.classification.setMinimumContentsLength(28)
        for name, msgid in texts_.PLACEHOLDERS.items():
            t.bind(_placeholder_setter(self._inputs[name]), msgid)
        t.bind(self.urgent.setText, texts_.URGENT)
        t.bind(self.anonim.no.setText, texts_.WITH_NAME)
        t.bind(self.anonim.yes.setText, texts_.ANONYMOUS)
        t.bind(self.rahasia.no.setText, texts_.PUBLIC)
        t.bind(self.rahasia.yes.setText, texts_.CONFIDENTIAL)
        for hint in (self.anonim_hint, self.rahasia_hint):
            hint.setWordWrap(True)

    def _lay_out(self) -> None:
        report = QGroupBox()
        self._texts.bind(report.setTitle, texts_.REPORT_BOX)
        report_rows = QFormLayout(report)
        for name in REPORT_FIELDS:
            self._row(report_rows, name)
        identity_rows = QFormLayout(self._identity_box)
        for name in IDENTITY_FIELDS:
            self._row(identity_rows, name, hint=self.anonim_hint if name == "anonim" else None)
        visibility = QGroupBox()
        self._texts.bind(visibility.setTitle, texts_.VISIBILITY_BOX)
        self._row(QFormLayout(visibility), "rahasia", hint=self.rahasia_hint)

        right = QVBoxLayout()
        right.addWidget(self._identity_box)
        right.addWidget(visibility)
        right.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(report)
        if self.attachments is not None:
            files = QGroupBox()
            self._texts.bind(files.setTitle, texts_.ATTACHMENTS_BOX)
            QVBoxLayout(files).addWidget(self.attachments)
            left.addWidget(files)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        outer = QVBoxLayout(self)
        outer.addWidget(self.general_errors)
        outer.addLayout(columns)
        self._set_tab_order()

    def _row(self, rows: QFormLayout, name: str, *, hint: QLabel | None = None) -> None:
        widget = self._inputs[name]
        cell = QWidget()
        stack = QVBoxLayout(cell)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(2)
        stack.addWidget(widget)
        if hint is not None:
            stack.addWidget(hint)
        stack.addWidget(self._errors[name])
        msgid = texts_.LABELS.get(name)
        if msgid is None:
            rows.addRow(cell)
            return
        label = QLabel()
        label.setBuddy(widget.no if isinstance(widget, ExplicitChoice) else widget)
        self._texts.bind(label.setText, msgid)
        rows.addRow(label, cell)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = []
        for widget in self._inputs.values():
            if isinstance(widget, ExplicitChoice):
                chain.extend((widget.no, widget.yes))
            else:
                chain.append(widget)
        if self.attachments is not None:
            panel = self.attachments
            chain.extend((panel.add_button, panel.remove_button, panel.list))
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        lines = {
            name: widget for name, widget in self._inputs.items() if isinstance(widget, QLineEdit)
        }
        for name, line in lines.items():
            line.editingFinished.connect(lambda name=name: self.left.emit(name))
            line.textEdited.connect(self._edited)
        self.description.textChanged.connect(self._edited)
        self.urgent.clicked.connect(self._edited)
        self.description.installEventFilter(self)
        for name in ("region_code", "category_code", "agency_code"):
            combo = self._inputs[name]
            assert isinstance(combo, SearchableCombo)
            combo.typing().editingFinished.connect(lambda name=name: self.left.emit(name))
            combo.typing().textEdited.connect(self._edited)
            combo.activated.connect(self._edited)
        for name, fixed in (("classification", self.classification), ("channel", self.channel)):
            fixed.activated.connect(lambda _index, name=name: self.left.emit(name))
            fixed.activated.connect(self._edited)
        for name, choice in (("anonim", self.anonim), ("rahasia", self.rahasia)):
            choice.changed.connect(self._update_hints)
            choice.changed.connect(lambda name=name: self.left.emit(name))
            choice.changed.connect(self._edited)

    def _edited(self, *_args: object) -> None:
        if not self._filling:
            self.edited.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.description and event.type() == QEvent.Type.FocusOut:
            self.left.emit("description")
        return super().eventFilter(watched, event)

    def _fill_fixed_choices(self) -> None:
        """Classification and channel labels, kept selected across a language switch."""
        for combo, members, default in (
            (self.classification, list(Classification), ""),
            (self.channel, list(Channel), Channel.WALK_IN.value),
        ):
            current = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                for member in members:
                    combo.addItem(self._texts.text(member.label), member.value)
                _select_data(combo, current or default)

    def _update_hints(self) -> None:
        anonim, rahasia = self.anonim.value(), self.rahasia.value()
        show = self._texts.show
        show("hint.anonim", self.anonim_hint.setText, Message(texts_.ANONIM_HINTS[anonim]))
        show("hint.rahasia", self.rahasia_hint.setText, Message(texts_.RAHASIA_HINTS[rahasia]))
        box = texts_.IDENTITY_BOX_ANONYMOUS if anonim else texts_.IDENTITY_BOX
        show("title.identity", self._identity_box.setTitle, Message(box))


def _placeholder_setter(widget: QWidget) -> Callable[[str], None]:
    if isinstance(widget, SearchableCombo):
        return widget.typing().setPlaceholderText
    if isinstance(widget, QComboBox | QLineEdit | QPlainTextEdit):
        return widget.setPlaceholderText
    raise TypeError(f"no placeholder on {type(widget).__name__}")


def _select_data(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value) if value else -1)


def _joined(messages: list[Message]) -> Message | None:
    """Several issues of one field, one per line (a layout, not a text: nothing to translate)."""
    if not messages:
        return None
    joined = messages[-1]
    for message in reversed(messages[:-1]):
        joined = Message("{first}\n{rest}", {"first": message, "rest": joined})
    return joined
