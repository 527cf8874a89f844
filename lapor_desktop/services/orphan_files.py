"""Leftover attachment files: partial copies and encrypted files no complaint refers to.

A process killed between storing a file and saving its complaint leaves an
``.incoming-*.part`` file (killed mid-copy) or a whole encrypted file without an
attachment row (killed before the save). Nothing else would ever remove them. A file
picked into a form that is still open (on this PC or another of a shared office) has no
row yet either, so only files untouched for ``DEFAULT_GRACE`` go: storing the same
content again touches the file (``AttachmentStore.add``), and each file is checked
against the database once more just before it is removed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from lapor_desktop.attachments.store import TEMP_PREFIX, TEMP_SUFFIX
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Attachment

DEFAULT_GRACE = dt.timedelta(days=2)
"""Longer than any form stays open, a weekend of a shared office included."""
_SHA256 = re.compile("[0-9a-f]{64}")


@dataclass(frozen=True)
class OrphanFiles:
    partial: tuple[Path, ...] = ()
    """``.incoming-*.part``: a copy into the store that never finished."""
    unreferenced: tuple[Path, ...] = ()
    """Whole encrypted files that no attachment row names."""

    @property
    def count(self) -> int:
        return len(self.partial) + len(self.unreferenced)


def find_orphans(
    database: Database,
    root: Path,
    *,
    now: dt.datetime,
    grace: dt.timedelta = DEFAULT_GRACE,
    keep: frozenset[str] = frozenset(),
) -> OrphanFiles:
    """The leftovers older than ``grace``; nothing is changed (for ``db check``).

    ``keep``: names held elsewhere (this PC's spool, while the office database is away).
    """
    if not root.is_dir():
        return OrphanFiles()
    cutoff = (now - grace).timestamp()
    partial = tuple(p for p in root.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}") if _older(p, cutoff))
    with database.read() as session:
        named = set(session.scalars(select(Attachment.sha256).distinct())) | keep
    unreferenced = tuple(p for p in _stored(root) if p.name not in named and _older(p, cutoff))
    return OrphanFiles(partial, unreferenced)


def remove_orphans(
    database: Database,
    root: Path,
    *,
    now: dt.datetime,
    grace: dt.timedelta = DEFAULT_GRACE,
    keep: frozenset[str] = frozenset(),
) -> OrphanFiles:
    """Delete the leftovers older than ``grace`` (at start-up); returns what went."""
    found = find_orphans(database, root, now=now, grace=grace, keep=keep)
    partial = tuple(p for p in found.partial if _unlink(p))
    removed: list[Path] = []
    for path in found.unreferenced:
        with database.read() as session:  # saved meanwhile: it is a complaint's file now
            named = session.scalar(
                select(Attachment.id).where(Attachment.sha256 == path.name).limit(1)
            )
        if named is None and _unlink(path):
            removed.append(path)
    return OrphanFiles(partial, tuple(removed))


def _stored(root: Path) -> Iterator[Path]:
    """Files where the store keeps them: ``root/ab/cd/<sha256>``."""
    for path in root.glob("??/??/*"):
        name, folder = path.name, path.parent
        where = (folder.parent.name, folder.name) == (name[:2], name[2:4])
        if _SHA256.fullmatch(name) and where and path.is_file():
            yield path


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
