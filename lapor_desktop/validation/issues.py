"""A validation issue: which field, what is wrong, in Indonesian and English."""

from __future__ import annotations

from dataclasses import dataclass

from lapor_desktop.i18n import DEFAULT_LANGUAGE, N_, Message, translate

FIELD_LABELS: dict[str, str] = {
    "classification": N_("Classification"),
    "title": N_("Title"),
    "description": N_("Description"),
    "incident_date": N_("Incident date"),
    "region_code": N_("Incident region"),
    "location_text": N_("Incident location"),
    "category_code": N_("Category"),
    "agency_code": N_("Target agency"),
    "channel": N_("Intake channel"),
    "anonim": N_("Anonymous"),
    "rahasia": N_("Confidential"),
    "urgent": N_("Urgent"),
    "full_name": N_("Full name (as on KTP)"),
    "nik": N_("NIK"),
    "phone": N_("Phone number"),
    "email": N_("Email"),
    "address": N_("Address"),
    "attachment": N_("Attachment"),
}


@dataclass(frozen=True)
class ValidationIssue:
    field: str
    message: Message

    def label(self, language: str = DEFAULT_LANGUAGE) -> str:
        return translate(FIELD_LABELS.get(self.field, self.field), language)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        return f"{self.label(language)}: {self.message.render(language)}"

    def bilingual(self) -> str:
        return f"{self.render('id')} / {self.render('en')}"

    def __str__(self) -> str:
        return self.bilingual()


class ValidationFailed(ValueError):
    """Raised where a caller asked for valid input only (e.g. a strict import)."""

    def __init__(self, issues: tuple[ValidationIssue, ...]) -> None:
        super().__init__("; ".join(i.bilingual() for i in issues))
        self.issues = issues
