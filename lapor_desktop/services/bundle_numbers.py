"""The numbers of this desk's bundles ("bundle 7 of office 2104"), drawn so two never share one.

A number goes into the signed envelope and the file names before the bundle's row is
written, so reading the highest number is not enough when two workstations of one shared
office database export at once: the number is reserved on a counter row, locked until the
reserving transaction ends (``FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` serialises
writers on SQLite). An export that fails after its reservation leaves a gap, never a double.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_desktop.services.bundle_records import MADE_HERE
from lapor_desktop.storage.bundle_models import Bundle
from lapor_desktop.storage.models import SyncValue

BUNDLE_SEQUENCE = "bundle_sequence"
"""The counter row (``sync_values``): the last number this desk reserved."""


def next_sequence(session: Session) -> int:
    """The number after this desk's highest bundle (a read: ``reserve_sequence`` takes one)."""
    found = session.scalar(select(func.max(Bundle.sequence)).where(Bundle.direction.in_(MADE_HERE)))
    return int(found or 0) + 1


def reserve_sequence(session: Session, now: dt.datetime) -> int:
    """Take the next number for good, in the caller's write transaction.

    The counter row stays locked until that transaction ends, so a second export waits and
    draws the number after; the first reservation of a desk creates the row (a second one
    racing it fails on the key in its savepoint and reads the row the first committed).
    """
    row = _locked(session)
    if row is None:
        first = next_sequence(session)
        try:
            with session.begin_nested():
                session.add(SyncValue(key=BUNDLE_SEQUENCE, value=str(first), updated_at=now))
            return first
        except IntegrityError:
            row = _locked(session)
            assert row is not None, "the counter another desk created is there"
    number = max(int(row.value) + 1, next_sequence(session))
    row.value, row.updated_at = str(number), now
    session.flush()
    return number


def _locked(session: Session) -> SyncValue | None:
    return session.scalars(
        select(SyncValue)
        .where(SyncValue.key == BUNDLE_SEQUENCE)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
