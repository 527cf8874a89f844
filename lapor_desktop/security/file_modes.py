"""Owner-only files: the data folder 0700 and every file in it 0600, whatever the umask.

Another local account must not copy the database (and then guess passwords
offline against the wrapped keys), read a backup or a log. Writers create
their files private from the start (this module's helpers, or
``durable_files`` with ``mode=OWNER_FILE``); :func:`find_loosened` is the
start-up check that finds what is still open to others, for the window and
the command line to warn about, and :func:`tighten` closes it.

Windows has no POSIX modes (the data folder lies in the user's profile,
which its ACLs keep private): there the check finds nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.i18n import N_, Message

OWNER_FOLDER = 0o700
OWNER_FILE = 0o600
_OTHERS = stat.S_IRWXG | stat.S_IRWXO
_SHOWN_AT_MOST = 5


@dataclass(frozen=True)
class Loosened:
    """A file or folder in the data folder that someone other than its owner may open."""

    path: Path
    mode: int
    is_folder: bool

    @property
    def wanted(self) -> int:
        return OWNER_FOLDER if self.is_folder else OWNER_FILE


def has_posix_modes() -> bool:
    return os.name == "posix"


def private_folder(folder: Path) -> Path:
    """Create ``folder`` and each missing parent as 0700; an existing one is left as it is.

    (``mkdir(parents=True)`` gives the parents it creates the umask's mode, not ``mode``.)
    """
    missing = [folder, *folder.parents]
    for level in reversed(missing[: next(i for i, p in enumerate(missing) if p.exists())]):
        level.mkdir(mode=OWNER_FOLDER, exist_ok=True)
    return folder


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if it does not exist yet (SQLite then adds to it).

    SQLite gives a database's ``-wal``, ``-shm`` and ``-journal`` files the
    mode of the database file itself, so creating that one private is enough.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_FILE)
    except FileExistsError:
        return
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, OWNER_FILE)  # the umask may have removed bits, never added
    finally:
        os.close(descriptor)


def find_loosened(root: Path) -> list[Loosened]:
    """Every folder and file under ``root`` (itself included) with group or other bits set.

    Symbolic links are neither followed nor reported: their own mode means nothing.
    """
    if not has_posix_modes() or not root.is_dir():
        return []
    found: list[Loosened] = []
    _check(root, True, found)
    for folder, folders, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in folders:
            _check(base / name, True, found)
        for name in files:
            _check(base / name, False, found)
    return found


def check_data_folder(root: Path) -> list[Loosened]:
    """The start-up check: what was open to others (now tightened), for the caller to warn.

    Call it before the database is opened; an empty list means all was private.
    """
    found = find_loosened(root)
    tighten(found)
    return found


def tighten(found: list[Loosened]) -> list[Loosened]:
    """Set each to owner-only; returns those that could not be changed (not ours, gone)."""
    failed = []
    for item in found:
        try:
            os.chmod(item.path, item.wanted, follow_symlinks=False)
        except FileNotFoundError:
            continue
        except (OSError, NotImplementedError):
            failed.append(item)
    return failed


def loosened_warning(found: list[Loosened]) -> Message:
    """What the window and the command line say when :func:`find_loosened` found something."""
    shown = ", ".join(f"{item.path} ({item.mode:o})" for item in found[:_SHOWN_AT_MOST])
    more = len(found) - _SHOWN_AT_MOST
    return Message(
        N_(
            "Other accounts on this computer could read {count} files or folders of the "
            "data folder: {paths}{more}. They were set back to owner-only access (folders "
            "700, files 600). If you did not change them yourself, ask IT staff to check "
            "who else uses this computer."
        ),
        {
            "count": len(found),
            "paths": shown,
            "more": f" (+{more})" if more > 0 else "",
        },
    )


def _check(path: Path, is_folder: bool, found: list[Loosened]) -> None:
    with contextlib.suppress(FileNotFoundError):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return
        mode = stat.S_IMODE(info.st_mode)
        if mode & _OTHERS:
            found.append(Loosened(path, mode, is_folder))
