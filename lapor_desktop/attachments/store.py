"""Content-addressed, encrypted file store: each attachment kept once, under its SHA-256.

Files are streamed in chunks (a phone video never sits whole in memory)
and encrypted on the way (``security.files``: chunked AES-GCM under the
desk's data key), so no plaintext copy ever reaches the disk. They are
written to a temporary file beside the store, flushed and renamed into
place, so a power cut leaves either the complete file or nothing under its
final name. The name is the SHA-256 of the *plaintext*, the address the
national service knows the file by. The intake service records the
database row; this module only handles files.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lapor_desktop.attachments.sniff import INVALID_TEXT, SNIFF_BYTES, Kind, TextCheck, sniff
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.file_modes import private_folder
from lapor_desktop.security.files import (
    DecryptingReader,
    decrypt_stream,
    decrypt_to_path,
    encrypt_stream,
)
from lapor_desktop.security.keys import DecryptionError
from lapor_desktop.settings import MIB, AttachmentSettings

CHUNK_BYTES = 1024 * 1024
TEMP_PREFIX = ".incoming-"
TEMP_SUFFIX = ".part"
_SHA256 = re.compile("[0-9a-f]{64}")
FILE_AAD = "lapor attachment"
UNNAMED = "attachment"
MAX_FILENAME_CHARS = 255


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int
    media_type: str
    extension: str
    """The usual extension of the real type (``jpg``, ``pdf``), for exporting the file."""


class _Unreadable(Exception):
    """The source failed while being read (a USB stick pulled out, a network share gone)."""

    def __init__(self, error: OSError) -> None:
        self.message = Message(
            N_("The file could not be read ({error}); check that it is still there and try again."),
            {"error": error.strerror or type(error).__name__},
        )


class _Rejected(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message


class _CheckedSource:
    """Feeds the encryptor while checking size, text validity and hashing the plaintext."""

    def __init__(self, head: bytes, stream: BinaryIO, limit: int, text: TextCheck | None) -> None:
        self._pending = head
        self._stream = stream
        self._limit = limit
        self._text = text
        self.digest = hashlib.sha256()
        self.size = 0
        self._finished = False

    def read(self, size: int = -1) -> bytes:
        chunk = self._pending or _read(self._stream, min(CHUNK_BYTES, self._limit + 1 - self.size))
        self._pending = b""
        if size >= 0 and len(chunk) > size:
            chunk, self._pending = chunk[:size], chunk[size:]
        self.size += len(chunk)
        if self.size > self._limit:
            raise _Rejected(_too_large(self._limit))
        if self._text is not None and chunk and not self._text.feed(chunk):
            raise _Rejected(Message(INVALID_TEXT))
        if not chunk and self._text is not None and not self._finished:
            self._finished = True
            if not self._text.finish():
                raise _Rejected(Message(INVALID_TEXT))
        self.digest.update(chunk)
        return chunk


class AttachmentStore:
    """Encrypted files under ``root/ab/cd/<sha256>``; the same content twice is stored once."""

    def __init__(self, root: Path, data_key: bytes) -> None:
        self.root = root
        self._key = data_key

    def add(
        self,
        source: Path | BinaryIO,
        *,
        settings: AttachmentSettings,
        filename: str | None = None,
    ) -> StoredFile | Message:
        """Store a file if its real type and size are acceptable; else say why not.

        ``filename`` (default: the path's name) only matters for plain text,
        which has no signature. A stream is read from its current position
        and left open.
        """
        name = filename
        if name is None and isinstance(source, Path):
            name = source.name
        name = None if name is None else clean_filename(name)
        try:
            if isinstance(source, Path):
                try:
                    stream = source.open("rb")
                except OSError as error:
                    raise _Unreadable(error) from error
                with stream:
                    return self._add_stream(stream, settings, name)
            return self._add_stream(source, settings, name)
        except _Unreadable as unreadable:
            return unreadable.message

    def _add_stream(
        self, stream: BinaryIO, settings: AttachmentSettings, filename: str | None
    ) -> StoredFile | Message:
        limit = settings.max_bytes
        head = _read(stream, min(SNIFF_BYTES, limit + 1), fill=True)
        if len(head) > limit:
            return _too_large(limit)
        accepted = sniff(head, settings=settings, filename=filename)
        if isinstance(accepted, Message):
            return accepted
        text = TextCheck() if accepted.kind is Kind.TEXT else None
        private_folder(self.root)
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=self.root)
        temp = Path(temp_name)
        try:
            source = _CheckedSource(head, stream, limit, text)
            with os.fdopen(fd, "wb") as out:
                try:
                    encrypt_stream(source, out, self._key, aad=FILE_AAD)  # type: ignore[arg-type]
                except _Rejected as rejected:
                    return rejected.message
                out.flush()
                os.fsync(out.fileno())
            sha256 = source.digest.hexdigest()
            final = self.path_for(sha256)
            if not self.verify(sha256):  # absent, or damaged: the fresh copy replaces it
                private_folder(final.parent)
                os.replace(temp, final)
                _fsync_folder(final.parent)
            else:  # picked again: its grace as a leftover restarts (``orphan_files``)
                os.utime(final)
            return StoredFile(sha256, source.size, accepted.media_type, accepted.extension)
        finally:
            temp.unlink(missing_ok=True)

    def path_for(self, sha256: str) -> Path:
        """Where a file lives; a value that is not a lowercase SHA-256 is a bug."""
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def decrypt_into(self, sha256: str, target: BinaryIO) -> int:
        """Write the plaintext to ``target``; FileNotFoundError when it is not here.

        Raises ``DecryptionError`` for a damaged file; the caller then throws
        ``target`` away (it may hold the chunks that checked out before).
        """
        with self.path_for(sha256).open("rb") as sealed:
            return decrypt_stream(sealed, target, self._key, aad=FILE_AAD)

    def open_plaintext(self, sha256: str) -> DecryptingReader:
        """A seekable plaintext view (one chunk in memory), for uploads that resume mid-file.

        FileNotFoundError when it is not here; ``DecryptionError`` on damage, as it is read.
        """
        sealed = self.path_for(sha256).open("rb")
        try:
            return DecryptingReader(sealed, self._key, aad=FILE_AAD)
        except BaseException:
            sealed.close()
            raise

    def export_to(self, sha256: str, destination: Path) -> int:
        """Decrypt to a file (written whole and checked before it appears)."""
        return decrypt_to_path(self.path_for(sha256), destination, self._key, aad=FILE_AAD)

    def verify(self, sha256: str) -> bool:
        """True when the file is here, opens with the key, and still hashes to its name."""
        sink = _HashingSink()
        try:
            self.decrypt_into(sha256, sink)  # type: ignore[arg-type]
        except (FileNotFoundError, DecryptionError):
            return False
        return sink.digest.hexdigest() == sha256

    def discard_incomplete(self, *, older_than_seconds: float = 3600.0) -> int:
        """Delete temporary files left by a crash; returns how many.

        Only files older than ``older_than_seconds`` go, so a copy still in
        progress in another thread or process is left alone.
        """
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for temp in self.root.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            try:
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


class _HashingSink:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)


def _read(stream: BinaryIO, size: int, *, fill: bool = False) -> bytes:
    """Up to ``size`` bytes; with ``fill``, keep reading until ``size`` or the end."""
    try:
        data = stream.read(size)
        while fill and data and len(data) < size:
            more = stream.read(size - len(data))
            if not more:
                break
            data += more
    except OSError as error:
        raise _Unreadable(error) from error
    return data


def clean_filename(name: str) -> str:
    """The base name alone, as stored, shown and sent: ``../../x.sh`` becomes ``x.sh``.

    Both separators count (a name typed on Windows arrives with backslashes),
    control characters go, and a name left empty or made of dots becomes
    ``attachment``.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if not base.strip("."):
        return UNNAMED
    return base[:MAX_FILENAME_CHARS]


def _too_large(limit: int) -> Message:
    return Message(
        N_("The file is larger than the limit of {limit_mb} MB."),
        {"limit_mb": f"{limit / MIB:.1f}".removesuffix(".0")},
    )


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder this way."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
