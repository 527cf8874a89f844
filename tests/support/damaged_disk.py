"""A failing disk, made on purpose: pages of a real SQLite file overwritten with junk."""

from __future__ import annotations

import gc
import sqlite3
from contextlib import closing
from pathlib import Path


def damage(database: Path) -> None:
    """Overwrite the pages after the first two with junk, as a failing disk would.

    Connections a test left for the garbage collector are closed first, and the WAL is
    folded in and emptied: a late checkpoint would otherwise write good pages back over
    the junk (seen once in CI under load).
    """
    gc.collect()
    with closing(sqlite3.connect(database)) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        page_size = int(c.execute("PRAGMA page_size").fetchone()[0])
        pages = int(c.execute("PRAGMA page_count").fetchone()[0])
    assert pages > 6
    with database.open("r+b") as handle:
        handle.seek(page_size * 2)
        handle.write(b"\xa5" * page_size * (pages - 3))
