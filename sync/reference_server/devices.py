"""Device tokens and the offices they belong to."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.sqlite import insert

from sync.reference_server.schema import devices, offices


def token_digest(token: str) -> str:
    """Tokens are kept as hashes: a copy of the server's database grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Device:
    office_code: str
    office_active: bool


class DeviceRegistry:
    def __init__(self, engine: Engine, lock: threading.Lock) -> None:
        self._engine = engine
        self._lock = lock

    def add(self, token: str, office_code: str, *, label: str, active: bool) -> None:
        with self._lock, self._engine.begin() as conn:
            office = insert(offices).values(code=office_code, active=active)
            conn.execute(
                office.on_conflict_do_update(index_elements=["code"], set_={"active": active})
            )
            device = insert(devices).values(
                token_sha256=token_digest(token),
                office_code=office_code,
                label=label,
                revoked=False,
            )
            conn.execute(device.on_conflict_do_nothing(index_elements=["token_sha256"]))

    def revoke(self, token: str) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                update(devices)
                .where(devices.c.token_sha256 == token_digest(token))
                .values(revoked=True)
            )

    def find(self, token: str) -> Device | None:
        query = (
            select(devices.c.office_code, offices.c.active)
            .join(offices, offices.c.code == devices.c.office_code)
            .where(devices.c.token_sha256 == token_digest(token), devices.c.revoked.is_(False))
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Device(row.office_code, bool(row.active))
