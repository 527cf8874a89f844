"""Identity fields open only in their own row and field; blind indexes find without revealing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lapor_desktop.security.blind_index import BlindIndex
from lapor_desktop.security.fields import FieldCipher
from lapor_desktop.security.keys import DecryptionError, Tampered, new_data_key

modest = settings(max_examples=150, deadline=None)
# Any code point, lone surrogates included: a clipboard can hold them.
any_text = st.text(st.characters(exclude_categories=()))

ROW_A = "0b6f3c1e-6f0a-4d5e-9d61-2a9c1f0e7a11"
ROW_B = "5d2a8e47-1c3b-4f6e-8a90-7b1d2c3e4f50"
NIK = "2171054101900003"
# One key for all property examples: hypothesis re-runs a test body without fixtures.
KEY_FOR_PROPERTIES = new_data_key()


@pytest.fixture
def data_key() -> bytes:
    return new_data_key()


@pytest.fixture
def cipher(data_key: bytes) -> FieldCipher:
    return FieldCipher(data_key)


def test_a_field_round_trips(cipher: FieldCipher) -> None:
    token = cipher.encrypt("Siti Rahayu", aad=f"{ROW_A}:full_name")

    assert token.startswith("f1.")
    assert "Siti" not in token
    assert cipher.decrypt(token, aad=f"{ROW_A}:full_name") == "Siti Rahayu"


def test_an_empty_field_stays_empty(cipher: FieldCipher) -> None:
    assert cipher.encrypt("", aad=f"{ROW_A}:email") == ""
    assert cipher.decrypt("", aad=f"{ROW_A}:email") == ""


def test_the_same_value_encrypts_differently_each_time(cipher: FieldCipher) -> None:
    aad = f"{ROW_A}:nik"

    assert cipher.encrypt(NIK, aad=aad) != cipher.encrypt(NIK, aad=aad)


def test_ciphertexts_swapped_between_rows_fail(cipher: FieldCipher) -> None:
    nik_of_a = cipher.encrypt(NIK, aad=f"{ROW_A}:nik")

    with pytest.raises(Tampered):
        cipher.decrypt(nik_of_a, aad=f"{ROW_B}:nik")


def test_ciphertexts_swapped_between_fields_fail(cipher: FieldCipher) -> None:
    phone = cipher.encrypt("+6281234567890", aad=f"{ROW_A}:phone")

    with pytest.raises(Tampered):
        cipher.decrypt(phone, aad=f"{ROW_A}:nik")


def test_another_data_key_cannot_open_a_field(cipher: FieldCipher) -> None:
    token = cipher.encrypt(NIK, aad=f"{ROW_A}:nik")

    with pytest.raises(Tampered):
        FieldCipher(new_data_key()).decrypt(token, aad=f"{ROW_A}:nik")


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-1],
        lambda t: t[:-4],
        lambda t: "f2" + t[2:],
        lambda t: t[3:],
        lambda t: "f1.",
        lambda t: "f1.AAAA",
        lambda t: t + "=",
        lambda t: t[:5] + ("A" if t[5] != "A" else "B") + t[6:],
    ],
    ids=["cut-1", "cut-4", "other-version", "no-version", "no-body", "too-short", "pad", "flip"],
)
def test_a_damaged_field_token_fails(cipher: FieldCipher, damage: Callable[[str], str]) -> None:
    token = cipher.encrypt(NIK, aad=f"{ROW_A}:nik")

    with pytest.raises(Tampered):
        cipher.decrypt(damage(token), aad=f"{ROW_A}:nik")


def test_every_flipped_bit_is_detected(cipher: FieldCipher) -> None:
    token = cipher.encrypt("Jl. Engku Putri No. 1, Batam", aad=f"{ROW_A}:address")
    raw = base64.b64decode(token[3:])
    for position in range(len(raw)):
        damaged = bytearray(raw)
        damaged[position] ^= 0x80
        with pytest.raises(DecryptionError):
            cipher.decrypt(
                "f1." + base64.b64encode(bytes(damaged)).decode(), aad=f"{ROW_A}:address"
            )


def test_a_field_without_its_row_and_name_is_a_bug(cipher: FieldCipher) -> None:
    with pytest.raises(ValueError):
        cipher.encrypt(NIK, aad="")


@modest
@given(value=any_text, aad=any_text.filter(bool))
def test_any_unicode_value_round_trips(value: str, aad: str) -> None:
    cipher = FieldCipher(KEY_FOR_PROPERTIES)

    assert cipher.decrypt(cipher.encrypt(value, aad=aad), aad=aad) == value


@modest
@given(value=any_text.filter(bool), aad=any_text.filter(bool), other=any_text.filter(bool))
def test_any_value_fails_under_another_aad(value: str, aad: str, other: str) -> None:
    assume(other != aad)
    cipher = FieldCipher(KEY_FOR_PROPERTIES)
    token = cipher.encrypt(value, aad=aad)

    with pytest.raises(Tampered):
        cipher.decrypt(token, aad=other)


def test_the_same_nik_gives_the_same_index_under_one_key(data_key: bytes) -> None:
    assert BlindIndex(data_key).nik(NIK) == BlindIndex(data_key).nik(NIK)


def test_the_same_nik_gives_another_index_under_another_key(data_key: bytes) -> None:
    assert BlindIndex(data_key).nik(NIK) != BlindIndex(new_data_key()).nik(NIK)


def test_different_niks_give_different_indexes(data_key: bytes) -> None:
    index = BlindIndex(data_key)

    assert index.nik(NIK) != index.nik("2171054101900004")


def test_a_nik_and_a_phone_with_the_same_digits_do_not_collide(data_key: bytes) -> None:
    index = BlindIndex(data_key)

    assert index.nik("6281234567890") != index.phone("6281234567890")


def test_the_index_is_not_a_plain_hash_of_the_nik(data_key: bytes) -> None:
    value = BlindIndex(data_key).nik(NIK)

    assert value is not None
    assert len(value) == 64
    assert set(value) <= set("0123456789abcdef")
    assert value not in {
        hashlib.sha256(NIK.encode()).hexdigest(),
        hashlib.sha256(f"nik:{NIK}".encode()).hexdigest(),
    }


def test_an_empty_nik_or_phone_has_no_index(data_key: bytes) -> None:
    index = BlindIndex(data_key)

    assert index.nik("") is None
    assert index.phone("") is None
    assert index.phone("+6281234567890") is not None
