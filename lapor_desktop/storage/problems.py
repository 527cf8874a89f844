"""Storage failures a person can act on: a full disk, a read-only folder, a locked database,
an office database that does not answer.

:func:`storage_problem` looks through a raised error (SQLAlchemy's wrapper,
its cause, sqlite3, psycopg or the OS) and names the problem with a clear
bilingual message; anything else is a bug and gets ``None``. The command
line turns a problem into exit code 5, the window into a dialog. Every
message says what was kept: SQLite and PostgreSQL roll the failed
transaction back, so what was saved before stays intact.
"""

from __future__ import annotations

import enum
import errno
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.i18n import N_, Message
from lapor_desktop.storage.database import BUSY_TIMEOUT_MS
from lapor_desktop.storage.pg_connect import not_answering

LOW_SPACE_BYTES = 64 * 1024 * 1024
"""Below this, an I/O error while writing is taken for a full disk."""
_NEAR_LIMIT_BYTES = 1024 * 1024


class ProblemKind(enum.StrEnum):
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    LOCKED = "locked"
    WRITE_FAILED = "write_failed"
    NOT_ANSWERING = "not_answering"
    TOO_SLOW = "too_slow"


@dataclass(frozen=True)
class StorageProblem:
    kind: ProblemKind
    message: Message


_MESSAGES = {
    ProblemKind.DISK_FULL: N_(
        "The disk is full: nothing more can be written to {folder}, so this was not saved. "
        "What was saved before is safe. Free some space (or ask IT staff) and try again."
    ),
    ProblemKind.READ_ONLY: N_(
        "The data folder {folder} cannot be written (a read-only disk or folder, or no "
        "permission), so this was not saved. What was saved before is safe. Ask IT staff "
        "to make the folder writable."
    ),
    ProblemKind.LOCKED: N_(
        "The database is busy: another program has held it for more than {seconds} seconds "
        "(another LAPOR! Desktop, a backup or an antivirus scan?). This was not saved; what "
        "was saved before is safe. Close the other program and try again."
    ),
    ProblemKind.WRITE_FAILED: N_(
        "The disk could not be written ({detail}): it may be failing or was removed. This was "
        "not saved; what was saved before is safe. Ask IT staff to check the disk."
    ),
    ProblemKind.NOT_ANSWERING: N_(
        "The office database does not answer ({detail}): the network cable may be out, or "
        "the PC or server that holds the database is off or stuck. Nothing was saved or "
        "changed by this attempt; what was saved before is safe. Check the cable and that "
        "the database PC is on, then try again, or ask IT staff."
    ),
    ProblemKind.TOO_SLOW: N_(
        "The office database took too long to answer ({detail}), so this was not saved; what "
        "was saved before is safe. Try again; if it keeps happening, ask IT staff."
    ),
}

_SQLITE_KINDS = {
    sqlite3.SQLITE_FULL: ProblemKind.DISK_FULL,
    sqlite3.SQLITE_READONLY: ProblemKind.READ_ONLY,
    sqlite3.SQLITE_BUSY: ProblemKind.LOCKED,
    sqlite3.SQLITE_LOCKED: ProblemKind.LOCKED,
}
_POSTGRES_KINDS = {
    "53100": ProblemKind.DISK_FULL,  # disk_full
    "25006": ProblemKind.READ_ONLY,  # read_only_sql_transaction
    "55P03": ProblemKind.LOCKED,  # lock_not_available
    "57014": ProblemKind.TOO_SLOW,  # query_canceled: the statement timeout
}
_OS_KINDS = {
    errno.ENOSPC: ProblemKind.DISK_FULL,
    errno.EFBIG: ProblemKind.DISK_FULL,
    errno.EROFS: ProblemKind.READ_ONLY,
}
_NO_PERMISSION = frozenset({errno.EACCES, errno.EPERM})
"""Read-only only inside the data folder: elsewhere it may be a file someone cannot read."""
if hasattr(errno, "EDQUOT"):
    _OS_KINDS[errno.EDQUOT] = ProblemKind.DISK_FULL


def storage_problem(error: BaseException, folder: Path | None = None) -> StorageProblem | None:
    """The problem behind ``error`` (``folder``: the data folder, to tell a full disk apart)."""
    for cause in _causes(error):
        where = _folder_of(cause) or folder
        kind = _kind(cause, folder)
        if kind is not None:
            return describe(kind, where, detail=" ".join(str(cause).split())[:200])
    return None


def describe(kind: ProblemKind, folder: Path | None, *, detail: str = "") -> StorageProblem:
    params = {
        "folder": str(folder) if folder else "?",
        "seconds": BUSY_TIMEOUT_MS // 1000,
        "detail": detail,
    }
    return StorageProblem(kind, Message(_MESSAGES[kind], params))


def _causes(error: BaseException) -> list[BaseException]:
    """The error, the DB-API error SQLAlchemy wraps, and the chain of causes."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None]
        pending += [current.__cause__, current.__context__]
    return seen


def _kind(error: BaseException, folder: Path | None) -> ProblemKind | None:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is None:
            return None
        primary = code & 0xFF
        if primary == sqlite3.SQLITE_IOERR:
            return ProblemKind.DISK_FULL if out_of_space(folder) else ProblemKind.WRITE_FAILED
        if primary == sqlite3.SQLITE_CANTOPEN and folder is not None and not writable(folder):
            return ProblemKind.READ_ONLY
        return _SQLITE_KINDS.get(primary)
    if not_answering(error):
        return ProblemKind.NOT_ANSWERING
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _POSTGRES_KINDS.get(sqlstate)
    if isinstance(error, OSError) and error.errno is not None:
        if error.errno in _NO_PERMISSION:
            return ProblemKind.READ_ONLY if _inside(error, folder) else None
        return _OS_KINDS.get(error.errno)
    return None


def _folder_of(error: BaseException) -> Path | None:
    """The folder of the file an OS error names, if it names one."""
    name = getattr(error, "filename", None) if isinstance(error, OSError) else None
    return Path(name).parent if isinstance(name, str) and name else None


def _inside(error: OSError, folder: Path | None) -> bool:
    name = error.filename
    if folder is None or not isinstance(name, str):
        return False
    return Path(name).resolve().is_relative_to(folder.resolve())


def writable(folder: Path) -> bool:
    """Whether files in ``folder`` (and the database in it) can be written by this process."""
    database = folder / "lapor.sqlite3"
    targets = [folder, database] if database.exists() else [folder]
    return all(os.access(target, os.W_OK) for target in targets)


def out_of_space(folder: Path | None) -> bool:
    """Too little free space, or a file in ``folder`` at this process's file-size limit.

    The limit (``ulimit -f``; a FAT32 disk's 4 GiB is the same failure)
    stops a file growing exactly as a full disk does.
    """
    if folder is not None and folder.is_dir() and shutil.disk_usage(folder).free < LOW_SPACE_BYTES:
        return True
    limit = _file_size_limit()
    if limit is None:
        return False
    if folder is None or not folder.is_dir():
        return True
    sizes = [p.stat().st_size for p in folder.iterdir() if p.is_file()]
    return bool(sizes) and max(sizes) + _NEAR_LIMIT_BYTES >= limit


def _file_size_limit() -> int | None:
    try:
        import resource
    except ImportError:  # Windows has no file-size limit of this kind
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft
