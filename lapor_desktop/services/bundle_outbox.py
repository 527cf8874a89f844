"""The outbox side of offline bundles: what a bundle carries, and the relay lane (docs/bundles.md).

An exported bundle marks its entries (``OutboxEntry.bundle_id``) and leaves them pending:
if the network returns first they go online as usual, under the same UUIDs, so nothing
can double. A relayed bundle is an outbox entry of its own (``relay_bundle``, no complaint)
that the shared lease query claims like any lane, so a killed relay resumes it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select, true, update
from sqlalchemy.orm import Session

from lapor_desktop.domain.canonical import content_hash
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.bundle_numbers import next_sequence, reserve_sequence
from lapor_desktop.services.bundle_records import (
    MADE_HERE,
    RELAY_BUNDLE,
    BundleContents,
    BundledAttachment,
    BundledComplaint,
    BundledFollowUp,
    BundleRefused,
    BundleState,
    ClaimedRelay,
    Direction,
    bundle_overview,
    carried_in,
    find_bundle,
    new_bundle,
)
from lapor_desktop.services.changes import BUNDLES
from lapor_desktop.services.content_digest import contents_of
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.outbox import NORMAL_PRIORITY, OutboxKind, OutboxState
from lapor_desktop.services.outbox_lanes import PROTOCOL_DELIVERED
from lapor_desktop.services.outbox_leases import LaneClaim, Query, maybe_sent
from lapor_desktop.services.sync_records import (
    finish_entries,
    name_changes,
    name_entry_changes,
    quarantine_rows,
)
from lapor_desktop.storage.bundle_models import Bundle
from lapor_desktop.storage.models import (
    Attachment,
    Complaint,
    FollowUpNote,
    OutboxEntry,
    SyncValue,
)

__all__ = [
    "FEED_CURSOR",
    "RELAYS",
    "BundleContents",
    "BundleRefused",
    "ClaimedRelay",
    "bundle_overview",
    "carried_in",
    "contents_for_bundle",
    "feed_cursor",
    "next_sequence",
    "relay_answered",
    "relay_entry",
    "relay_refused",
    "reserve_sequence",
    "start_bundle",
]

FEED_CURSOR = "changes_cursor"
"""The changes feed's cursor, as the online puller keeps it (a bundle carries it)."""
OWN_BUNDLE = N_(
    "This bundle was made on this desk. Carry it to a desk that has a connection: it relays "
    "the bundle to LAPOR! and gives you the return bundle to bring back."
)
NOT_FOR_RELAY = N_("This is a return bundle already on this desk, not a bundle to relay.")
_PENDING = OutboxEntry.state == OutboxState.PENDING.value
_ORDER = (OutboxEntry.priority.desc(), OutboxEntry.id)


def contents_for_bundle(
    session: Session, vault: IdentityVault, *, again: bool = False
) -> BundleContents:
    """The pending protocol submissions, uploads and follow-ups a new bundle would carry.

    Never the website lane's; an entry another bundle carries only ``again``. Uploads and
    follow-ups go with a complaint in this bundle or one LAPOR! already accepted.
    """
    free: ColumnElement[bool] = true() if again else OutboxEntry.bundle_id.is_(None)
    rows = session.execute(
        select(OutboxEntry.id, OutboxEntry.complaint_id, OutboxEntry.ref_uuid)
        .add_columns(OutboxEntry.content_hash, Complaint.urgent)
        .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
        .where(
            _PENDING,
            free,
            OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
            PROTOCOL_DELIVERED,
        )
        .order_by(*_ORDER)
    ).all()
    contents = contents_of(session, vault, [r.complaint_id for r in rows])
    complaints: list[BundledComplaint] = []
    stale: list[str] = []
    for row in rows:
        content = contents[row.complaint_id]
        if content_hash(content) != row.content_hash:
            stale.append(row.ref_uuid)
            continue
        complaints.append(
            BundledComplaint(row.id, row.ref_uuid, row.content_hash, content, bool(row.urgent))
        )
    bundled = {c.client_uuid for c in complaints}
    carried = Complaint.tracking_id.is_not(None) | Complaint.uuid.in_(bundled)
    return BundleContents(
        submissions=tuple(complaints),
        uploads=tuple(_attachments(session, free, carried)),
        follow_ups=tuple(_follow_ups(session, free, carried)),
        stale=tuple(stale),
    )


def _attachments(
    session: Session, free: ColumnElement[bool], carried: ColumnElement[bool]
) -> list[BundledAttachment]:
    rows = session.execute(
        select(OutboxEntry.id, OutboxEntry.content_hash, Complaint.uuid)
        .add_columns(Attachment.filename, Attachment.media_type, Attachment.size_bytes)
        .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
        .join(
            Attachment,
            (Attachment.complaint_id == OutboxEntry.complaint_id)
            & (Attachment.sha256 == OutboxEntry.content_hash),
        )
        .where(
            _PENDING,
            free,
            OutboxEntry.kind == OutboxKind.UPLOAD_ATTACHMENT.value,
            PROTOCOL_DELIVERED,
            carried,
        )
        .order_by(*_ORDER)
    )
    return [
        BundledAttachment(r.id, r.uuid, r.content_hash, r.filename, r.media_type, r.size_bytes)
        for r in rows
    ]


def _follow_ups(
    session: Session, free: ColumnElement[bool], carried: ColumnElement[bool]
) -> list[BundledFollowUp]:
    rows = session.execute(
        select(OutboxEntry.id, OutboxEntry.ref_uuid, Complaint.uuid)
        .add_columns(FollowUpNote.text, FollowUpNote.created_at)
        .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
        .join(FollowUpNote, FollowUpNote.uuid == OutboxEntry.ref_uuid)
        .where(_PENDING, free, OutboxEntry.kind == OutboxKind.FOLLOW_UP.value, PROTOCOL_DELIVERED)
        .where(carried)
        .order_by(OutboxEntry.id)
    )
    return [BundledFollowUp(r.id, r.uuid, r.ref_uuid, r.text, r.created_at) for r in rows]


def feed_cursor(session: Session) -> str:
    """Where this desk's changes feed stands: a bundle carries it so the return says what moved."""
    row = session.get(SyncValue, FEED_CURSOR)
    return "" if row is None else row.value


def start_bundle(
    session: Session,
    *,
    bundle_id: str,
    sequence: int,
    origin_office: str,
    envelope_sha256: str,
    counts: Mapping[str, int],
    volumes: int,
    now: dt.datetime,
    outbox_ids: Iterable[int],
    direction: Direction = Direction.OUTBOUND,
) -> int:
    """Record the bundle made here and mark the entries it carries, in the caller's transaction.

    ``direction``: ``to_parent`` for a hand-over sealed to the parent office. Only entries
    still pending are marked (one sent online meanwhile stays as it is); the list rows of
    their complaints are named as changed. Returns the bundle's row id.
    """
    bundle = new_bundle(
        bundle_id,
        direction,
        BundleState.CARRIED,
        sequence=sequence,
        origin_office=origin_office,
        envelope_sha256=envelope_sha256,
        now=now,
        counts=counts,
        carried_since=now,
        volumes=volumes,
    )
    session.add(bundle)
    session.flush()
    name_changes(session, BUNDLES)
    ids = list(outbox_ids)
    if ids:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(ids), _PENDING)
            .values(bundle_id=bundle.id)
            .execution_options(synchronize_session=False)
        )
        name_entry_changes(session, ids)
    return bundle.id


# -- the relay lane ------------------------------------------------------------------------


def relay_entry(
    session: Session,
    *,
    bundle_id: str,
    sequence: int,
    origin_office: str,
    envelope_sha256: str,
    file_name: str,
    counts: Mapping[str, int],
    now: dt.datetime,
) -> int | BundleRefused | None:
    """Keep another desk's sealed bundle in this desk's outbox (the relay lane), unopened.

    None when this very envelope is already here (a second import changes nothing); a
    refusal for another envelope under the same bundle ID, or one of this desk's own.
    """
    held = find_bundle(session, bundle_id)
    if held is not None:
        if held.direction in MADE_HERE:
            return BundleRefused("own_bundle", Message(OWN_BUNDLE))
        if held.direction != Direction.RELAY.value:
            return BundleRefused("not_for_relay", Message(NOT_FOR_RELAY))
        if held.envelope_sha256 != envelope_sha256:
            return BundleRefused(
                "same_id_other_content",
                Message(
                    N_(
                        "Another bundle with the same ID (bundle {sequence} of office {office}) "
                        "is already here with other content; this one was not taken."
                    ),
                    {"sequence": held.sequence, "office": held.origin_office},
                ),
            )
        return None
    bundle = new_bundle(
        bundle_id,
        Direction.RELAY,
        BundleState.WAITING,
        sequence=sequence,
        origin_office=origin_office,
        envelope_sha256=envelope_sha256,
        now=now,
        counts=counts,
        file_name=file_name,
    )
    # Built here, not with ``outbox.enqueue``: a relay entry has no complaint of this desk.
    entry = OutboxEntry(
        complaint_id=None,
        kind=RELAY_BUNDLE,
        ref_uuid=bundle_id,
        content_hash=envelope_sha256,
        priority=NORMAL_PRIORITY,
        state=OutboxState.PENDING.value,
        attempts=0,
        last_error="",
        created_at=now,
    )
    session.add_all([bundle, entry])
    session.flush()
    name_changes(session, BUNDLES)
    return entry.id


def _relays_shape(query: Query) -> Query:
    return (
        query.add_columns(Bundle.id.label("bundle_row"), Bundle.file_name)
        .join(Bundle, Bundle.bundle_id == OutboxEntry.ref_uuid)
        .where(Bundle.direction == Direction.RELAY.value)
    )


def _relays_build(
    session: Session, rows: Sequence[Any]
) -> tuple[list[ClaimedRelay], dict[int, str]]:
    session.execute(
        update(Bundle)
        .where(Bundle.id.in_([r.bundle_row for r in rows]))
        .values(state=BundleState.SENDING.value)
        .execution_options(synchronize_session=False)
    )
    name_changes(session, BUNDLES)
    claimed = [
        ClaimedRelay(r.id, r.ref_uuid, r.content_hash, r.file_name, r.attempts, maybe_sent(r))
        for r in rows
    ]
    return claimed, {}


RELAYS = LaneClaim(RELAY_BUNDLE, _relays_shape, _relays_build)
"""Relayed bundles waiting for the national service, oldest first."""


def relay_answered(
    session: Session,
    outbox_id: int,
    return_sha256: str,
    return_file_name: str,
    now: dt.datetime,
    *,
    return_bundle_id: str | None = None,
) -> None:
    """The service answered: the entry is done, the bundle answered, and the return bundle
    (written to ``return_file_name``) waits here to be carried back."""
    bundle = _relayed(session, outbox_id)
    finish_entries(session, [outbox_id], named=False)
    bundle.state, bundle.updated_at, bundle.last_error = BundleState.ANSWERED.value, now, ""
    if return_bundle_id is None or find_bundle(session, return_bundle_id) is None:
        session.add(
            new_bundle(
                return_bundle_id or _derived_id(return_sha256),
                Direction.RETURN,
                BundleState.WAITING,
                sequence=bundle.sequence,
                origin_office=bundle.origin_office,
                envelope_sha256=return_sha256,
                now=now,
                counts=bundle.counts,
                in_reply_to=bundle.bundle_id,
                file_name=return_file_name,
            )
        )
    session.flush()
    name_changes(session, BUNDLES)


def relay_refused(session: Session, outbox_id: int, reason: str, now: dt.datetime) -> None:
    """The service refused the bundle: set aside for a person, the reason kept on both rows."""
    bundle = _relayed(session, outbox_id)
    quarantine_rows(session, {outbox_id: reason}, now)
    bundle.state, bundle.updated_at, bundle.last_error = BundleState.REFUSED.value, now, reason
    session.flush()
    name_changes(session, BUNDLES)


def _relayed(session: Session, outbox_id: int) -> Bundle:
    ref = session.scalar(
        select(OutboxEntry.ref_uuid).where(
            OutboxEntry.id == outbox_id, OutboxEntry.kind == RELAY_BUNDLE
        )
    )
    bundle = None if ref is None else find_bundle(session, ref)
    if bundle is None:
        raise LookupError(f"outbox entry {outbox_id} is not a relayed bundle")
    return bundle


def _derived_id(return_sha256: str) -> str:
    """A stable UUID for a return whose header ID the caller did not pass (its checksum's)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lapor-return:{return_sha256}"))
