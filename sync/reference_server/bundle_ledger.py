"""The bundles the service has seen, and the last return bundle it answered each with.

A bundle may arrive many times (two relays, a relay retrying after a cut answer): each
arrival is applied again, which the store's rules make harmless, and counted here. One
bundle ID always names one envelope: other bytes under a known ID are refused, so a
relay cannot pass a different bundle off as one already answered.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, select, update
from sqlalchemy.dialects.sqlite import insert

from lapor_desktop import durable_files
from sync.protocol.wire import ProtocolError, canonical_uuid
from sync.reference_server.schema import UtcDateTime

RETURNS_DIR = "returns"
RETURN_SUFFIX = ".laporbundle"

_metadata = MetaData()

bundles_seen = Table(
    "bundles_seen",
    _metadata,
    Column("bundle_id", String(36), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("origin_office", String(32), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("first_seen", UtcDateTime(), nullable=False),
    Column("last_seen", UtcDateTime(), nullable=False),
    Column("times", Integer, nullable=False),
)


@dataclass(frozen=True)
class Sighting:
    times: int
    """How often this envelope has arrived, this time included."""
    reused: bool
    """The ID was seen before with other bytes: nothing is applied, nothing counted."""


class BundleLedger:
    def __init__(self, engine: Engine, lock: threading.Lock, data_dir: Path) -> None:
        self._engine = engine
        self._lock = lock
        self._returns = data_dir / RETURNS_DIR
        self._returns.mkdir(exist_ok=True)
        _metadata.create_all(engine)

    def note(
        self, bundle_id: str, sha256: str, *, origin_office: str, sequence: int, now: dt.datetime
    ) -> Sighting:
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                insert(bundles_seen)
                .values(
                    bundle_id=bundle_id,
                    sha256=sha256,
                    origin_office=origin_office,
                    sequence=sequence,
                    first_seen=now,
                    last_seen=now,
                    times=0,
                )
                .on_conflict_do_nothing(index_elements=["bundle_id"])
            )
            held = conn.execute(
                select(bundles_seen).where(bundles_seen.c.bundle_id == bundle_id)
            ).one()
            if held.sha256 != sha256:
                return Sighting(held.times, reused=True)
            conn.execute(
                update(bundles_seen)
                .where(bundles_seen.c.bundle_id == bundle_id)
                .values(times=held.times + 1, last_seen=now)
            )
            return Sighting(held.times + 1, reused=False)

    def summary(self) -> list[dict[str, object]]:
        """Every bundle seen, oldest first: for the admin endpoint and the tests."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(bundles_seen).order_by(bundles_seen.c.first_seen)).all()
        return [
            {
                "bundle_id": r.bundle_id,
                "sha256": r.sha256,
                "origin_office": r.origin_office,
                "sequence": r.sequence,
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
                "times": r.times,
                "answered": self._return_path(r.bundle_id).exists(),
            }
            for r in rows
        ]

    def origin_of(self, bundle_id: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.scalar(
                select(bundles_seen.c.origin_office).where(bundles_seen.c.bundle_id == bundle_id)
            )

    def _return_path(self, bundle_id: str) -> Path:
        return self._returns / f"{bundle_id}{RETURN_SUFFIX}"

    def keep_return(self, bundle_id: str, envelope: bytes) -> None:
        """The latest answer replaces the one before: it holds every receipt, and newer changes."""
        canonical_uuid(bundle_id)  # a name of the sender's making never becomes a path
        durable_files.write_bytes(self._return_path(bundle_id), envelope)

    def return_for(self, bundle_id: str) -> bytes | None:
        try:
            canonical_uuid(bundle_id)  # never a path of the caller's making
        except ProtocolError:
            return None
        path = self._return_path(bundle_id)
        return path.read_bytes() if path.exists() else None
