"""validate_form: from what the operator typed to a complaint ready to send."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from lapor_desktop.domain.complaint import Channel, Classification, ComplaintForm
from lapor_desktop.settings import ValidationSettings
from lapor_desktop.validation.form import ValidationResult, validate_form
from lapor_desktop.validation.issues import FIELD_LABELS

TODAY = dt.date(2026, 3, 1)


class FakeReferences:
    """Reference data as a set of codes; the real tables belong to another module."""

    regions = frozenset({"21", "2171", "217101"})
    agencies = frozenset({"PEMKOT-BATAM", "DINKES-2171"})
    categories = frozenset({"kesehatan", "pekerjaan-umum"})

    def has_region(self, code: str) -> bool:
        return code in self.regions

    def has_agency(self, code: str) -> bool:
        return code in self.agencies

    def has_category(self, code: str) -> bool:
        return code in self.categories


@pytest.fixture
def complaint() -> ComplaintForm:
    """A complete, valid named complaint."""
    return ComplaintForm(
        classification="pengaduan",
        title="Jalan berlubang di depan sekolah",
        description="Sejak dua minggu lubang besar membahayakan anak-anak.",
        incident_date="14/02/2026",
        region_code="217101",
        location_text="Jl. Pemping, depan SDN 001",
        category_code="pekerjaan-umum",
        agency_code="PEMKOT-BATAM",
        channel="tatap_muka",
        full_name="Siti Aminah",
        phone="0812 3456 7890",
    )


def validate(form: ComplaintForm, **settings: bool) -> ValidationResult:
    return validate_form(
        form,
        today=TODAY,
        references=FakeReferences(),
        settings=ValidationSettings(**settings),
    )


def fields(result: ValidationResult) -> list[str]:
    return [issue.field for issue in result.issues]


def test_complete_complaint_becomes_complaint_data(complaint: ComplaintForm) -> None:
    result = validate(complaint)
    assert result.ok
    assert result.issues == ()
    data = result.data
    assert data is not None
    assert data.classification is Classification.PENGADUAN
    assert data.channel is Channel.WALK_IN
    assert data.incident_date == dt.date(2026, 2, 14)
    assert data.region_code == "217101"
    assert data.agency_code == "PEMKOT-BATAM"
    assert data.identity.phone == "+6281234567890"
    assert data.identity.full_name == "Siti Aminah"


def test_text_is_stripped_and_nfc_normalised(complaint: ComplaintForm) -> None:
    complaint.title = "  Cafe\u0301 liar di trotoar  "
    complaint.full_name = "  Rene\u0301   Siregar "
    data = validate(complaint).data
    assert data is not None
    assert data.title == "Caf\u00e9 liar di trotoar"
    assert data.identity.full_name == "Ren\u00e9 Siregar"


def test_identity_values_are_normalised(complaint: ComplaintForm) -> None:
    complaint.nik = "21.71.01 170845 0001"
    complaint.email = "Siti@Gmail.COM"
    data = validate(complaint).data
    assert data is not None
    assert data.identity.nik == "2171011708450001"
    assert data.identity.email == "Siti@gmail.com"


def test_result_with_issues_has_no_data(complaint: ComplaintForm) -> None:
    complaint.title = ""
    result = validate(complaint)
    assert not result.ok
    assert result.data is None
    assert fields(result) == ["title"]


def test_all_issues_are_reported_at_once() -> None:
    form = ComplaintForm(
        classification="pengaduan",
        title="abc",
        description="short",
        incident_date="31/02/2025",
        region_code="9999",
        category_code="nope",
        agency_code="NOPE",
        channel="telegram",
        full_name="R2D2",
        nik="123",
        phone="0809 1 234 567",
        email="not-an-email",
        address="x" * 501,
    )
    result = validate(form)
    assert fields(result) == [
        "title",
        "description",
        "incident_date",
        "region_code",
        "category_code",
        "agency_code",
        "channel",
        "full_name",
        "nik",
        "phone",
        "email",
        "address",
    ]


def test_empty_form_lists_everything_that_is_missing() -> None:
    result = validate(ComplaintForm(channel=""))
    assert set(fields(result)) == {"classification", "title", "description", "channel"} | {
        "full_name",
        "phone",
    }


def test_complaint_needs_incident_date_location_and_agency(complaint: ComplaintForm) -> None:
    complaint.incident_date = complaint.region_code = complaint.location_text = ""
    complaint.agency_code = ""
    assert fields(validate(complaint)) == ["incident_date", "location_text", "agency_code"]


@pytest.mark.parametrize("kept", ["region_code", "location_text"])
def test_region_or_location_text_alone_is_enough_place(complaint: ComplaintForm, kept: str) -> None:
    other = "location_text" if kept == "region_code" else "region_code"
    setattr(complaint, other, "")
    assert validate(complaint).ok


@pytest.mark.parametrize("classification", ["aspirasi", "permintaan_informasi"])
def test_aspiration_and_information_request_need_only_title_and_description(
    classification: str,
) -> None:
    form = ComplaintForm(
        classification=classification,
        title="Usul taman baca",
        description="Mohon disediakan taman baca di kantor kecamatan.",
        anonim=True,
    )
    data = validate(form).data
    assert data is not None
    assert data.incident_date is None
    assert data.region_code is None
    assert data.agency_code is None
    assert data.category_code is None


def test_optional_incident_date_is_still_validated_when_given() -> None:
    form = ComplaintForm(
        classification="aspirasi",
        title="Usul taman baca",
        description="Mohon disediakan taman baca di kantor kecamatan.",
        incident_date="2027-01-01",
        anonim=True,
    )
    assert fields(validate(form)) == ["incident_date"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Pengaduan", Classification.PENGADUAN),
        ("PENGADUAN", Classification.PENGADUAN),
        ("Permintaan Informasi", Classification.PERMINTAAN_INFORMASI),
        ("permintaan  informasi", Classification.PERMINTAAN_INFORMASI),
        ("permintaan_informasi", Classification.PERMINTAAN_INFORMASI),
        ("aspirasi", Classification.ASPIRASI),
        ("Complaint (Pengaduan)", Classification.PENGADUAN),
        ("Information request", Classification.PERMINTAAN_INFORMASI),
        ("aspiration", Classification.ASPIRASI),
    ],
)
def test_classification_values_and_labels_are_accepted_in_any_case(
    complaint: ComplaintForm, typed: str, expected: Classification
) -> None:
    complaint.classification = typed
    data = validate(complaint).data
    assert data is not None
    assert data.classification is expected


@pytest.mark.parametrize("typed", ["keluhan", "pengaduanx", "1"])
def test_unknown_classification_is_rejected(complaint: ComplaintForm, typed: str) -> None:
    complaint.classification = typed
    assert fields(validate(complaint)) == ["classification"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tatap_muka", Channel.WALK_IN),
        ("Tatap Muka", Channel.WALK_IN),
        ("Walk-in", Channel.WALK_IN),
        ("WHATSAPP", Channel.WHATSAPP),
        ("media sosial", Channel.SOCIAL_MEDIA),
        ("Social media", Channel.SOCIAL_MEDIA),
    ],
)
def test_channel_values_and_labels_are_accepted(
    complaint: ComplaintForm, typed: str, expected: Channel
) -> None:
    complaint.channel = typed
    data = validate(complaint).data
    assert data is not None
    assert data.channel is expected


@pytest.mark.parametrize("typed", ["", "telegram"])
def test_missing_or_unknown_channel_is_rejected(complaint: ComplaintForm, typed: str) -> None:
    complaint.channel = typed
    assert fields(validate(complaint)) == ["channel"]


@pytest.mark.parametrize("field", ["region_code", "agency_code", "category_code"])
def test_unknown_reference_code_is_rejected(complaint: ComplaintForm, field: str) -> None:
    setattr(complaint, field, "ZZ-404")
    result = validate(complaint)
    assert fields(result) == [field]
    assert result.issues[0].message.params == {"code": "ZZ-404"}


def test_huge_unknown_code_is_quoted_short(complaint: ComplaintForm) -> None:
    complaint.agency_code = "A" * 10_000
    code = validate(complaint).issues[0].message.params["code"]
    assert isinstance(code, str)
    assert len(code) == 40


@pytest.mark.parametrize(
    ("field", "too_short", "shortest", "longest"),
    [("title", 4, 5, 200), ("description", 9, 10, 10_000)],
)
def test_title_and_description_length_bounds(
    complaint: ComplaintForm, field: str, too_short: int, shortest: int, longest: int
) -> None:
    for length, ok in [(too_short, False), (shortest, True), (longest, True), (longest + 1, False)]:
        setattr(complaint, field, "a" * length)
        assert validate(complaint).ok is ok, length


@pytest.mark.parametrize(
    ("field", "longest"), [("location_text", 500), ("full_name", 120), ("address", 500)]
)
def test_optional_text_length_limits(complaint: ComplaintForm, field: str, longest: int) -> None:
    setattr(complaint, field, "a" * longest)
    assert validate(complaint).ok
    setattr(complaint, field, "a" * (longest + 1))
    result = validate(complaint)
    assert fields(result) == [field]
    assert result.issues[0].message.params == {"maximum": longest, "length": longest + 1}


def test_email_longer_than_254_characters_is_rejected(complaint: ComplaintForm) -> None:
    complaint.email = "a" * 64 + "@" + "b" * 186 + ".com"
    assert fields(validate(complaint)) == ["email"]


def test_description_keeps_newlines_and_tabs(complaint: ComplaintForm) -> None:
    complaint.description = "Kronologi:\r\n\t1. Lubang muncul.\r\n\t2. Anak jatuh."
    data = validate(complaint).data
    assert data is not None
    assert data.description == "Kronologi:\n\t1. Lubang muncul.\n\t2. Anak jatuh."


def test_unicode_line_separators_in_description_become_newlines(complaint: ComplaintForm) -> None:
    complaint.description = "Baris pertama\u2028baris kedua\u2029paragraf baru"
    data = validate(complaint).data
    assert data is not None
    assert data.description == "Baris pertama\nbaris kedua\nparagraf baru"


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", "\u2028", "\u2029"])
def test_line_break_in_a_single_line_field_is_rejected(
    complaint: ComplaintForm, line_break: str
) -> None:
    complaint.title = f"Jalan berlubang{line_break}di depan sekolah"
    result = validate(complaint)
    assert fields(result) == ["title"]
    assert "single line" in result.issues[0].message.render("en")


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"])
@pytest.mark.parametrize("field", ["title", "description", "full_name", "phone", "agency_code"])
def test_control_characters_are_rejected(
    complaint: ComplaintForm, field: str, character: str
) -> None:
    setattr(complaint, field, f"{getattr(complaint, field)[:6]}{character}abcdefghij")
    result = validate(complaint)
    assert fields(result) == [field]
    assert result.issues[0].message.params == {"codepoint": f"U+{ord(character):04X}"}


@pytest.mark.parametrize(
    "name",
    [
        "Drs. H. Muh. Ma'ruf, S.H.",
        "Siti Nur-Aisyah",
        "I Gusti Ayu Ngurah",
        "Ni Luh Putu Ma\u2019ruf",
    ],
)
def test_names_as_written_on_the_ktp_are_accepted(complaint: ComplaintForm, name: str) -> None:
    complaint.full_name = name
    assert validate(complaint).ok


@pytest.mark.parametrize("name", ["Budi 2", "R2D2", "Budi Santoso III 3"])
def test_name_with_digits_is_rejected(complaint: ComplaintForm, name: str) -> None:
    complaint.full_name = name
    result = validate(complaint)
    assert fields(result) == ["full_name"]
    assert "digits" in result.issues[0].message.render("en")


@pytest.mark.parametrize("name", ["Budi@Santoso", "Budi (Ucok)", "Budi_Santoso", ". - ,"])
def test_name_with_other_symbols_or_no_letters_is_rejected(
    complaint: ComplaintForm, name: str
) -> None:
    complaint.full_name = name
    assert fields(validate(complaint)) == ["full_name"]


def test_named_complaint_needs_full_name_and_a_contact(complaint: ComplaintForm) -> None:
    complaint.full_name = complaint.phone = ""
    assert fields(validate(complaint)) == ["full_name", "phone"]


@pytest.mark.parametrize("contact", ["phone", "email"])
def test_phone_or_email_alone_is_enough_contact(complaint: ComplaintForm, contact: str) -> None:
    complaint.phone = ""
    setattr(complaint, contact, "0812 3456 7890" if contact == "phone" else "siti@gmail.com")
    assert validate(complaint).ok


def test_invalid_contact_is_reported_once_not_also_as_missing(complaint: ComplaintForm) -> None:
    complaint.phone = "0812"
    assert fields(validate(complaint)) == ["phone"]


def test_anonymous_complaint_needs_no_identity(complaint: ComplaintForm) -> None:
    complaint.anonim = True
    complaint.full_name = complaint.phone = ""
    data = validate(complaint).data
    assert data is not None
    assert data.anonim
    assert data.identity.is_empty()


def test_anonymous_complaint_still_checks_what_is_given(complaint: ComplaintForm) -> None:
    complaint.anonim = True
    complaint.nik = "9971011708450001"
    complaint.email = "siti@"
    assert fields(validate(complaint)) == ["nik", "email"]


def test_anonymous_complaint_keeps_a_valid_identity(complaint: ComplaintForm) -> None:
    complaint.anonim = True
    complaint.nik = "2171015708450001"
    data = validate(complaint).data
    assert data is not None
    assert data.identity.nik == "2171015708450001"
    assert data.identity.phone == "+6281234567890"


def test_nik_is_optional_by_default(complaint: ComplaintForm) -> None:
    assert validate(complaint).ok


def test_office_can_require_the_nik(complaint: ComplaintForm) -> None:
    result = validate(complaint, require_nik=True)
    assert fields(result) == ["nik"]
    complaint.nik = "2171011708450001"
    assert validate(complaint, require_nik=True).ok


def test_required_nik_does_not_apply_to_anonymous_complaints(complaint: ComplaintForm) -> None:
    complaint.anonim = True
    assert validate(complaint, require_nik=True).ok


@pytest.mark.parametrize("anonim", [False, True])
@pytest.mark.parametrize("rahasia", [False, True])
def test_anonim_and_rahasia_are_independent(
    complaint: ComplaintForm, anonim: bool, rahasia: bool
) -> None:
    data = validate(dataclasses.replace(complaint, anonim=anonim, rahasia=rahasia)).data
    assert data is not None
    assert (data.anonim, data.rahasia) == (anonim, rahasia)


def test_urgent_flag_is_kept(complaint: ComplaintForm) -> None:
    complaint.urgent = True
    data = validate(complaint).data
    assert data is not None
    assert data.urgent


def test_default_settings_are_used_when_none_are_given(complaint: ComplaintForm) -> None:
    assert validate_form(complaint, today=TODAY, references=FakeReferences()).ok


def test_every_issue_names_a_labelled_field_and_renders_in_both_languages() -> None:
    result = validate(ComplaintForm(classification="?", channel="?", nik="x", title="\x00"))
    assert result.issues
    for issue in result.issues:
        assert issue.field in FIELD_LABELS
        assert issue.render("id")
        assert issue.render("en").startswith(FIELD_LABELS[issue.field] + ": ")
