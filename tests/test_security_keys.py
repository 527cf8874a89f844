"""The data key opens only with the right password or machine key, in the right context."""

from __future__ import annotations

import base64
import json
import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import replace

import pytest

from lapor_desktop.security.keys import (
    DATA_KEY_BYTES,
    KdfParams,
    WrongKey,
    derive_password_key,
    new_data_key,
    unwrap_key,
    wrap_key,
)

CONTEXT = "user:7f1c"


@pytest.fixture
def cheap_params() -> KdfParams:
    """Argon2id cheap enough for tests; production uses ``KdfParams.new()``."""
    return replace(KdfParams.new(), time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture
def kek(cheap_params: KdfParams) -> bytes:
    return derive_password_key("Rahasia-Kantor-2026", cheap_params)


def _flip(token: str, position: int) -> str:
    raw = bytearray(base64.b64decode(token.removeprefix("v1.")))
    raw[position] ^= 0x01
    return "v1." + base64.b64encode(bytes(raw)).decode()


def test_a_wrapped_data_key_unwraps_with_the_same_password(cheap_params: KdfParams) -> None:
    data_key = new_data_key()
    token = wrap_key(derive_password_key("sandi benar", cheap_params), data_key, context=CONTEXT)

    again = derive_password_key("sandi benar", KdfParams.from_json(cheap_params.to_json()))

    assert unwrap_key(again, token, context=CONTEXT) == data_key
    assert token.startswith("v1.")


def test_a_wrong_password_cannot_unwrap(cheap_params: KdfParams) -> None:
    token = wrap_key(
        derive_password_key("sandi benar", cheap_params), new_data_key(), context=CONTEXT
    )

    with pytest.raises(WrongKey):
        unwrap_key(derive_password_key("sandi salah", cheap_params), token, context=CONTEXT)


def test_the_same_password_with_another_salt_cannot_unwrap(cheap_params: KdfParams) -> None:
    token = wrap_key(derive_password_key("sandi", cheap_params), new_data_key(), context=CONTEXT)
    other_salt = replace(cheap_params, salt=os.urandom(16))

    with pytest.raises(WrongKey):
        unwrap_key(derive_password_key("sandi", other_salt), token, context=CONTEXT)


def test_a_context_mismatch_fails(kek: bytes) -> None:
    token = wrap_key(kek, new_data_key(), context="user:alice")

    with pytest.raises(WrongKey):
        unwrap_key(kek, token, context="user:bob")


@pytest.mark.parametrize("position", [0, 11, 12, 43, 44, 59], ids=lambda p: f"byte{p}")
def test_a_tampered_token_fails(kek: bytes, position: int) -> None:
    token = wrap_key(kek, new_data_key(), context=CONTEXT)

    with pytest.raises(WrongKey):
        unwrap_key(kek, _flip(token, position), context=CONTEXT)


@pytest.mark.parametrize(
    "make_malformed",
    [
        lambda t: "",
        lambda t: "v1.",
        lambda t: t.replace("v1.", "v2.", 1),
        lambda t: t.removeprefix("v1."),
        lambda t: t[:-4],
        lambda t: t + "AAAA",
        lambda t: t[:10] + "!" + t[11:],
        lambda t: t + "\n",
        lambda t: t.replace("v1.", "v1.é", 1),
    ],
    ids=[
        "empty",
        "no-body",
        "unknown-version",
        "no-version",
        "cut",
        "extended",
        "bad-base64",
        "trailing-newline",
        "non-ascii",
    ],
)
def test_a_malformed_token_fails_as_wrong_key(
    kek: bytes, make_malformed: Callable[[str], str]
) -> None:
    token = wrap_key(kek, new_data_key(), context=CONTEXT)

    with pytest.raises(WrongKey):
        unwrap_key(kek, make_malformed(token), context=CONTEXT)


def test_each_wrap_uses_a_fresh_nonce(kek: bytes) -> None:
    data_key = new_data_key()

    assert wrap_key(kek, data_key, context=CONTEXT) != wrap_key(kek, data_key, context=CONTEXT)


def test_data_keys_are_random_and_32_bytes() -> None:
    first, second = new_data_key(), new_data_key()

    assert len(first) == DATA_KEY_BYTES == 32
    assert first != second


def test_keys_of_the_wrong_length_are_refused_as_bugs(kek: bytes) -> None:
    with pytest.raises(ValueError):
        wrap_key(kek[:16], new_data_key(), context=CONTEXT)
    with pytest.raises(ValueError):
        wrap_key(kek, b"short", context=CONTEXT)


def test_kdf_params_survive_a_json_round_trip(cheap_params: KdfParams) -> None:
    stored = json.loads(json.dumps(cheap_params.to_json()))

    assert KdfParams.from_json(stored) == cheap_params


def test_new_kdf_params_use_a_fresh_salt_and_the_production_costs() -> None:
    first, second = KdfParams.new(), KdfParams.new()

    assert first.salt != second.salt
    assert len(first.salt) == 16
    assert (first.time_cost, first.memory_cost, first.parallelism) == (3, 65536, 2)


def _valid() -> dict[str, object]:
    return KdfParams.new().to_json()


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {k: v for k, v in _valid().items() if k != "salt"},
        {**_valid(), "extra": 1},
        {**_valid(), "kdf": "scrypt"},
        {**_valid(), "salt": "not base64!"},
        {**_valid(), "salt": 1234},
        {**_valid(), "salt": base64.b64encode(b"short").decode()},
        {**_valid(), "time_cost": "3"},
        {**_valid(), "time_cost": True},
        {**_valid(), "time_cost": 0},
        {**_valid(), "memory_cost": 3.5},
        {**_valid(), "memory_cost": 10**9},
        {**_valid(), "parallelism": -1},
        {**_valid(), "memory_cost": 8, "parallelism": 2},
    ],
    ids=[
        "empty",
        "missing-salt",
        "extra-key",
        "other-kdf",
        "salt-not-base64",
        "salt-not-text",
        "salt-too-short",
        "cost-as-text",
        "cost-as-bool",
        "zero-cost",
        "float-memory",
        "absurd-memory",
        "negative-lanes",
        "memory-below-argon2-minimum",
    ],
)
def test_malformed_kdf_params_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        KdfParams.from_json(raw)


def test_password_derivation_is_deterministic_and_depends_on_the_salt(
    cheap_params: KdfParams,
) -> None:
    first = derive_password_key("sandi", cheap_params)

    assert derive_password_key("sandi", cheap_params) == first
    assert derive_password_key("sandi", replace(cheap_params, salt=os.urandom(16))) != first
    assert len(first) == 32


def test_a_password_typed_in_another_unicode_form_gives_the_same_key(
    cheap_params: KdfParams,
) -> None:
    composed = unicodedata.normalize("NFC", "Kopi-Café-Śrī")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed

    assert derive_password_key(composed, cheap_params) == derive_password_key(
        decomposed, cheap_params
    )


def test_the_production_argon2_costs_take_well_under_a_second() -> None:
    params = KdfParams.new()

    fastest = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        derive_password_key("sandi", params)
        fastest = min(fastest, time.perf_counter() - started)

    assert fastest < 1.0
