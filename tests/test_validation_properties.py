"""Whatever is typed or pasted, validation answers with a value or a message, never a crash.

Also keeps the Indonesian fragment (``id_messages.po``) complete: every
message the layer can produce has a translation with the same placeholders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_desktop
from lapor_desktop.domain.complaint import ComplaintForm
from lapor_desktop.i18n import Message
from lapor_desktop.validation.dates import parse_incident_date
from lapor_desktop.validation.email import check_email
from lapor_desktop.validation.form import ValidationResult, validate_form
from lapor_desktop.validation.issues import FIELD_LABELS
from lapor_desktop.validation.nik import check_nik, district_codes, mask_nik
from lapor_desktop.validation.phone import check_phone

TODAY = dt.date(2026, 3, 1)
PACKAGE = Path(lapor_desktop.__file__).parent
CATALOGUE = PACKAGE / "locale" / "id" / "LC_MESSAGES" / "lapor.po"
TRANSLATED_SOURCES = [
    *sorted((PACKAGE / "validation").glob("*.py")),
    PACKAGE / "domain" / "complaint.py",
    PACKAGE / "domain" / "status.py",
]
MEGABYTE = 1024 * 1024
_FLAGS = {"anonim", "rahasia", "urgent"}

modest = settings(max_examples=200, deadline=None)

# Any code point, lone surrogates included: a clipboard can hold them.
any_text = st.text(st.characters(exclude_categories=()))
checkers: list[Callable[[str], tuple[object, Message | None]]] = [
    check_nik,
    check_phone,
    check_email,
    lambda text: parse_incident_date(text, TODAY),
]


class FakeReferences:
    def has_region(self, code: str) -> bool:
        return code == "217101"

    def has_agency(self, code: str) -> bool:
        return code == "PEMKOT-BATAM"

    def has_category(self, code: str) -> bool:
        return code == "kesehatan"


def indonesian_catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="id")
    return {str(m.id): str(m.string) for m in catalog if m.id}


INDONESIAN = indonesian_catalogue()


def assert_renders(message: Message) -> None:
    """Renders in both languages, and the Indonesian catalogue knows the template."""
    assert message.render("id")
    assert message.render("en")
    assert INDONESIAN[message.template].format(**message.params)


def assert_value_or_message(result: tuple[object, Message | None]) -> None:
    value, message = result
    assert (value is None) != (message is None)
    if message is not None:
        assert_renders(message)


def assert_well_formed(result: ValidationResult) -> None:
    assert (result.data is None) == bool(result.issues) == (not result.ok)
    for issue in result.issues:
        assert issue.field in FIELD_LABELS
        assert issue.render("id")
        assert issue.render("en")
        assert_renders(issue.message)


@pytest.mark.parametrize("check", checkers, ids=["nik", "phone", "email", "date"])
@modest
@given(text=any_text)
def test_every_checker_answers_arbitrary_text(
    check: Callable[[str], tuple[object, Message | None]], text: str
) -> None:
    assert_value_or_message(check(text))


@modest
@given(text=any_text)
def test_mask_never_shows_more_than_eight_digits(text: str) -> None:
    masked = mask_nik(text)
    assert len(masked) == 16
    assert masked.count("*") >= 8


huge_inputs = [
    "1" * MEGABYTE,
    "a" * MEGABYTE,
    "é" * MEGABYTE,
    "\x00" * MEGABYTE,
    "0812 " * (MEGABYTE // 5),
    "@" * MEGABYTE,
    "17/08/2024" * (MEGABYTE // 10),
]


@pytest.mark.parametrize("check", checkers, ids=["nik", "phone", "email", "date"])
@pytest.mark.parametrize("text", huge_inputs, ids=lambda t: repr(t[:6]))
def test_every_checker_rejects_a_megabyte_of_text(
    check: Callable[[str], tuple[object, Message | None]], text: str
) -> None:
    value, message = check(text)
    assert value is None
    assert message is not None
    assert_renders(message)


@pytest.mark.parametrize("text", huge_inputs, ids=lambda t: repr(t[:6]))
def test_a_megabyte_in_every_field_is_reported_not_raised(text: str) -> None:
    form = ComplaintForm()
    for name in ComplaintForm.__dataclass_fields__.keys() - _FLAGS:
        setattr(form, name, text)
    result = validate_form(form, today=TODAY, references=FakeReferences())
    assert_well_formed(result)
    assert not result.ok


forms = st.builds(
    ComplaintForm,
    **{name: any_text for name in ComplaintForm.__dataclass_fields__ if name not in _FLAGS},
    **{name: st.booleans() for name in _FLAGS},
)


@modest
@given(form=forms)
def test_validate_form_answers_any_form(form: ComplaintForm) -> None:
    assert_well_formed(validate_form(form, today=TODAY, references=FakeReferences()))


plausible_forms = st.builds(
    ComplaintForm,
    classification=st.sampled_from(["pengaduan", "Aspirasi", "PERMINTAAN INFORMASI", "", "x"]),
    title=st.text(max_size=250),
    description=st.text(max_size=300),
    incident_date=st.sampled_from(["", "17/08/2025", "31/02/2025", "2030-01-01", "kemarin"]),
    region_code=st.sampled_from(["", "217101", "999999"]),
    agency_code=st.sampled_from(["", "PEMKOT-BATAM", "?"]),
    channel=st.sampled_from(["tatap_muka", "WhatsApp", "", "fax"]),
    anonim=st.booleans(),
    rahasia=st.booleans(),
    full_name=st.sampled_from(["", "Siti Aminah", "R2D2"]),
    nik=st.sampled_from(["", "2171011708450001", "9101015708450001", "123"]),
    phone=st.sampled_from(["", "0812 3456 7890", "0809 1 234 567"]),
    email=st.sampled_from(["", "siti@gmail.com", "siti@"]),
)


@modest
@given(form=plausible_forms)
def test_validate_form_reports_issues_or_data_never_both(form: ComplaintForm) -> None:
    result = validate_form(form, today=TODAY, references=FakeReferences())
    assert_well_formed(result)
    if result.data is not None:
        assert result.data.anonim == form.anonim
        assert result.data.rahasia == form.rahasia


digit_groups = st.text(alphabet="0123456789", min_size=0, max_size=5)


@modest
@given(
    parts=st.lists(st.one_of(digit_groups, st.sampled_from("/-.: ")), max_size=8),
)
def test_malformed_dates_are_reported(parts: list[str]) -> None:
    value, message = parse_incident_date("".join(parts), TODAY)
    assert_value_or_message((value, message))
    if value is not None:
        assert dt.date(1945, 8, 17) <= value <= TODAY


@modest
@given(
    date=st.dates(min_value=dt.date(1945, 8, 17), max_value=TODAY),
    form=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]),
)
def test_any_real_past_date_reads_back_in_every_form(date: dt.date, form: str) -> None:
    typed = date.strftime(form)
    assert parse_incident_date(typed, TODAY, max_age_years=None) == (date, None)


@modest
@given(date=st.dates(min_value=TODAY + dt.timedelta(days=1)))
def test_no_future_date_is_accepted(date: dt.date) -> None:
    value, message = parse_incident_date(date.strftime("%d/%m/%Y"), TODAY, max_age_years=None)
    assert value is None
    assert message is not None


@modest
@given(
    district=st.sampled_from(sorted(district_codes())),
    birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2019, 12, 31)),
    woman=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_any_nik_from_a_known_district_and_real_birth_date_is_accepted(
    district: str, birth: dt.date, woman: bool, serial: int
) -> None:
    day = birth.day + 40 if woman else birth.day
    nik = f"{district}{day:02d}{birth:%m%y}{serial:04d}"
    assert check_nik(nik) == (nik, None)
    assert mask_nik(nik) == f"{district}********{nik[-2:]}"


@modest
@given(subscriber=st.integers(min_value=10_000_000, max_value=99_999_999))
def test_local_and_international_forms_of_a_mobile_number_agree(subscriber: int) -> None:
    local = check_phone(f"0812{subscriber}")
    assert local == check_phone(f"+62 812 {subscriber}") == check_phone(f"62812{subscriber}")
    assert local == (f"+62812{subscriber}", None)
