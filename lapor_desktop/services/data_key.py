"""Where the data key comes from: this workstation's machine key, or a person's password.

The data key encrypts every identity field and attachment. It is never
stored in the clear: the database holds it wrapped once per account and
once per workstation (under that PC's machine key from the OS keyring), so
a copied database or backup opens for nobody without a password, and a
password change re-wraps the key instead of re-encrypting the data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lapor_desktop.security.keys import WrongKey, new_data_key, unwrap_key, wrap_key
from lapor_desktop.security.machine_key import MachineKeyStore
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import KeyWrap

MACHINE = "machine"


def _context(station_id: str) -> str:
    return f"machine:{station_id}"


class DataKeyService:
    def __init__(self, database: Database, station_id: str) -> None:
        self._db = database
        self._station = station_id

    def exists(self) -> bool:
        """Whether any wrap of a data key exists, i.e. the desk's key was created."""
        with self._db.read() as session:
            return session.scalars(select(KeyWrap.id).limit(1)).first() is not None

    def create(self, machine: MachineKeyStore, *, now: dt.datetime) -> bytes:
        """The first start of a desk: a new data key, kept for this workstation."""
        data_key = new_data_key()
        self.remember_here(data_key, machine, now=now)
        return data_key

    def unlock_here(self, machine: MachineKeyStore) -> bytes | None:
        """The data key through this PC's machine key; None if this PC has none yet."""
        key = machine.load()
        if key is None:
            return None
        with self._db.read() as session:
            wrap = session.scalars(
                select(KeyWrap).where(KeyWrap.kind == MACHINE, KeyWrap.station_id == self._station)
            ).first()
            token = wrap.wrapped_key if wrap else None
        if token is None:
            return None
        try:
            return unwrap_key(key, token, context=_context(self._station))
        except WrongKey:
            return None

    def remember_here(self, data_key: bytes, machine: MachineKeyStore, *, now: dt.datetime) -> None:
        """Wrap the data key for this workstation, e.g. after a person unlocked it by password."""
        key = machine.load() or machine.create()
        token = wrap_key(key, data_key, context=_context(self._station))
        with self._db.write() as session:
            wrap = session.scalars(
                select(KeyWrap).where(KeyWrap.kind == MACHINE, KeyWrap.station_id == self._station)
            ).first()
            if wrap is None:
                session.add(
                    KeyWrap(
                        kind=MACHINE, station_id=self._station, wrapped_key=token, created_at=now
                    )
                )
            else:
                wrap.wrapped_key = token
