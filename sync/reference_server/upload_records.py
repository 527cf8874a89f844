"""What the server knows of each upload besides its bytes: length, owner, names, last activity."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert

from sync.reference_server.schema import uploads


@dataclass(frozen=True)
class UploadRecord:
    sha256: str
    length: int
    office_code: str
    complete: bool
    touched_at: dt.datetime
    """The last bytes received (the creation, before any)."""

    def expires_at(self, lifetime: dt.timedelta) -> dt.datetime | None:
        """When an unfinished upload is thrown away; None once it is complete (tus expiration)."""
        return None if self.complete else self.touched_at + lifetime


class UploadRecords:
    def __init__(self, engine: Engine, lock: threading.Lock) -> None:
        self._engine = engine
        self._lock = lock

    def create(
        self,
        sha256: str,
        length: int,
        office_code: str,
        *,
        complaint_uuid: str | None,
        filename: str,
        media_type: str,
        now: dt.datetime,
    ) -> UploadRecord:
        """The upload of this file: new, or the one announced before (which may differ)."""
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                insert(uploads)
                .values(
                    sha256=sha256,
                    length=length,
                    office_code=office_code,
                    complaint_uuid=complaint_uuid,
                    filename=filename,
                    media_type=media_type,
                    created_at=now,
                    touched_at=now,
                )
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
        found = self.find(sha256)
        assert found is not None
        return found

    def find(self, sha256: str) -> UploadRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(uploads).where(uploads.c.sha256 == sha256)).first()
        if row is None:
            return None
        return UploadRecord(
            row.sha256,
            row.length,
            row.office_code,
            row.completed_at is not None,
            row.touched_at or row.created_at,
        )

    def touch(self, sha256: str, now: dt.datetime) -> None:
        """Bytes arrived: the expiry moves on, so a slow but living upload is never dropped."""
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(uploads).where(uploads.c.sha256 == sha256).values(touched_at=now))

    def complete(self, sha256: str, now: dt.datetime) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                update(uploads)
                .where(uploads.c.sha256 == sha256)
                .values(completed_at=now, touched_at=now)
            )

    def expired(self, now: dt.datetime, lifetime: dt.timedelta) -> list[str]:
        """The unfinished uploads whose last activity is at least ``lifetime`` ago."""
        last = func.coalesce(uploads.c.touched_at, uploads.c.created_at)
        query = select(uploads.c.sha256).where(
            uploads.c.completed_at.is_(None), last <= now - lifetime
        )
        with self._engine.connect() as conn:
            return list(conn.scalars(query))

    def remove_unfinished(self, sha256: str) -> bool:
        """Forget an unfinished upload (terminated or expired); a complete one is kept."""
        with self._lock, self._engine.begin() as conn:
            removed = conn.execute(
                delete(uploads).where(uploads.c.sha256 == sha256, uploads.c.completed_at.is_(None))
            ).rowcount
        return bool(removed)
