"""Whole-file writes that survive a crash or a power cut: the old content or the new, never half.

Every writer goes the same way: a temporary file in the target's own folder
(so the rename stays on one file system), written, flushed and fsynced, then
``os.replace`` over the target, then the folder itself fsynced so that the
new name is on disk too (POSIX only: Windows cannot open a folder for that,
and NTFS journals the rename). A failed write removes its temporary file and
leaves the old file as it was.

The file mode is kept: an explicit ``mode`` (``0o600`` for a secret) is set
exactly, whatever the umask; without one, a file being replaced keeps its
mode and a new file gets the usual ``0o666`` less the umask. A secret's
temporary file is never readable by anyone else, not even for a moment.

Appending logs and SQLite files are not written here: they have their own
rules (rotating handlers, the database's journal).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, cast

Fsync = Callable[[int], None]
"""Flushes one open descriptor to the disk; passed in by tests that watch it."""

TEMP_SUFFIX = ".tmp"
_OWNER_ONLY = 0o600
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


def flush_to_disk(descriptor: int) -> None:
    """``os.fsync``, except on macOS, where only ``F_FULLFSYNC`` reaches the platter."""
    if sys.platform == "darwin":
        import fcntl

        fcntl.fcntl(descriptor, fcntl.F_FULLFSYNC)
    else:
        os.fsync(descriptor)


def fsync_folder(folder: Path, *, fsync: Fsync = flush_to_disk) -> None:
    """Make a rename or a new name in ``folder`` durable (nothing to do on Windows)."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fsync(descriptor)
    finally:
        os.close(descriptor)


def write_bytes(
    path: Path, data: bytes, *, mode: int | None = None, fsync: Fsync = flush_to_disk
) -> None:
    """Replace ``path`` with ``data``, durably."""
    with replacing(path, mode=mode, fsync=fsync) as handle:
        handle.write(data)


def write_text(
    path: Path,
    text: str,
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    mode: int | None = None,
    fsync: Fsync = flush_to_disk,
) -> None:
    """Replace ``path`` with ``text``, durably (``newline`` as for ``open``)."""
    with replacing_text(path, encoding=encoding, newline=newline, mode=mode, fsync=fsync) as out:
        out.write(text)


@contextlib.contextmanager
def replacing(
    path: Path, *, mode: int | None = None, fsync: Fsync = flush_to_disk
) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces ``path`` when the block ends without an error.

    For content too large to hold in memory (an export): written as it comes,
    and the target changes only once it is all on disk.
    """
    with _replacing(path, "wb", None, None, mode, fsync) as handle:
        yield cast(BinaryIO, handle)


@contextlib.contextmanager
def replacing_text(
    path: Path,
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    mode: int | None = None,
    fsync: Fsync = flush_to_disk,
) -> Iterator[TextIO]:
    """The text variant of :func:`replacing`."""
    with _replacing(path, "w", encoding, newline, mode, fsync) as handle:
        yield cast(TextIO, handle)


def create_bytes(
    path: Path, data: bytes, *, mode: int | None = None, fsync: Fsync = flush_to_disk
) -> None:
    """Create ``path`` holding ``data``; ``FileExistsError`` if it exists, and nothing changes.

    The file appears whole or not at all (a hard link of the finished temporary
    file; on a file system without hard links, such as FAT on a USB stick, a
    rename after checking that the name is free).
    """
    temp, descriptor = _open_temp(path, mode, keep_existing=False)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            fsync(handle.fileno())
        _link_new(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    fsync_folder(path.parent, fsync=fsync)


def move_into_place(source: Path, target: Path, *, fsync: Fsync = flush_to_disk) -> None:
    """Rename a file already written and fsynced (an upload's parts) over ``target``, durably."""
    os.replace(source, target)
    fsync_folder(target.parent, fsync=fsync)


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is a temporary file left by a writer that was killed mid-write."""
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)


@contextlib.contextmanager
def _replacing(
    path: Path,
    open_mode: str,
    encoding: str | None,
    newline: str | None,
    mode: int | None,
    fsync: Fsync,
) -> Iterator[IO[Any]]:
    temp, descriptor = _open_temp(path, mode)
    try:
        with os.fdopen(descriptor, open_mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent, fsync=fsync)


def _open_temp(path: Path, mode: int | None, *, keep_existing: bool = True) -> tuple[Path, int]:
    """A new temporary file beside ``path``, already with the mode the target will have."""
    wanted = mode if mode is not None or not keep_existing else _current_mode(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            # A new file without a mode to keep takes the umask, as open() would.
            descriptor = os.open(temp, flags, 0o666 if wanted is None else _OWNER_ONLY)
        except FileExistsError:
            continue
        break
    if wanted is not None and hasattr(os, "fchmod"):
        try:
            os.fchmod(descriptor, wanted)
        except BaseException:
            os.close(descriptor)
            temp.unlink(missing_ok=True)
            raise
    return temp, descriptor


def _current_mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


def _link_new(temp: Path, path: Path) -> None:
    if os.name == "nt":
        os.rename(temp, path)  # refuses an existing target on Windows
        return
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from exc
        os.replace(temp, path)
