"""Encrypted attachments: any cut, reordering, splice or extension is caught, memory stays small."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from lapor_desktop.security.files import (
    CHUNK_BYTES,
    HEADER_BYTES,
    SEALED_CHUNK_BYTES,
    decrypt_stream,
    decrypt_to_path,
    encrypt_stream,
    encrypt_to_path,
)
from lapor_desktop.security.keys import TAG_BYTES, Tampered, new_data_key

AAD = "attachment:3f0c2a9e-5b1d-4e7a-8c6f-1a2b3c4d5e6f"


@pytest.fixture
def data_key() -> bytes:
    return new_data_key()


def _encrypt(plain: bytes, data_key: bytes, aad: str = AAD) -> bytes:
    sealed = io.BytesIO()
    assert encrypt_stream(io.BytesIO(plain), sealed, data_key, aad=aad) == len(plain)
    return sealed.getvalue()


def _decrypt(sealed: bytes, data_key: bytes, aad: str = AAD) -> bytes:
    plain = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed), plain, data_key, aad=aad)
    return plain.getvalue()


def _chunks(sealed: bytes) -> list[bytes]:
    body = sealed[HEADER_BYTES:]
    return [body[i : i + SEALED_CHUNK_BYTES] for i in range(0, len(body), SEALED_CHUNK_BYTES)]


def _join(sealed: bytes, chunks: list[bytes]) -> bytes:
    return sealed[:HEADER_BYTES] + b"".join(chunks)


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES],
    ids=["empty", "one-byte", "chunk-1", "one-chunk", "chunk+1", "three-chunks"],
)
def test_a_file_round_trips(data_key: bytes, size: int) -> None:
    plain = os.urandom(size)

    sealed = _encrypt(plain, data_key)

    chunks = max(1, -(-size // CHUNK_BYTES))
    assert len(sealed) == HEADER_BYTES + size + chunks * TAG_BYTES
    assert _decrypt(sealed, data_key) == plain


def test_the_same_file_encrypts_differently_each_time(data_key: bytes) -> None:
    plain = b"KTP scan" * 1000

    assert _encrypt(plain, data_key) != _encrypt(plain, data_key)


def test_a_file_opens_only_for_its_own_attachment(data_key: bytes) -> None:
    sealed = _encrypt(b"photo of the broken road", data_key)

    with pytest.raises(Tampered):
        _decrypt(sealed, data_key, aad="attachment:another")


def test_another_data_key_cannot_open_a_file(data_key: bytes) -> None:
    sealed = _encrypt(b"photo of the broken road", data_key)

    with pytest.raises(Tampered):
        _decrypt(sealed, new_data_key())


@pytest.mark.parametrize(
    "cut",
    [
        lambda s: s[: HEADER_BYTES + SEALED_CHUNK_BYTES],
        lambda s: s[: HEADER_BYTES + 2 * SEALED_CHUNK_BYTES],
        lambda s: s[:-1],
        lambda s: s[: HEADER_BYTES + 100],
        lambda s: s[:HEADER_BYTES],
        lambda s: s[: HEADER_BYTES - 1],
        lambda s: b"",
    ],
    ids=[
        "at-first-boundary",
        "at-second-boundary",
        "last-byte",
        "mid-chunk",
        "header-only",
        "inside-header",
        "empty",
    ],
)
def test_a_truncated_file_is_detected(data_key: bytes, cut: Callable[[bytes], bytes]) -> None:
    sealed = _encrypt(os.urandom(2 * CHUNK_BYTES + 500), data_key)

    with pytest.raises(Tampered):
        _decrypt(cut(sealed), data_key)


def test_an_empty_file_cut_to_its_header_is_detected(data_key: bytes) -> None:
    sealed = _encrypt(b"", data_key)

    with pytest.raises(Tampered):
        _decrypt(sealed[:HEADER_BYTES], data_key)


def test_reordered_chunks_are_detected(data_key: bytes) -> None:
    sealed = _encrypt(os.urandom(3 * CHUNK_BYTES), data_key)
    first, second, third = _chunks(sealed)

    with pytest.raises(Tampered):
        _decrypt(_join(sealed, [second, first, third]), data_key)


def test_a_repeated_chunk_is_detected(data_key: bytes) -> None:
    sealed = _encrypt(os.urandom(3 * CHUNK_BYTES), data_key)
    first, second, third = _chunks(sealed)

    with pytest.raises(Tampered):
        _decrypt(_join(sealed, [first, first, second, third]), data_key)


def test_a_dropped_middle_chunk_is_detected(data_key: bytes) -> None:
    sealed = _encrypt(os.urandom(3 * CHUNK_BYTES), data_key)
    first, _second, third = _chunks(sealed)

    with pytest.raises(Tampered):
        _decrypt(_join(sealed, [first, third]), data_key)


@pytest.mark.parametrize(
    "extra", [b"\x00", b"X" * TAG_BYTES, b"X" * SEALED_CHUNK_BYTES], ids=["byte", "tag", "chunk"]
)
def test_an_extended_file_is_detected(data_key: bytes, extra: bytes) -> None:
    sealed = _encrypt(os.urandom(CHUNK_BYTES + 10), data_key)

    with pytest.raises(Tampered):
        _decrypt(sealed + extra, data_key)


def test_a_copy_of_the_last_chunk_appended_is_detected(data_key: bytes) -> None:
    sealed = _encrypt(os.urandom(CHUNK_BYTES), data_key)

    with pytest.raises(Tampered):
        _decrypt(sealed + _chunks(sealed)[-1], data_key)


def test_a_chunk_spliced_from_another_file_is_detected(data_key: bytes) -> None:
    one = _encrypt(os.urandom(2 * CHUNK_BYTES), data_key)
    other = _encrypt(os.urandom(2 * CHUNK_BYTES), data_key)

    with pytest.raises(Tampered):
        _decrypt(_join(one, [_chunks(one)[0], _chunks(other)[1]]), data_key)


@pytest.mark.parametrize("position", [0, 4, 5, 20, 21, HEADER_BYTES - 1])
def test_a_changed_header_is_detected(data_key: bytes, position: int) -> None:
    sealed = bytearray(_encrypt(b"scan", data_key))
    sealed[position] ^= 0x01

    with pytest.raises(Tampered):
        _decrypt(bytes(sealed), data_key)


class Trickle(io.RawIOBase):
    """A pipe-like source that hands out at most 1000 bytes per read."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 1000) if size >= 0 else 1000)


def test_short_reads_from_a_pipe_still_round_trip(data_key: bytes) -> None:
    plain = os.urandom(2 * CHUNK_BYTES + 7)
    sealed = io.BytesIO()
    encrypt_stream(Trickle(plain), sealed, data_key, aad=AAD)  # type: ignore[arg-type]

    out = io.BytesIO()
    decrypt_stream(Trickle(sealed.getvalue()), out, data_key, aad=AAD)  # type: ignore[arg-type]

    assert out.getvalue() == plain


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def test_a_5_mb_file_round_trips_with_bounded_memory(data_key: bytes, tmp_path: Path) -> None:
    original, sealed, opened = tmp_path / "scan.pdf", tmp_path / "scan.enc", tmp_path / "out.pdf"
    with original.open("wb") as handle:
        for _ in range(80):
            handle.write(os.urandom(CHUNK_BYTES))
        handle.write(os.urandom(1234))
    size = 5 * 1024 * 1024 + 1234

    tracemalloc.start()
    try:
        assert encrypt_to_path(original, sealed, data_key, aad=AAD) == size
        assert decrypt_to_path(sealed, opened, data_key, aad=AAD) == size
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 8 * SEALED_CHUNK_BYTES  # a few chunks, not the 5 MB file
    assert _sha256(opened) == _sha256(original)
    assert sealed.stat().st_size == HEADER_BYTES + size + 81 * TAG_BYTES


def test_a_tampered_file_leaves_nothing_decrypted_behind(data_key: bytes, tmp_path: Path) -> None:
    original, sealed, opened = tmp_path / "scan.pdf", tmp_path / "scan.enc", tmp_path / "out.pdf"
    original.write_bytes(os.urandom(3 * CHUNK_BYTES))
    encrypt_to_path(original, sealed, data_key, aad=AAD)
    sealed.write_bytes(sealed.read_bytes()[:-1])

    with pytest.raises(Tampered):
        decrypt_to_path(sealed, opened, data_key, aad=AAD)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan.enc", "scan.pdf"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_decrypted_file_is_readable_by_its_owner_only(data_key: bytes, tmp_path: Path) -> None:
    original, sealed, opened = tmp_path / "scan.pdf", tmp_path / "scan.enc", tmp_path / "out.pdf"
    original.write_bytes(b"KTP")
    encrypt_to_path(original, sealed, data_key, aad=AAD)

    decrypt_to_path(sealed, opened, data_key, aad=AAD)

    assert stat.S_IMODE(opened.stat().st_mode) == 0o600
    assert opened.read_bytes() == b"KTP"
