"""Content-addressed file store: each attachment kept once, under its SHA-256.

Files are streamed in chunks (a phone video never sits whole in memory),
written to a temporary file beside the store, flushed to disk and renamed
into place, so a power cut leaves either the complete file or nothing under
its final name. The intake service records the database row; this module
only handles files.
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
from lapor_desktop.settings import MIB, AttachmentSettings

CHUNK_BYTES = 1024 * 1024
TEMP_PREFIX = ".incoming-"
TEMP_SUFFIX = ".part"
_SHA256 = re.compile("[0-9a-f]{64}")


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


class AttachmentStore:
    """Files under ``root/ab/cd/<sha256>``; adding the same content twice stores it once."""

    def __init__(self, root: Path) -> None:
        self.root = root

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
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=self.root)
        temp = Path(temp_name)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                chunk = head
                while chunk:
                    size += len(chunk)
                    if size > limit:
                        return _too_large(limit)
                    if text is not None and not text.feed(chunk):
                        return Message(INVALID_TEXT)
                    digest.update(chunk)
                    out.write(chunk)
                    chunk = _read(stream, min(CHUNK_BYTES, limit + 1 - size))
                if text is not None and not text.finish():
                    return Message(INVALID_TEXT)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_for(sha256)
            if not self.verify(sha256):  # absent, or damaged: the fresh copy replaces it
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, final)
                _fsync_folder(final.parent)
            return StoredFile(sha256, size, accepted.media_type, accepted.extension)
        finally:
            temp.unlink(missing_ok=True)

    def path_for(self, sha256: str) -> Path:
        """Where a file lives; a value that is not a lowercase SHA-256 is a bug."""
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading; FileNotFoundError when it is not here."""
        return self.path_for(sha256).open("rb")

    def verify(self, sha256: str) -> bool:
        """True when the file is here and its content still hashes to its name."""
        path = self.path_for(sha256)
        digest = hashlib.sha256()
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    digest.update(chunk)
        except FileNotFoundError:
            return False
        return digest.hexdigest() == sha256

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
