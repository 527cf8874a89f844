"""Attachments encrypted as a stream of 64 KiB AES-GCM chunks, never whole in memory.

The layout follows the STREAM construction (Hoang, Reyhanitabar, Rogaway,
Vizár 2015), as Tink's streaming AEAD does: each chunk's nonce is the file's
random prefix, the chunk's 32-bit index and a last-chunk flag, so dropping,
reordering, repeating or appending chunks, or cutting the file at a chunk
boundary, all fail authentication. Each file gets its own key (HKDF with a
random salt in the header), so random nonce prefixes never collide.

File layout: header ``b"LPRA" | version (1) | salt (16) | nonce prefix (7)``,
then chunks of ``ciphertext | tag (16)``; an empty file is one empty final chunk.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lapor_desktop.security.keys import TAG_BYTES, Tampered, subkey

FILE_INFO = b"lapor attachment files v1"
MAGIC = b"LPRA"
VERSION = 1
SALT_BYTES = 16
PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + 1 + SALT_BYTES + PREFIX_BYTES
CHUNK_BYTES = 64 * 1024
SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES
MAX_CHUNKS = 2**32


def encrypt_stream(src: BinaryIO, dst: BinaryIO, data_key: bytes, *, aad: str) -> int:
    """Encrypt ``src`` into ``dst``; returns the number of plaintext bytes."""
    salt, prefix = os.urandom(SALT_BYTES), os.urandom(PREFIX_BYTES)
    header = MAGIC + bytes([VERSION]) + salt + prefix
    aead = AESGCM(subkey(data_key, FILE_INFO, salt=salt))
    associated = _associated(header, aad)
    dst.write(header)
    total = 0
    chunk = _read_up_to(src, CHUNK_BYTES)
    for index in range(MAX_CHUNKS):
        following = _read_up_to(src, CHUNK_BYTES) if len(chunk) == CHUNK_BYTES else b""
        last = not following
        dst.write(aead.encrypt(_nonce(prefix, index, last=last), chunk, associated))
        total += len(chunk)
        if last:
            return total
        chunk = following
    raise ValueError("file too large for one encrypted stream")


def decrypt_stream(src: BinaryIO, dst: BinaryIO, data_key: bytes, *, aad: str) -> int:
    """Decrypt ``src`` into ``dst``; returns the number of plaintext bytes.

    Raises ``Tampered`` on any damage. Every chunk written to ``dst`` was
    authenticated, but a cut-off file is only detected at its end: on
    ``Tampered`` the caller must discard what ``dst`` received.
    """
    header = _read_up_to(src, HEADER_BYTES)
    if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
        raise Tampered("not an encrypted attachment")
    if header[len(MAGIC)] != VERSION:
        raise Tampered(f"unknown attachment format version {header[len(MAGIC)]}")
    salt = header[len(MAGIC) + 1 : len(MAGIC) + 1 + SALT_BYTES]
    prefix = header[-PREFIX_BYTES:]
    aead = AESGCM(subkey(data_key, FILE_INFO, salt=salt))
    associated = _associated(header, aad)
    total = 0
    chunk = _read_up_to(src, SEALED_CHUNK_BYTES)
    for index in range(MAX_CHUNKS):
        following = (
            _read_up_to(src, SEALED_CHUNK_BYTES) if len(chunk) == SEALED_CHUNK_BYTES else b""
        )
        last = not following
        try:
            plain = aead.decrypt(_nonce(prefix, index, last=last), chunk, associated)
        except InvalidTag as exc:
            raise Tampered(f"attachment chunk {index} is damaged, misplaced or cut") from exc
        dst.write(plain)
        total += len(plain)
        if last:
            return total
        chunk = following
    raise Tampered("attachment has more chunks than the format allows")


def encrypt_to_path(src_path: Path, dst_path: Path, data_key: bytes, *, aad: str) -> int:
    """Encrypt one file to another; ``dst_path`` appears only when complete."""
    with src_path.open("rb") as src:
        return _write_atomically(dst_path, lambda dst: encrypt_stream(src, dst, data_key, aad=aad))


def decrypt_to_path(src_path: Path, dst_path: Path, data_key: bytes, *, aad: str) -> int:
    """Decrypt to a file (mode 0600) that appears only if the whole file authenticated.

    The result is plaintext on disk: the caller deletes it when done.
    """
    with src_path.open("rb") as src:
        return _write_atomically(dst_path, lambda dst: decrypt_stream(src, dst, data_key, aad=aad))


def _write_atomically(dst_path: Path, write: Callable[[BinaryIO], int]) -> int:
    fd, temp_name = tempfile.mkstemp(
        dir=dst_path.parent, prefix=f".{dst_path.name}.", suffix=".part"
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as dst:
            written = write(dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(temp, dst_path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return written


def _associated(header: bytes, aad: str) -> bytes:
    if not aad:
        raise ValueError("aad must name the attachment the file belongs to")
    return header + aad.encode("utf-8")


def _nonce(prefix: bytes, index: int, *, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _read_up_to(src: BinaryIO, size: int) -> bytes:
    """Exactly ``size`` bytes unless the stream ends first (pipes may return less per read)."""
    first = src.read(size)
    if len(first) == size or not first:
        return first
    parts = [first]
    missing = size - len(first)
    while missing:
        piece = src.read(missing)
        if not piece:
            break
        parts.append(piece)
        missing -= len(piece)
    return b"".join(parts)


class DecryptingReader:
    """A read-only, seekable view of an encrypted file's plaintext, one chunk in memory.

    For uploads that resume at a byte offset: a seek decrypts only the chunk
    it lands in. Every chunk is authenticated as it is read; the file's size
    tells which chunk is last, so a cut or extended file fails (``Tampered``).
    """

    def __init__(self, sealed: BinaryIO, data_key: bytes, *, aad: str) -> None:
        header = _read_up_to(sealed, HEADER_BYTES)
        if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
            raise Tampered("not an encrypted attachment")
        if header[len(MAGIC)] != VERSION:
            raise Tampered(f"unknown attachment format version {header[len(MAGIC)]}")
        salt = header[len(MAGIC) + 1 : len(MAGIC) + 1 + SALT_BYTES]
        self._prefix = header[-PREFIX_BYTES:]
        self._aead = AESGCM(subkey(data_key, FILE_INFO, salt=salt))
        self._associated = _associated(header, aad)
        self._sealed = sealed
        body = sealed.seek(0, os.SEEK_END) - HEADER_BYTES
        self._chunks = max(1, -(-body // SEALED_CHUNK_BYTES))
        last = body - (self._chunks - 1) * SEALED_CHUNK_BYTES
        if last < TAG_BYTES:
            raise Tampered("attachment is cut short")
        self.length = (self._chunks - 1) * CHUNK_BYTES + last - TAG_BYTES
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._sealed.seek(HEADER_BYTES + index * SEALED_CHUNK_BYTES)
        sealed = _read_up_to(self._sealed, SEALED_CHUNK_BYTES)
        last = index == self._chunks - 1
        try:
            nonce = _nonce(self._prefix, index, last=last)
            plain = self._aead.decrypt(nonce, sealed, self._associated)
        except InvalidTag as exc:
            raise Tampered(f"attachment chunk {index} is damaged, misplaced or cut") from exc
        self._cached = (index, plain)
        return plain

    def read(self, size: int = -1) -> bytes:
        end = self.length if size < 0 else min(self.length, self._position + size)
        parts: list[bytes] = []
        while self._position < end:
            index, offset = divmod(self._position, CHUNK_BYTES)
            piece = self._chunk(index)[offset : offset + end - self._position]
            if not piece:
                raise Tampered(f"attachment chunk {index} is shorter than the file says")
            parts.append(piece)
            self._position += len(piece)
        return b"".join(parts)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.length}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._sealed.close()

    def __enter__(self) -> DecryptingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
