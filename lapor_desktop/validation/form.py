"""From what the operator typed to a complaint ready to send: ``validate_form``.

Every field is checked and every problem is reported at once, so the
operator fixes the whole form in one pass instead of one error at a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from lapor_desktop.domain.complaint import (
    Channel,
    Classification,
    ComplaintData,
    ComplaintForm,
    Identity,
)
from lapor_desktop.i18n import LANGUAGES, N_, Message, translate
from lapor_desktop.settings import ValidationSettings
from lapor_desktop.validation.dates import parse_incident_date
from lapor_desktop.validation.email import check_email
from lapor_desktop.validation.issues import ValidationIssue
from lapor_desktop.validation.nik import check_nik
from lapor_desktop.validation.phone import check_phone

TITLE_LENGTH = (5, 200)
DESCRIPTION_LENGTH = (10, 10_000)
LOCATION_MAX = 500
FULL_NAME_MAX = 120
ADDRESS_MAX = 500
CODE_MAX = 64
_EXCERPT = 40

# C0 and C1 control characters and lone surrogates (which no database can store);
# in one-line fields also the Unicode line and paragraph separators.
_CONTROL_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")
_NAME_PUNCTUATION = frozenset(" '\u2019.-,")  # \u2019 is the typographic apostrophe

_DEFAULT_SETTINGS = ValidationSettings()
_REQUIRED = N_("Required.")
_REQUIRED_FOR_COMPLAINT = N_("Required for a complaint.")


class ReferenceCodes(Protocol):
    """The reference data a form's codes are checked against."""

    def has_region(self, code: str) -> bool: ...

    def has_agency(self, code: str) -> bool: ...

    def has_category(self, code: str) -> bool: ...


@dataclass(frozen=True)
class ValidationResult:
    data: ComplaintData | None
    """None when there are issues."""
    issues: tuple[ValidationIssue, ...]

    @property
    def ok(self) -> bool:
        return not self.issues


class _Issues:
    """The issues found so far, in the order of the form's fields."""

    def __init__(self) -> None:
        self.found: list[ValidationIssue] = []

    def add(self, field: str, message: Message) -> None:
        self.found.append(ValidationIssue(field, message))


def validate_form(
    form: ComplaintForm,
    *,
    today: dt.date,
    references: ReferenceCodes,
    settings: ValidationSettings = _DEFAULT_SETTINGS,
) -> ValidationResult:
    """Validate the whole form; the complaint when it is valid, else all its issues."""
    issues = _Issues()
    classification = _choice(
        form.classification,
        "classification",
        _classification_names(),
        N_("Unknown; choose Complaint, Aspiration or Information request."),
        issues,
    )
    complaint = classification is Classification.PENGADUAN
    title = _text(form.title, "title", issues, length=TITLE_LENGTH, required=True)
    description = _text(
        form.description,
        "description",
        issues,
        length=DESCRIPTION_LENGTH,
        required=True,
        multiline=True,
    )
    incident_date = _incident_date(form.incident_date, today, issues, required=complaint)
    region_code = _code(form.region_code, "region_code", references.has_region, issues)
    location_text = _text(form.location_text, "location_text", issues, length=(0, LOCATION_MAX))
    if complaint and region_code == "" and location_text == "":
        issues.add(
            "location_text",
            Message(N_("A complaint needs a place: choose a region or describe the location.")),
        )
    category_code = _code(form.category_code, "category_code", references.has_category, issues)
    agency_code = _code(form.agency_code, "agency_code", references.has_agency, issues)
    if complaint and agency_code == "":
        issues.add("agency_code", Message(_REQUIRED_FOR_COMPLAINT))
    channel = _choice(
        form.channel,
        "channel",
        _channel_names(),
        N_("Unknown; choose how the complaint reached the desk."),
        issues,
    )
    identity = _identity(form, settings, issues)
    if issues.found:
        return ValidationResult(None, tuple(issues.found))
    # Without issues every field has a value; the asserts say so to the type checker.
    assert classification is not None
    assert channel is not None
    assert identity is not None
    assert title is not None
    assert description is not None
    assert location_text is not None
    data = ComplaintData(
        classification=classification,
        title=title,
        description=description,
        incident_date=incident_date,
        region_code=region_code or None,
        location_text=location_text,
        category_code=category_code or None,
        agency_code=agency_code or None,
        channel=channel,
        anonim=form.anonim,
        rahasia=form.rahasia,
        urgent=form.urgent,
        identity=identity,
    )
    return ValidationResult(data, ())


def _identity(
    form: ComplaintForm, settings: ValidationSettings, issues: _Issues
) -> Identity | None:
    """The complainant; required only when the complaint is not anonymous.

    An anonymous complainant may still give a NIK, phone or email (the
    desk keeps them confidential), and whatever is given is checked.
    """
    named = not form.anonim
    full_name = _full_name(form.full_name, issues, required=named)
    nik = _checked(form.nik, "nik", check_nik, issues)
    if nik == "" and named and settings.require_nik:
        issues.add("nik", Message(N_("Required by this office unless the complaint is anonymous.")))
    phone = _checked(form.phone, "phone", check_phone, issues)
    email = _checked(form.email, "email", check_email, issues)
    if named and phone == "" and email == "":
        issues.add(
            "phone",
            Message(
                N_(
                    "Give a phone number or an email address so the office can reply,"
                    " or mark the complaint anonymous."
                )
            ),
        )
    address = _text(form.address, "address", issues, length=(0, ADDRESS_MAX))
    if None in (full_name, nik, phone, email, address):
        return None
    return Identity(
        full_name=full_name or "",
        nik=nik or "",
        phone=phone or "",
        email=email or "",
        address=address or "",
    )


def _clean(raw: str, field: str, issues: _Issues, *, multiline: bool = False) -> str | None:
    """The text in NFC without surrounding whitespace; None (and an issue) if unstorable."""
    text = unicodedata.normalize("NFC", raw).strip()
    if multiline:
        text = _LINE_BREAKS.sub("\n", text)
        control = _CONTROL_MULTILINE.search(text)
    else:
        control = _CONTROL_SINGLE_LINE.search(text)
    if control is None:
        return text
    if control.group() in "\r\n\u2028\u2029":
        issues.add(field, Message(N_("Must be on a single line.")))
    else:
        codepoint = f"U+{ord(control.group()):04X}"
        issues.add(
            field,
            Message(
                N_("Contains an invisible control character ({codepoint}); remove it."),
                {"codepoint": codepoint},
            ),
        )
    return None


def _text(
    raw: str,
    field: str,
    issues: _Issues,
    *,
    length: tuple[int, int],
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """A free-text field: "" when left empty, None when it has an issue."""
    text = _clean(raw, field, issues, multiline=multiline)
    if text is None:
        return None
    if not text:
        if required:
            issues.add(field, Message(_REQUIRED))
            return None
        return text
    minimum, maximum = length
    if len(text) < minimum:
        issues.add(
            field,
            Message(
                N_("Needs at least {minimum} characters; {length} were typed."),
                {"minimum": minimum, "length": len(text)},
            ),
        )
        return None
    if len(text) > maximum:
        issues.add(field, _too_long(maximum, len(text)))
        return None
    return text


def _too_long(maximum: int, length: int) -> Message:
    return Message(
        N_("Allows at most {maximum} characters; {length} were typed."),
        {"maximum": maximum, "length": length},
    )


def _full_name(raw: str, issues: _Issues, *, required: bool) -> str | None:
    """The name as on the KTP: letters and the punctuation KTP names use, spaces collapsed."""
    text = _text(raw, "full_name", issues, length=(0, FULL_NAME_MAX), required=required)
    if not text:
        return text
    text = " ".join(text.split())
    if any(ch.isdigit() for ch in text):
        issues.add("full_name", Message(N_("A name as on the KTP contains no digits.")))
        return None
    if any(not _is_name_character(ch) for ch in text):
        issues.add(
            "full_name",
            Message(N_("May contain only letters, spaces, apostrophes, dots, hyphens and commas.")),
        )
        return None
    if not any(ch.isalpha() for ch in text):
        issues.add("full_name", Message(N_("Must contain letters.")))
        return None
    return text


def _is_name_character(ch: str) -> bool:
    # Marks (category M) cover accents that have no precomposed NFC form.
    return ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in ("L", "M")


def _checked(
    raw: str,
    field: str,
    check: Callable[[str], tuple[str | None, Message | None]],
    issues: _Issues,
) -> str | None:
    """An optional field with its own checker: "" when empty, None when it has an issue."""
    text = _clean(raw, field, issues)
    if not text:
        return text
    value, message = check(text)
    if message is not None:
        issues.add(field, message)
        return None
    return value


def _incident_date(raw: str, today: dt.date, issues: _Issues, *, required: bool) -> dt.date | None:
    text = _clean(raw, "incident_date", issues)
    if text is None:
        return None
    if not text:
        if required:
            issues.add("incident_date", Message(_REQUIRED_FOR_COMPLAINT))
        return None
    date, message = parse_incident_date(text, today)
    if message is not None:
        issues.add("incident_date", message)
    return date


def _code(raw: str, field: str, known: Callable[[str], bool], issues: _Issues) -> str | None:
    """A reference code: "" when empty, None when it has an issue."""
    code = _clean(raw, field, issues)
    if not code:
        return code
    if len(code) > CODE_MAX or not known(code):
        issues.add(
            field,
            Message(N_("{code} is not in the reference list."), {"code": _excerpt(code)}),
        )
        return None
    return code


def _excerpt(text: str) -> str:
    """Typed text quoted in a message, cut short so a pasted page cannot flood it."""
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


_Choice = TypeVar("_Choice", Classification, Channel)


def _choice(
    raw: str, field: str, names: Mapping[str, _Choice], unknown: str, issues: _Issues
) -> _Choice | None:
    """One of a fixed list, typed as its value or its label in any language."""
    text = _clean(raw, field, issues)
    if text is None:
        return None
    if not text:
        issues.add(field, Message(_REQUIRED))
        return None
    found = names.get(_key(text))
    if found is None:
        issues.add(field, Message(unknown))
    return found


def _key(text: str) -> str:
    """Names compared without case, underscores or extra spaces."""
    return " ".join(text.casefold().replace("_", " ").split())


# English names without the Indonesian term, as an operator may type them.
_CLASSIFICATION_ENGLISH = {
    Classification.PENGADUAN: "complaint",
    Classification.ASPIRASI: "aspiration",
    Classification.PERMINTAAN_INFORMASI: "information request",
}


@functools.cache
def _classification_names() -> dict[str, Classification]:
    """Each classification by its value, its Indonesian name and its labels in every language."""
    names = {_key(c.value): c for c in Classification}
    names.update({_key(english): c for c, english in _CLASSIFICATION_ENGLISH.items()})
    for language in LANGUAGES:
        names.update({_key(translate(c.label, language)): c for c in Classification})
    return names


@functools.cache
def _channel_names() -> dict[str, Channel]:
    names = {_key(c.value): c for c in Channel}
    for language in LANGUAGES:
        names.update({_key(translate(c.label, language)): c for c in Channel})
    return names
