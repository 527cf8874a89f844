"""A return bundle recorded as an online pass records its answers (docs/bundles.md).

The caller (the sync layer) has decoded the return and verified the national signature
on it and on every receipt; this module only applies the plain answers, in the caller's
transaction, with the online rules: the content digest tells the version LAPOR! holds
from an edit made since, and a second import of the same return changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.bundle_outbox import FEED_CURSOR
from lapor_desktop.services.bundle_records import (
    MADE_HERE,
    BundleRefused,
    BundleState,
    Direction,
    find_bundle,
    new_bundle,
)
from lapor_desktop.services.changes import BUNDLES
from lapor_desktop.services.outbox import SUBMISSION_KINDS, OutboxKind, OutboxState
from lapor_desktop.services.sync_feed import NationalChange, apply_changes
from lapor_desktop.services.sync_records import (
    StoredReceipt,
    finish_entries,
    mark_sent_rows,
    name_changes,
    quarantine_rows,
)
from lapor_desktop.storage.bundle_models import Bundle
from lapor_desktop.storage.models import Complaint, OutboxEntry, SyncValue

EDITED_SINCE = (
    "edited after it left in bundle {sequence}: LAPOR! received the version before the edit "
    "(tracking ID {tracking_id}); the edit needs a decision"
)
CONFLICT = "conflict: LAPOR! holds other content under this UUID ({tracking_id})"
"""As the online complaint lane words a conflict (``sync/engine/lanes/complaints.py``)."""
_OPEN = (OutboxState.PENDING.value, OutboxState.QUARANTINED.value)
_NOT_NEWS = frozenset({"already", "unknown"})
"""Counts of a return that changed nothing on this desk."""
ROUTE_BUNDLE = "bundle"
"""``Complaint.delivered_via`` of a complaint whose receipt came back in a return bundle
(the dashboard's "reached LAPOR! by route"); the protocol knows it as an online one."""


@dataclass(frozen=True)
class ReturnSummary:
    """What importing a return changed, for the messages; ``new`` False: already imported."""

    new: bool
    sent: int = 0
    already: int = 0
    """Receipts for complaints this desk had already recorded as sent."""
    edited: int = 0
    """Receipted, but edited since they were bundled: set aside with the tracking ID kept."""
    conflicts: int = 0
    rejected: int = 0
    attachments: int = 0
    follow_ups: int = 0
    changes: int = 0
    unknown: int = 0
    """Answers about records this desk does not hold (or no longer waits for)."""

    def counts(self) -> dict[str, int]:
        """Every count by name (each field but ``new``), for a message's arguments and the
        return row."""
        return {f.name: int(getattr(self, f.name)) for f in fields(self) if f.name != "new"}

    @property
    def answered(self) -> int:
        """Complaints of this desk the return answers (sent, known, edited, conflict, refused)."""
        return self.sent + self.already + self.edited + self.conflicts + self.rejected

    @property
    def nothing_new(self) -> bool:
        """Every count is zero but those of answers that change nothing here (``_NOT_NEWS``)."""
        return not any(n for name, n in self.counts().items() if name not in _NOT_NEWS)


def record_return(
    session: Session,
    *,
    return_bundle_id: str,
    in_reply_to: str,
    envelope_sha256: str,
    receipts: Mapping[str, StoredReceipt] | Iterable[StoredReceipt],
    conflicts: Mapping[str, str] | Iterable[tuple[str, str, str, str]] = (),
    rejections: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    uploads_stored: Iterable[tuple[str, str]] = (),
    follow_ups_stored: Iterable[str] = (),
    now: dt.datetime,
    changes: Sequence[NationalChange] = (),
    next_cursor: str | None = None,
    sequence: int = 0,
    origin_office: str = "",
) -> ReturnSummary | BundleRefused:
    """Record a verified return in the caller's transaction (its writers name what changed).

    ``conflicts``: (client UUID, tracking ID, server content hash, detail), or the reasons
    already worded by client UUID; ``rejections``: reasons by client UUID (or pairs);
    ``uploads_stored``: (complaint UUID, SHA-256); ``follow_ups_stored``: message UUIDs.
    ``changes`` are applied as the feed's; the feed cursor moves to
    ``next_cursor`` unless an online pass moved it since the bundle left (it is newer then).
    """
    held = find_bundle(session, return_bundle_id)
    if held is not None:
        if held.direction == Direction.RETURN.value and held.envelope_sha256 == envelope_sha256:
            return ReturnSummary(new=False)
        return BundleRefused(
            "same_id_other_content",
            Message(N_("A different bundle with the same ID was already imported on this desk.")),
        )
    outbound = find_bundle(session, in_reply_to)
    if outbound is None or outbound.direction not in MADE_HERE:
        return BundleRefused(
            "not_our_bundle",
            Message(N_("This return bundle answers a bundle that was not made on this desk.")),
        )
    found = _Answers(session, outbound.sequence, now)
    found.receipts(receipts.values() if isinstance(receipts, Mapping) else receipts)
    found.set_aside(_conflict_reasons(conflicts), dict(rejections))
    attachments = found.delivered(OutboxKind.UPLOAD_ATTACHMENT, uploads_stored)
    follow_ups = found.delivered(OutboxKind.FOLLOW_UP, ((m, None) for m in follow_ups_stored))
    applied = apply_changes(session, changes, now)
    cursor = session.get(SyncValue, FEED_CURSOR)
    if next_cursor is not None and (cursor is None or cursor.updated_at <= outbound.created_at):
        _put(session, FEED_CURSOR, next_cursor, now)
    summary = ReturnSummary(
        new=True,
        sent=found.sent,
        already=found.already,
        edited=found.edited,
        conflicts=found.conflicts,
        rejected=found.rejected,
        attachments=attachments,
        follow_ups=follow_ups,
        changes=applied,
        unknown=found.unknown,
    )
    outbound.state, outbound.updated_at = BundleState.ANSWERED.value, now
    session.add(
        new_bundle(
            return_bundle_id,
            Direction.RETURN,
            BundleState.IMPORTED,
            sequence=sequence,
            origin_office=origin_office,
            envelope_sha256=envelope_sha256,
            now=now,
            counts={"complaints": summary.answered, **summary.counts()},
            in_reply_to=in_reply_to,
        )
    )
    session.flush()
    name_changes(session, BUNDLES)
    return summary


def handed_out(session: Session, bundle_ids: Iterable[str], now: dt.datetime) -> int:
    """Return bundles written here for another desk, copied for the trip back; how many."""
    ids = list(bundle_ids)
    if not ids:
        return 0
    moved = session.execute(
        update(Bundle)
        .where(
            Bundle.bundle_id.in_(ids),
            Bundle.direction == Direction.RETURN.value,
            Bundle.state == BundleState.WAITING.value,
        )
        .values(state=BundleState.HANDED_OUT.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(moved, "rowcount", 0) or 0)
    if count:
        name_changes(session, BUNDLES)
    return count


class _Answers:
    """The complaint answers of one return, applied entry by entry with the online rules."""

    def __init__(self, session: Session, sequence: int, now: dt.datetime) -> None:
        self._session, self._sequence, self._now = session, sequence, now
        self.sent = self.already = self.edited = self.conflicts = self.rejected = 0
        self.unknown = 0

    def _submissions(self, uuids: Iterable[str]) -> dict[str, Any]:
        """Each complaint's latest open submission (pending, or set aside), else its row alone."""
        wanted = set(uuids)
        rows = self._session.execute(
            select(Complaint.uuid, Complaint.tracking_id, OutboxEntry.id, OutboxEntry.content_hash)
            .outerjoin(
                OutboxEntry,
                (OutboxEntry.complaint_id == Complaint.id)
                & OutboxEntry.kind.in_(SUBMISSION_KINDS)
                & OutboxEntry.state.in_(_OPEN),
            )
            .where(Complaint.uuid.in_(wanted))
            .order_by(OutboxEntry.id)
        )
        return {row.uuid: row for row in rows}

    def receipts(self, receipts: Iterable[StoredReceipt]) -> None:
        given = list(receipts)
        found = self._submissions(r.client_uuid for r in given)
        sent: dict[int, StoredReceipt] = {}
        edited: dict[int, str] = {}
        for receipt in given:
            row = found.get(receipt.client_uuid)
            if row is None:
                self.unknown += 1
            elif row.id is None:
                held = row.tracking_id == receipt.tracking_id
                self.already += int(held)
                self.unknown += int(not held)
            else:
                sent[row.id] = receipt
                if row.content_hash != receipt.content_hash:
                    edited[row.id] = EDITED_SINCE.format(
                        sequence=self._sequence, tracking_id=receipt.tracking_id
                    )
        if sent:
            mark_sent_rows(self._session, sent, self._now)
            self._session.execute(
                update(Complaint)
                .where(
                    Complaint.id.in_(
                        select(OutboxEntry.complaint_id).where(OutboxEntry.id.in_(sent))
                    )
                )
                .values(delivered_via=ROUTE_BUNDLE)
                .execution_options(synchronize_session=False)
            )
            done = [i for i in sent if i not in edited]
            finish_entries(self._session, done)
            if edited:
                quarantine_rows(self._session, edited, self._now)
        self.edited += len(edited)
        self.sent += len(sent) - len(edited)

    def set_aside(self, conflicts: Mapping[str, str], rejections: Mapping[str, str]) -> None:
        """Conflicts and refusals quarantined with their reasons; settled ones left alone."""
        reasons = {uuid: (reason, True) for uuid, reason in conflicts.items()}
        reasons.update({uuid: (reason, False) for uuid, reason in rejections.items()})
        found = self._submissions(reasons)
        quarantined: dict[int, str] = {}
        for client_uuid, (reason, conflict) in reasons.items():
            row = found.get(client_uuid)
            if row is None or row.id is None:
                self.unknown += 1
                continue
            quarantined[row.id] = reason
            self.conflicts += int(conflict)
            self.rejected += int(not conflict)
        if quarantined:
            quarantine_rows(self._session, quarantined, self._now)

    def delivered(self, kind: OutboxKind, stored: Iterable[tuple[str, str | None]]) -> int:
        """Uploads (complaint UUID, SHA-256) or follow-ups (message UUID) the service holds."""
        keys = list(stored)
        if not keys:
            return 0
        refs = {ref for ref, _ in keys}
        rows = self._session.execute(
            select(OutboxEntry.id, OutboxEntry.ref_uuid, OutboxEntry.content_hash).where(
                OutboxEntry.kind == kind.value,
                OutboxEntry.state == OutboxState.PENDING.value,
                OutboxEntry.ref_uuid.in_(refs),
            )
        )
        wanted = set(keys)
        done = [
            r.id
            for r in rows
            if (r.ref_uuid, r.content_hash) in wanted or (r.ref_uuid, None) in wanted
        ]
        finish_entries(self._session, done)
        return len(done)


def _conflict_reasons(
    conflicts: Mapping[str, str] | Iterable[tuple[str, str, str, str]],
) -> dict[str, str]:
    """Conflicts by client UUID, worded as the online lane words them."""
    if isinstance(conflicts, Mapping):
        return dict(conflicts)
    reasons: dict[str, str] = {}
    for client_uuid, tracking_id, _server_hash, detail in conflicts:
        text = CONFLICT.format(tracking_id=tracking_id)
        reasons[client_uuid] = f"{text}: {detail}" if detail else text
    return reasons


def _put(session: Session, key: str, value: str, now: dt.datetime) -> None:
    row = session.get(SyncValue, key)
    if row is None:
        session.add(SyncValue(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
