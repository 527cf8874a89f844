"""The parent office's record of the hand-over bundles its districts brought.

One ``bundles`` row per hand-over taken (direction ``handover``), so a bundle taken twice
is recognised and the parent's answer names the latest bundle of that district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.services.bundle_records import BundleState, Direction, find_bundle, new_bundle
from lapor_desktop.storage.bundle_models import Bundle


@dataclass(frozen=True)
class HandoverRef:
    bundle_id: str
    sequence: int


def handover_taken(
    session: Session,
    *,
    bundle_id: str,
    sequence: int,
    origin_office: str,
    envelope_sha256: str,
    counts: Mapping[str, int],
    now: dt.datetime,
) -> bool:
    """Record the hand-over (in the caller's transaction); False when it was taken before."""
    if find_bundle(session, bundle_id) is not None:
        return False
    session.add(
        new_bundle(
            bundle_id,
            Direction.HANDOVER,
            BundleState.IMPORTED,
            sequence=sequence,
            origin_office=origin_office,
            envelope_sha256=envelope_sha256,
            now=now,
            counts=counts,
        )
    )
    session.flush()
    return True


def latest_handover(session: Session, office: str) -> HandoverRef | None:
    """The district's newest hand-over bundle here, which the parent's answer replies to."""
    row = session.execute(
        select(Bundle.bundle_id, Bundle.sequence)
        .where(Bundle.direction == Direction.HANDOVER.value, Bundle.origin_office == office)
        .order_by(Bundle.sequence.desc(), Bundle.id.desc())
        .limit(1)
    ).first()
    return None if row is None else HandoverRef(row.bundle_id, row.sequence)
