"""The setup wizard's first page: which office this desk serves.

The code is picked from the bundled Kemendagri region list (an office is a
province, regency or city) or typed; the name and time zone follow the pick.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget, QWizardPage

from lapor_desktop.i18n import LANGUAGES, N_, Message
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.services.office import check_office_code
from lapor_desktop.settings import OfficeSettings
from ui.fields import FieldError, SearchableCombo, set_role
from ui.i18n import LANGUAGE_NAMES, Language, Texts
from ui.reference_choices import Choice
from ui.setup_pages import buddy, cell

OFFICE_NAME_MAX = 200
TIMEZONES = (
    ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
    ("Asia/Pontianak", "WIB (Asia/Pontianak)"),
    ("Asia/Makassar", "WITA (Asia/Makassar)"),
    ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
)
_PROVINCE_TIMEZONES = {
    **dict.fromkeys(("61", "62"), "Asia/Pontianak"),
    **dict.fromkeys(
        ("51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"), "Asia/Makassar"
    ),
    **dict.fromkeys(("81", "82", "91", "92", "93", "94", "95", "96", "97"), "Asia/Jayapura"),
}
"""Provinces outside Asia/Jakarta, by their Kemendagri code."""
NAME_NEEDED = N_("The office name must be 1 to {maximum} characters.")


@functools.cache
def office_regions() -> tuple[Choice, ...]:
    """Provinces, regencies and cities of the bundled Kemendagri codes: an office is one of them."""
    regions = [r for r in load_bundled("").regions if r.level in ("province", "regency")]
    provinces = {r.code: r.name for r in regions if r.level == "province"}
    return tuple(
        Choice(r.code, f"{r.name}, {provinces[r.parent_code]} ({r.code})")
        if r.parent_code
        else Choice(r.code, f"{r.name} ({r.code})")
        for r in regions
    )


def suggested_office_name(choice: Choice) -> str:
    """The name to suggest: Pemerintah Kabupaten Lingga for 2104, Pemerintah Provinsi ... for 21."""
    name = choice.text.split(",")[0].split(" (")[0]
    return f"Pemerintah {name}" if len(choice.code) > 2 else f"Pemerintah Provinsi {name}"


class OfficePage(QWizardPage):
    """The office code (picked from the region list or typed), its name and time zone."""

    def __init__(self, language: Language, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts = Texts(language, self)
        self._regions = {choice.code: choice for choice in office_regions()}
        self._suggested = ""
        self.region = SearchableCombo()
        self.region.set_choices(tuple(self._regions.values()))
        self.code = QLineEdit()
        self.code.setMaxLength(16)
        self.code_hint = set_role(QLabel(), "hint")
        self.code_error = FieldError()
        self.name = QLineEdit()
        self.name.setMaxLength(OFFICE_NAME_MAX)
        self.name_error = FieldError()
        self.timezone = QComboBox()
        for zone, label in TIMEZONES:
            self.timezone.addItem(label, zone)
        self.language_choice = QComboBox()
        for code in LANGUAGES:
            self.language_choice.addItem(LANGUAGE_NAMES[code], code)
        self.language_choice.setCurrentIndex(LANGUAGES.index(language.code))
        self.language_choice.activated.connect(
            lambda index: language.switch(str(self.language_choice.itemData(index)))
        )
        texts.bind(self.setTitle, N_("1. The office"))
        texts.bind(
            self.setSubTitle,
            N_(
                "Which office does this desk serve? Type part of the regency's name "
                "(e.g. Lingga) and pick it, or type the office code."
            ),
        )
        form = QFormLayout(self)
        form.addRow(buddy(texts, N_("Office &region"), self.region), self.region)
        form.addRow(
            buddy(texts, N_("Office &code"), self.code),
            cell(self.code, self.code_hint, self.code_error),
        )
        form.addRow(buddy(texts, N_("Office na&me"), self.name), cell(self.name, self.name_error))
        form.addRow(buddy(texts, N_("&Time zone"), self.timezone), self.timezone)
        language_label = QLabel("Bahasa / Lan&guage")  # both: whoever reads it can switch
        language_label.setBuddy(self.language_choice)
        form.addRow(language_label, self.language_choice)
        self.setTabOrder(self.region, self.code)
        self.setTabOrder(self.code, self.name)
        self.setTabOrder(self.name, self.timezone)
        completer = self.region.completer()
        assert completer is not None
        completer.activated.connect(self._region_chosen)
        self.region.activated.connect(self._region_chosen)
        self.code.textEdited.connect(self._code_typed)
        self.name.textEdited.connect(
            lambda _text: texts.show("name", self.name_error.setText, None)
        )

    def first_field(self) -> QWidget:
        return self.region

    def office(self) -> OfficeSettings:
        zone = str(self.timezone.currentData())
        return OfficeSettings(
            self.code.text().strip().upper(), " ".join(self.name.text().split()), zone
        )

    def validatePage(self) -> bool:
        office = self.office()
        code_problem = check_office_code(office.office_code)
        name_problem = (
            None if office.office_name else Message(NAME_NEEDED, {"maximum": OFFICE_NAME_MAX})
        )
        self.texts.show("code", self.code_error.setText, code_problem)
        self.texts.show("name", self.name_error.setText, name_problem)
        first = self.code if code_problem else self.name if name_problem else None
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return first is None

    def _region_chosen(self, *_args: object) -> None:
        choice = self._regions.get(self.region.code())
        if choice is None:
            return
        self.code.setText(choice.code)
        self._code_typed(choice.code)
        if not self.name.text().strip() or self.name.text() == self._suggested:
            self._suggested = suggested_office_name(choice)
            self.name.setText(self._suggested)
        zone = _PROVINCE_TIMEZONES.get(choice.code[:2], "Asia/Jakarta")
        self.timezone.setCurrentIndex(self.timezone.findData(zone))

    def _code_typed(self, text: str) -> None:
        choice = self._regions.get(text.strip().upper())
        self.code_hint.setText(choice.text if choice else "")
        self.texts.show("code", self.code_error.setText, None)
