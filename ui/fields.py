"""Input widgets the intake form is made of: type-to-search pickers and explicit yes/no answers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from ui.reference_choices import Choice

CODE_ROLE = Qt.ItemDataRole.UserRole


def set_role(label: QLabel, role: str) -> QLabel:
    """Style a label by meaning (``error``, ``hint``, ``heading``) through the stylesheet."""
    label.setProperty("role", role)
    label.style().unpolish(label)
    label.style().polish(label)
    return label


class FieldError(QLabel):
    """The issue beside a field, in plain words; hidden while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "error")
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


class SearchableCombo(QComboBox):
    """Type any part of a name or a code; the value is the chosen entry's code.

    Text that matches no entry is kept as typed, so the core can say what
    is wrong with it and a draft keeps it: nothing typed is silently lost.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(12)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        self._entries = QStandardItemModel(self)
        self.setModel(self._entries)
        completer = QCompleter(self._entries, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.setCurrentIndex(-1)

    def typing(self) -> QLineEdit:
        """The line the operator types in (an editable combo always has one)."""
        line = self.lineEdit()
        assert line is not None
        return line

    def set_choices(self, choices: Sequence[Choice]) -> None:
        """Replace the entries, keeping what is typed or chosen."""
        value = self.code()
        with QSignalBlocker(self):
            self._entries.clear()
            for choice in choices:
                item = QStandardItem(choice.text)
                item.setData(choice.code, CODE_ROLE)
                self._entries.appendRow(item)
        self.set_code(value)

    def code(self) -> str:
        """The chosen entry's code; a typed code as is; otherwise the text as typed."""
        text = self.currentText().strip()
        if not text:
            return ""
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.itemData(index, CODE_ROLE))
        for candidate in (text, text.upper()):
            if self.findData(candidate, CODE_ROLE) >= 0:
                return candidate
        return text

    def set_code(self, code: str) -> None:
        index = self.findData(code, CODE_ROLE) if code else -1
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setCurrentIndex(-1)
            self.setEditText(code)

    def clear_value(self) -> None:
        self.setCurrentIndex(-1)
        self.setEditText("")


class ExplicitChoice(QWidget):
    """Two answers and neither chosen at first: the operator has to ask the citizen.

    Used for anonim and rahasia, which complainants were exposed by when
    an admin left a default in place (domain notes): ``value()`` is None
    until someone answers.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.no = QRadioButton(self)
        self.yes = QRadioButton(self)
        self._group = QButtonGroup(self)
        self._group.addButton(self.no)
        self._group.addButton(self.yes)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.no)
        layout.addWidget(self.yes)
        layout.addStretch(1)
        self._group.buttonToggled.connect(self._toggled)

    def value(self) -> bool | None:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def set_value(self, value: bool | None) -> None:
        self._group.setExclusive(False)
        self.yes.setChecked(value is True)
        self.no.setChecked(value is False)
        self._group.setExclusive(True)
        self.changed.emit()

    def _toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self.changed.emit()
