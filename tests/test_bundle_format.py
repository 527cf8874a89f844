"""The sealed bundle and its volumes: whatever happens to the files, nothing wrong is opened."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.bundles.envelope import (
    CONTEXT,
    MAGIC,
    open_envelope,
    parse_envelope,
    seal_envelope,
)
from sync.bundles.problems import BundleProblem
from sync.bundles.volumes import join_volumes, read_volume, write_volumes

DESK = Ed25519PrivateKey.generate()
DESK_SEALING = X25519PrivateKey.generate()
NATIONAL = X25519PrivateKey.generate()
PAYLOAD: dict[str, object] = {
    "manifest": {"complaints": [{"client_uuid": "u1", "content_hash": "h1", "bytes": 10}]},
    "complaints": [
        {"client_uuid": "u1", "content_hash": "h1", "content": {"title": "Jalan rusak"}}
    ],
    "attachments": [{"sha256": "s", "data": os.urandom(300_000)}],
}


def sealed(payload: dict[str, object] = PAYLOAD, **changes: object) -> bytes:
    fields: dict[str, object] = {
        "bundle_id": str(uuid.uuid4()),
        "kind": "outbound",
        "sequence": 7,
        "origin_office": "2104",
        "created_at": dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC),
        "signer": DESK,
        "sealing_public": DESK_SEALING.public_key(),
        "recipient": NATIONAL.public_key(),
        "recipient_kind": "national",
        "counts": {"complaints": 1, "attachments": 1, "follow_ups": 0},
        **changes,
    }
    return seal_envelope(payload, **fields)  # type: ignore[arg-type]


ENVELOPE = sealed()


def test_the_recipient_opens_what_was_sealed_and_the_header_says_what_it_holds() -> None:
    envelope = parse_envelope(ENVELOPE)
    assert envelope.header.counts == {"complaints": 1, "attachments": 1, "follow_ups": 0}
    assert envelope.header.sequence == 7 and envelope.header.origin_office == "2104"
    assert envelope.sha256 == hashlib.sha256(ENVELOPE).hexdigest()
    assert open_envelope(envelope, NATIONAL) == PAYLOAD
    assert b"Jalan rusak" not in ENVELOPE, "the payload travels sealed"


def test_nobody_else_opens_it() -> None:
    with pytest.raises(BundleProblem) as refused:
        open_envelope(parse_envelope(ENVELOPE), DESK_SEALING)
    assert refused.value.code == "not_for_us"
    assert "national" in refused.value.message.render("id")


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(min_value=0, max_value=len(ENVELOPE) - 1), st.integers(1, 255))
def test_a_flipped_byte_anywhere_is_refused(position: int, flip: int) -> None:
    damaged = bytearray(ENVELOPE)
    damaged[position] ^= flip
    with pytest.raises(BundleProblem) as refused:
        open_envelope(parse_envelope(bytes(damaged)), NATIONAL)
    assert refused.value.code in {"not_a_bundle", "damaged", "bad_signature", "cannot_open"}


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=len(ENVELOPE) - 1))
def test_a_bundle_cut_anywhere_is_refused(length: int) -> None:
    with pytest.raises(BundleProblem):
        parse_envelope(ENVELOPE[:length])


def test_a_header_rewritten_and_its_digest_recomputed_fails_the_signature() -> None:
    envelope = parse_envelope(ENVELOPE)
    forged = dataclasses.replace(envelope.header, origin_office="2101").as_json()
    start = len(MAGIC) + 4
    old_length = int.from_bytes(ENVELOPE[len(MAGIC) : start], "big")
    rest = ENVELOPE[start + old_length :]
    with pytest.raises(BundleProblem) as refused:
        parse_envelope(MAGIC + len(forged).to_bytes(4, "big") + forged + rest)
    assert refused.value.code == "bad_signature"


def test_a_bundle_re_signed_by_another_key_names_that_key() -> None:
    """The signature holds for the key in the header: the reader decides whom it trusts."""
    other = Ed25519PrivateKey.generate()
    envelope = parse_envelope(sealed(signer=other))
    assert envelope.header.sender_key_id != parse_envelope(ENVELOPE).header.sender_key_id
    assert CONTEXT in b"lapor-bundle/1"


def test_volumes_join_in_any_order_and_ignore_an_identical_copy(tmp_path: Path) -> None:
    paths = write_volumes(
        ENVELOPE, tmp_path, bundle_id="b", stem="LAPOR-2104-B0007", max_volume_bytes=100_000
    )
    assert len(paths) == 4
    assert paths[0].name == "LAPOR-2104-B0007-1dari4.laporbundle"
    assert all(p.stat().st_size <= 100_000 for p in paths)
    copy = tmp_path / "copy.laporbundle"
    copy.write_bytes(paths[2].read_bytes())
    assert join_volumes([paths[3], copy, paths[1], paths[0], paths[2]]) == ENVELOPE


def test_a_missing_a_repeated_a_cut_and_a_damaged_volume_each_say_which(tmp_path: Path) -> None:
    paths = write_volumes(
        ENVELOPE, tmp_path, bundle_id="b", stem="LAPOR-2104-B0007", max_volume_bytes=100_000
    )
    with pytest.raises(BundleProblem) as missing:
        join_volumes([paths[0], paths[2]])
    assert missing.value.code == "missing_volumes"
    assert "2, 4" in missing.value.message.render("en")

    cut = tmp_path / "cut.laporbundle"
    cut.write_bytes(paths[1].read_bytes()[:-10])
    with pytest.raises(BundleProblem) as short:
        read_volume(cut)
    assert short.value.code == "cut_short" and "2" in short.value.message.render("id")

    flipped = bytearray(paths[1].read_bytes())
    flipped[-1] ^= 1
    damaged = tmp_path / "damaged.laporbundle"
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(BundleProblem) as bad:
        join_volumes([paths[0], damaged, paths[2], paths[3]])
    assert bad.value.code == "volume_damaged"

    other = write_volumes(
        sealed(), tmp_path / "other", bundle_id="c", stem="X", max_volume_bytes=100_000
    )
    with pytest.raises(BundleProblem) as mixed:
        join_volumes([paths[0], other[1]])
    assert mixed.value.code == "mixed_bundles"


def test_a_volume_forged_with_matching_checksums_is_still_caught_by_the_signature(
    tmp_path: Path,
) -> None:
    """Volume headers are not signed; rewriting a part and every checksum leaves the envelope's."""
    envelope = bytearray(ENVELOPE)
    envelope[-1] ^= 1
    paths = write_volumes(bytes(envelope), tmp_path, bundle_id="b", stem="S")
    with pytest.raises(BundleProblem) as refused:
        parse_envelope(join_volumes(paths))
    assert refused.value.code == "damaged"
