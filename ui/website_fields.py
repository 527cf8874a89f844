"""The handover's fields as the operator copies them: LAPOR!'s form order, one key per field.

Form fields copy with Ctrl+1…, identity fields with Alt+1…; the key is written beside each
field. Anonim and rahasia stand out and say what to tick, because complainants were exposed
by an admin who forgot them. An anonim complaint's identity is never here: only the reason.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lapor_desktop.i18n import N_
from lapor_desktop.services.website_handover import Handover, HandoverField
from ui.fields import set_role
from ui.formatting import EMPTY
from ui.i18n import Texts
from ui.style import TRAINING_FILL, TRAINING_TEXT

FORM_KEYS = tuple(f"Ctrl+{n}" for n in range(1, 10))
IDENTITY_KEYS = tuple(f"Alt+{n}" for n in range(1, 10))
FLAG_STYLE = (
    f"background: {TRAINING_FILL}; color: {TRAINING_TEXT}; font-weight: bold; padding: 4px;"
)
FLAG_TEXTS = {
    ("anonim", True): N_("YES: tick “Anonim” on the LAPOR! form"),
    ("anonim", False): N_("No: leave “Anonim” unticked"),
    ("rahasia", True): N_("YES: tick “Rahasia” on the LAPOR! form"),
    ("rahasia", False): N_("No: leave “Rahasia” unticked"),
}
COPY = N_("Copy")
COPY_NAMED = N_("Copy {field}")


class HandoverFields(QWidget):
    """``copied`` with the field's label (a msgid) after its value went to the clipboard."""

    copied = Signal(str)

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self.handover: Handover | None = None
        self.value_labels: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._body: QWidget | None = None

    def show_handover(self, handover: Handover | None) -> None:
        """Rebuilt for each complaint (and each language): the rows differ by role and flags."""
        self.handover = handover
        if self._body is not None:
            self._body.setParent(None)
            self._body.deleteLater()
            self._body = None
        self.value_labels.clear()
        self.copy_buttons.clear()
        if handover is not None:
            self._body = self._build(handover)
            self._layout.addWidget(self._body)

    def copy_form(self, index: int) -> bool:
        return self._copy(self.handover.fields if self.handover else (), index)

    def copy_identity(self, index: int) -> bool:
        return self._copy(self.handover.identity if self.handover else (), index)

    def shown_text(self, key: str) -> str:
        return self.value_labels[key].text()

    def _copy(self, fields: tuple[HandoverField, ...], index: int) -> bool:
        if not 0 <= index < len(fields):
            return False
        field = fields[index]
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self._value(field))
        self.copied.emit(field.label)
        return True

    def _value(self, field: HandoverField) -> str:
        """What goes to the clipboard: the exact value; a yes/no in the shown language."""
        return self._texts.text(field.value) if field.flag else field.value

    def _build(self, handover: Handover) -> QWidget:
        t = self._texts
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QGridLayout()
        form.setColumnStretch(2, 1)
        for row, field in enumerate(handover.fields):
            self._row(form, row, FORM_KEYS[row] if row < len(FORM_KEYS) else "", field, handover)
        layout.addLayout(form)
        identity_heading = set_role(QLabel(t.text(N_("The complainant")), body), "heading")
        layout.addWidget(identity_heading)
        if handover.identity_hidden is not None:
            hidden = set_role(QLabel(t.text(handover.identity_hidden), body), "hint")
            hidden.setWordWrap(True)
            layout.addWidget(hidden)
        else:
            identity = QGridLayout()
            identity.setColumnStretch(2, 1)
            for row, field in enumerate(handover.identity):
                keys = IDENTITY_KEYS[row] if row < len(IDENTITY_KEYS) else ""
                self._row(identity, row, keys, field, handover)
            layout.addLayout(identity)
        return body

    def _row(
        self, grid: QGridLayout, row: int, keys: str, field: HandoverField, handover: Handover
    ) -> None:
        t = self._texts
        key_label = set_role(QLabel(keys), "hint")
        name = QLabel(t.text(field.label))
        name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if field.flag:
            chosen = handover.anonim if field.key == "anonim" else handover.rahasia
            value = QLabel(t.text(FLAG_TEXTS[(field.key, chosen)]))
            for label in (name, value):
                label.setStyleSheet(FLAG_STYLE)
            key_label.setStyleSheet("padding-top: 4px;")
        else:
            value = QLabel(field.value or EMPTY)
            value.setTextFormat(Qt.TextFormat.PlainText)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton(t.text(COPY))
        button.setAccessibleName(t.text(COPY_NAMED, field=t.text(field.label)))
        if keys:
            button.setToolTip(keys)
        button.clicked.connect(lambda _checked=False, f=field: self._copy((f,), 0))
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(key_label, row, 0, top)
        grid.addWidget(name, row, 1, top)
        grid.addWidget(value, row, 2)  # no alignment: a wrapped value takes the column's width
        grid.addWidget(button, row, 3, top)
        self.value_labels[field.key] = value
        self.copy_buttons[field.key] = button
