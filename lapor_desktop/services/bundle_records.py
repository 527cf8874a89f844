"""What the bundle writers hand out: plain values about bundles, and the overview of them all.

The sync layer builds and reads the sealed files (``sync/bundles``); it gets these
dataclasses from ``bundle_outbox`` and ``bundle_returns`` and never an ORM object.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.outbox import SUBMISSION_KINDS, OutboxState
from lapor_desktop.storage.bundle_models import Bundle
from lapor_desktop.storage.models import Complaint, OutboxEntry

T = TypeVar("T")

RELAY_BUNDLE = "relay_bundle"
"""The outbox kind of the relay lane: another desk's sealed bundle, sent on unopened."""


class Direction(enum.StrEnum):
    OUTBOUND = "outbound"
    """Made on this desk from its outbox."""
    RELAY = "relay"
    """Another desk's bundle this desk sends on to the national service."""
    RETURN = "return"
    """An answer: imported on the desk that made the bundle, or written by the relay."""
    HANDOVER = "handover"
    """A district desk's bundle taken into this (parent) office's queue."""
    TO_PARENT = "to_parent"
    """Made on this (district) desk from its outbox, sealed to the parent office's desk."""


MADE_HERE = (Direction.OUTBOUND.value, Direction.TO_PARENT.value)
"""Bundles this desk made from its outbox: they share one numbering and take its returns."""


class BundleState(enum.StrEnum):
    CARRIED = "carried"
    """Outbound, on its way; its entries stay pending (the network may return first)."""
    WAITING = "waiting"
    """Relay: not sent yet. Return on a relay: written, waiting to be carried back."""
    SENDING = "sending"
    ANSWERED = "answered"
    REFUSED = "refused"
    IMPORTED = "imported"
    """Return: its receipts are recorded on this desk. Hand-over: its complaints taken in."""
    HANDED_OUT = "handed_out"
    """Return written here for another desk (a relay's, a parent's answer), copied for the trip
    back."""


DIRECTION_WORDS: Mapping[str, str] = {
    Direction.OUTBOUND: N_("made here"),
    Direction.TO_PARENT: N_("made here, for the parent office"),
    Direction.RELAY: N_("relayed"),
    Direction.RETURN: N_("return"),
    Direction.HANDOVER: N_("from a district office"),
}
"""A bundle's direction in the words of the Bundles page and ``bundle list`` (msgids): the
window and the command line may not import each other, so both read them here."""
STATE_WORDS: Mapping[str, str] = {
    BundleState.CARRIED: N_("carried"),
    BundleState.ANSWERED: N_("answered"),
    BundleState.WAITING: N_("waiting to be sent"),
    BundleState.SENDING: N_("sending"),
    BundleState.REFUSED: N_("refused by LAPOR!"),
    BundleState.IMPORTED: N_("recorded"),
    BundleState.HANDED_OUT: N_("copied for the trip back"),
}
"""A bundle's state in the same words (``state_words`` for a row's, which may differ)."""
_ROW_STATE_WORDS: Mapping[tuple[str, str], str] = {
    (Direction.RETURN, BundleState.WAITING): N_("waiting to be carried back"),
    (Direction.HANDOVER, BundleState.IMPORTED): N_("taken into this queue"),
}


def state_words(direction: str, state: str) -> str | None:
    """The msgid of a bundle's state as its row shows it: a return a relay holds waits to be
    carried back, not sent; None for a state without words (shown as its value)."""
    return _ROW_STATE_WORDS.get((direction, state)) or STATE_WORDS.get(state)


@dataclass(frozen=True)
class BundledComplaint:
    """A pending submission with the canonical content, rebuilt as the online claim does."""

    outbox_id: int
    client_uuid: str
    content_hash: str
    content: Mapping[str, object]
    urgent: bool


@dataclass(frozen=True)
class BundledAttachment:
    outbox_id: int
    complaint_uuid: str
    sha256: str
    filename: str
    media_type: str
    size_bytes: int


@dataclass(frozen=True)
class BundledFollowUp:
    outbox_id: int
    complaint_uuid: str
    message_uuid: str
    text: str
    written_at: dt.datetime


@dataclass(frozen=True)
class BundleContents:
    """What one bundle would carry, urgent first then oldest; ``stale``: complaints left out
    because they changed since they were queued (the next online claim sets them aside)."""

    submissions: tuple[BundledComplaint, ...] = ()
    uploads: tuple[BundledAttachment, ...] = ()
    follow_ups: tuple[BundledFollowUp, ...] = ()
    stale: tuple[str, ...] = ()

    @property
    def outbox_ids(self) -> list[int]:
        """Every entry the bundle carries, for ``start_bundle``."""
        return [
            *(c.outbox_id for c in self.submissions),
            *(a.outbox_id for a in self.uploads),
            *(f.outbox_id for f in self.follow_ups),
        ]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "complaints": len(self.submissions),
            "attachments": len(self.uploads),
            "follow_ups": len(self.follow_ups),
        }

    @property
    def empty(self) -> bool:
        return not (self.submissions or self.uploads or self.follow_ups)

    def __bool__(self) -> bool:
        return not self.empty


@dataclass(frozen=True)
class ClaimedRelay:
    """A leased relay entry: the sealed envelope to upload and post, unopened."""

    outbox_id: int
    bundle_id: str
    envelope_sha256: str
    file_name: str
    """Relative to the data folder."""
    attempts: int
    needs_lookup: bool
    """A lease nobody gave back: the service may hold it already (ask before sending)."""


@dataclass(frozen=True)
class BundleRefused:
    """A bundle this desk will not take: a stable ``code`` and the reason in both languages."""

    code: str
    message: Message


@dataclass(frozen=True)
class BundleRow:
    """One bundle as the window and ``bundle list`` show it."""

    bundle_id: str
    direction: str
    sequence: int
    origin_office: str
    state: str
    counts: Mapping[str, Any]
    created_at: dt.datetime
    carried_since: dt.datetime | None
    in_reply_to: str | None
    file_name: str
    last_error: str
    volumes: int
    pending: int
    """Its outbox entries still pending (outbound: those the return has not settled yet)."""
    updated_at: dt.datetime | None = field(default=None, compare=False)


def carried_in(
    session: Session, complaint_ids: Iterable[int]
) -> dict[int, tuple[int, dt.datetime | None]]:
    """Complaints with pending entries in a bundle still on its way: (its number, since when).

    For "in bundle N, carried since ..." in the list and the sync panel; the newest bundle
    wins when a person bundled a complaint again.
    """
    ids = list(complaint_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(OutboxEntry.complaint_id, Bundle.sequence, Bundle.carried_since)
        .join(Bundle, Bundle.id == OutboxEntry.bundle_id)
        .where(
            OutboxEntry.state == OutboxState.PENDING.value,
            OutboxEntry.complaint_id.in_(ids),
            Bundle.state == BundleState.CARRIED.value,
        )
        .order_by(Bundle.sequence)
    )
    return {r.complaint_id: (r.sequence, r.carried_since) for r in rows}


def bundle_overview(session: Session) -> list[BundleRow]:
    """Every bundle, newest first, with how many of its entries are still pending.

    A relayed bundle's state follows its outbox entry once that is settled: one the relay
    lane set aside (its file gone, a bad answer) shows refused, with the lane's reason. A
    district's newest hand-over counts that office's complaints this desk has still to submit.
    """
    pending = OutboxEntry.state == OutboxState.PENDING.value
    carried = dict(
        session.execute(
            select(OutboxEntry.bundle_id, func.count())
            .where(pending, OutboxEntry.bundle_id.is_not(None))
            .group_by(OutboxEntry.bundle_id)
        ).all()
    )
    relayed = {
        r.ref_uuid: r
        for r in session.execute(
            select(OutboxEntry.ref_uuid, OutboxEntry.state, OutboxEntry.last_error).where(
                OutboxEntry.kind == RELAY_BUNDLE
            )
        )
    }
    districts = _district_waiting(session)
    rows: list[BundleRow] = []
    for b in session.scalars(select(Bundle).order_by(Bundle.id.desc())):
        state, error, waiting = b.state, b.last_error, carried.get(b.id, 0)
        if b.direction == Direction.HANDOVER.value:
            waiting = districts.pop(b.origin_office, 0)  # the newest hand-over of that office
        entry = relayed.get(b.bundle_id) if b.direction == Direction.RELAY.value else None
        if entry is not None:
            waiting = int(entry.state == OutboxState.PENDING.value)
            if entry.state == OutboxState.QUARANTINED.value:
                state, error = BundleState.REFUSED.value, error or entry.last_error
        rows.append(
            BundleRow(
                bundle_id=b.bundle_id,
                direction=b.direction,
                sequence=b.sequence,
                origin_office=b.origin_office,
                state=state,
                counts=dict(b.counts or {}),
                created_at=b.created_at,
                carried_since=b.carried_since,
                in_reply_to=b.in_reply_to,
                file_name=b.file_name,
                last_error=error,
                volumes=b.volumes,
                pending=int(waiting),
                updated_at=b.updated_at,
            )
        )
    return rows


def _district_waiting(session: Session) -> dict[str, int]:
    """Per district office: its complaints taken in here whose submission still waits."""
    handed = select(Bundle.origin_office).where(Bundle.direction == Direction.HANDOVER.value)
    rows = session.execute(
        select(Complaint.office_code, func.count(func.distinct(Complaint.id)))
        .join(OutboxEntry, OutboxEntry.complaint_id == Complaint.id)
        .where(
            OutboxEntry.state == OutboxState.PENDING.value,
            OutboxEntry.kind.in_(SUBMISSION_KINDS),
            Complaint.office_code.in_(handed),
        )
        .group_by(Complaint.office_code)
    ).all()
    return {office: int(count) for office, count in rows}


def after_clash(work: Callable[[], T]) -> T:
    """Run ``work`` (whole write transactions) once more if another workstation committed the
    same bundle or complaint first: on PostgreSQL the unique index makes the second writer
    wait, then fail; run again, it finds the row and answers "already here"."""
    try:
        return work()
    except IntegrityError:
        return work()


def new_bundle(
    bundle_id: str,
    direction: Direction,
    state: BundleState,
    *,
    sequence: int,
    origin_office: str,
    envelope_sha256: str,
    now: dt.datetime,
    counts: Mapping[str, Any] | None = None,
    carried_since: dt.datetime | None = None,
    in_reply_to: str | None = None,
    file_name: str = "",
    volumes: int = 1,
) -> Bundle:
    """A new bundles row (not added): the one place one is made."""
    return Bundle(
        bundle_id=bundle_id,
        direction=direction.value,
        sequence=sequence,
        origin_office=origin_office,
        state=state.value,
        created_at=now,
        updated_at=now,
        carried_since=carried_since,
        envelope_sha256=envelope_sha256,
        counts=dict(counts or {}),
        in_reply_to=in_reply_to,
        file_name=file_name,
        last_error="",
        volumes=volumes,
    )


def find_bundle(session: Session, bundle_id: str) -> Bundle | None:
    """The row of a bundle by its UUID (for the writers in this package only)."""
    return session.scalars(select(Bundle).where(Bundle.bundle_id == bundle_id)).first()
