"""Installing a reference set into the database, and fast look-ups for forms and saves.

A set is replaced wholesale inside the caller's transaction, so the desk
never sees half of an old set and half of a new one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from lapor_desktop.reference.dataset import (
    AgencyRow,
    CategoryRow,
    ReferenceDataset,
    RegionRow,
    checked,
    load_bundled,
)
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Agency, Category, ReferenceVersion, Region

DATASETS = ("regions", "agencies", "categories")
"""One ``reference_versions`` row each; they always carry the same version."""
LABEL_SEPARATOR = ", "


def install(session: Session, dataset: ReferenceDataset, *, source: str, now: dt.datetime) -> None:
    """Replace regions, agencies and categories with ``dataset``; the caller commits.

    Complaints keep the codes they were saved with (no foreign keys to these
    tables), so a code that disappears does not touch recorded complaints.
    The set is checked again here: nothing inconsistent reaches the tables.
    """
    checked(dataset)
    session.execute(delete(Region))
    session.execute(delete(Agency))
    session.execute(delete(Category))
    session.execute(
        insert(Region),
        [
            {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code}
            for r in dataset.regions
        ],
    )
    session.execute(
        insert(Agency),
        [{"code": a.code, "name": a.name, "parent_code": a.parent_code} for a in dataset.agencies],
    )
    session.execute(
        insert(Category),
        [
            {"code": c.code, "name": c.name, "parent_code": c.parent_code}
            for c in dataset.categories
        ],
    )
    for name in DATASETS:
        row = session.get(ReferenceVersion, name)
        if row is None:
            row = ReferenceVersion(dataset=name)
            session.add(row)
        row.version, row.source, row.installed_at = dataset.version, source, now
    session.flush()


def installed_version(session: Session) -> str | None:
    """The installed set's version; None when no complete set is installed."""
    rows = session.scalars(
        select(ReferenceVersion).where(ReferenceVersion.dataset.in_(DATASETS))
    ).all()
    versions = {row.dataset: row.version for row in rows}
    if set(versions) != set(DATASETS):
        return None
    return versions["regions"]


def ensure_bundled(database: Database, *, now: dt.datetime | None = None) -> bool:
    """Install the bundled set on a fresh database; True when it did.

    The CSVs are parsed before the write transaction starts, so the write
    lock is held only for the insert itself.
    """
    with database.read() as session:
        if installed_version(session) is not None:
            return False
    dataset = load_bundled()
    with database.write() as session:
        if installed_version(session) is not None:
            return False  # another workstation was quicker
        install(session, dataset, source="bundled", now=now or dt.datetime.now(dt.UTC))
    return True


@dataclass(frozen=True)
class _Snapshot:
    regions: dict[str, RegionRow]
    children: dict[str | None, list[RegionRow]]
    agencies: dict[str, AgencyRow]
    categories: dict[str, CategoryRow]


class ReferenceLookup:
    """Code checks, labels and pickers, read once per instance and then served from memory.

    A complaint save asks several questions; one read of about 8,000 small
    rows on first use makes every later answer a dictionary look-up. Call
    :meth:`invalidate` after installing a new set. Safe to share between
    threads when built from a :class:`Database`; a :class:`Session` source
    belongs to the caller's thread.
    """

    def __init__(self, source: Database | Session) -> None:
        self._source = source
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Read now, so the answers outlive a database that goes away (a shared desk's spool)."""
        self._data()

    def invalidate(self) -> None:
        """Forget what was read; the next question reads the database again."""
        with self._lock:
            self._snapshot = None

    def has_region(self, code: str) -> bool:
        return code in self._data().regions

    def has_agency(self, code: str) -> bool:
        return code in self._data().agencies

    def has_category(self, code: str) -> bool:
        return code in self._data().categories

    def region(self, code: str) -> RegionRow | None:
        return self._data().regions.get(code)

    def region_label(self, code: str) -> str:
        """The region and its ancestors, most specific first; "" for an unknown code.

        ``2104021010`` gives "Daik, Lingga, Kabupaten Lingga, Kepulauan Riau".
        """
        regions = self._data().regions
        names: list[str] = []
        row = regions.get(code)
        while row is not None and len(names) < len(regions):
            names.append(row.name)
            row = regions.get(row.parent_code) if row.parent_code else None
        return LABEL_SEPARATOR.join(names)

    def children(self, region_code: str | None) -> list[RegionRow]:
        """The regions directly below one region (the provinces for None), by code."""
        return list(self._data().children.get(region_code, ()))

    def agencies(self) -> list[AgencyRow]:
        """Every agency, by name, as a picker lists them."""
        return sorted(self._data().agencies.values(), key=lambda a: (a.name.casefold(), a.code))

    def categories(self) -> list[CategoryRow]:
        """Every category by code (bundled codes extend their parent's, so children follow)."""
        return sorted(self._data().categories.values(), key=lambda c: c.code)

    def _data(self) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is not None:
            return snapshot
        with self._lock:
            if self._snapshot is None:
                with self._session() as session:
                    self._snapshot = _read_snapshot(session)
            return self._snapshot

    @contextmanager
    def _session(self) -> Iterator[Session]:
        if isinstance(self._source, Session):
            yield self._source
        else:
            with self._source.read() as session:
                yield session


def _read_snapshot(session: Session) -> _Snapshot:
    regions: dict[str, RegionRow] = {}
    children: dict[str | None, list[RegionRow]] = {}
    for code, name, level, parent in session.execute(
        select(Region.code, Region.name, Region.level, Region.parent_code).order_by(Region.code)
    ):
        row = RegionRow(code, name, level, parent)
        regions[code] = row
        children.setdefault(parent, []).append(row)
    agencies = {
        code: AgencyRow(code, name, parent)
        for code, name, parent in session.execute(
            select(Agency.code, Agency.name, Agency.parent_code)
        )
    }
    categories = {
        code: CategoryRow(code, name, parent)
        for code, name, parent in session.execute(
            select(Category.code, Category.name, Category.parent_code)
        )
    }
    return _Snapshot(regions, children, agencies, categories)
