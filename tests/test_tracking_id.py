"""Tracking IDs pasted back from the LAPOR! website: what an operator's clipboard really holds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_desktop.domain.tracking_id import (
    DEFAULT_PATTERN,
    TrackingId,
    TrackingIdRefused,
    parse_tracking_id,
)


@pytest.mark.parametrize(
    "pasted",
    [
        "1234567",
        "  1234567\n",
        "#1234567",
        "# 1234567",
        "1 234 567",
        "1.234.567",
        "Tracking ID: 1234567",
        "Laporan Anda berhasil dikirim dengan Tracking ID #1234567.",
        "Terima kasih. ID pelacakan 1234567, simpan untuk memantau laporan.",
        "https://www.lapor.go.id/pengaduan/1234567",
    ],
)
def test_a_pasted_tracking_id_is_normalised(pasted: str) -> None:
    assert parse_tracking_id(pasted) == TrackingId("1234567")


@pytest.mark.parametrize(
    ("pasted", "phrase"),
    [
        ("", "Tempel"),
        ("   ", "Tempel"),
        ("12AB567", "tidak tampak seperti"),
        ("123", "tidak tampak seperti"),
        ("Laporan Anda berhasil dikirim", "Tidak ada ID pelacakan"),
        ("1234567 dan 7654321", "lebih dari satu"),
    ],
)
def test_what_is_not_a_tracking_id_is_refused_with_a_reason(pasted: str, phrase: str) -> None:
    refused = parse_tracking_id(pasted)

    assert isinstance(refused, TrackingIdRefused)
    assert phrase in refused.message.render("id")
    assert refused.message.render("en") != refused.message.render("id")


def test_an_office_can_set_its_own_format() -> None:
    pattern = r"LAP-[0-9]{6}"

    assert parse_tracking_id("Tracking ID: LAP-123456", pattern) == TrackingId("LAP-123456")
    refused = parse_tracking_id("1234567", pattern)
    assert isinstance(refused, TrackingIdRefused)
    assert "LAP-[0-9]{6}" in refused.message.render("en")


def test_a_broken_office_pattern_is_named_not_raised() -> None:
    refused = parse_tracking_id("1234567", "[0-9")

    assert isinstance(refused, TrackingIdRefused)
    assert "[0-9" in refused.message.render("en")


@given(st.integers(min_value=1000, max_value=999_999_999_999), st.text(max_size=30))
def test_any_id_labelled_in_any_sentence_is_found(number: int, noise: str) -> None:
    noise = "".join(c for c in noise if not c.isalnum())
    pasted = f"Laporan{noise} dikirim. Tracking ID: #{number}{noise}"

    assert parse_tracking_id(pasted, DEFAULT_PATTERN) == TrackingId(str(number))
