"""Allocating the next registration number inside the saving transaction."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from lapor_desktop.domain.registration import format_registration_number
from lapor_desktop.storage.models import RegistrationCounter

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


def next_registration_number(
    session: Session, office_code: str, station_id: str, day: dt.date
) -> str:
    """Bump this station's counter for the day atomically (an upsert) and format the number.

    The upsert holds the row lock until the transaction ends, so two
    sessions of one station on a shared PostgreSQL never get the same
    sequence; a rolled-back save gives its number back.
    """
    statement = (
        _counter_insert(session)
        .values(station_id=station_id, day=f"{day:%Y%m%d}", last_sequence=1)
        .on_conflict_do_update(
            index_elements=["station_id", "day"],
            set_={"last_sequence": RegistrationCounter.last_sequence + 1},
        )
        .returning(RegistrationCounter.last_sequence)
    )
    sequence = session.execute(statement).scalar_one()
    return format_registration_number(office_code, day, station_id, int(sequence))


def _counter_insert(session: Session) -> PostgresqlInsert | SqliteInsert:
    """The dialect's own INSERT, the one that knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        # Here, not at the top: the PostgreSQL dialect costs 20-30 ms of every start.
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(RegistrationCounter)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(RegistrationCounter)
