"""Saving many validated complaints inside the caller's transaction: a register at speed.

Each complaint gets what :meth:`IntakeService.submit` gives one: its
registration number, sealed identity, timeline event, outbox entry, audit
entry and word-index entry, from the same mappings (``valid_columns``, the
vault, the canonical digest, the outbox's route and priority). What a row at
a time pays again and again is paid once: one counter upsert reserves every
number, the audit chain's head is read once (under its lock) and continued in
memory, region labels are looked up once each, and rows go in with one
multi-row INSERT per table and chunk instead of a flush and a query each.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from lapor_desktop.domain.canonical import canonical_content, content_hash
from lapor_desktop.domain.complaint import ComplaintData
from lapor_desktop.domain.registration import format_registration_number
from lapor_desktop.domain.roles import Permission
from lapor_desktop.domain.status import Status, SyncState, check_move
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.intake import QUEUED_ACTION, valid_columns
from lapor_desktop.services.outbox import (
    NORMAL_PRIORITY,
    ROUTE_KINDS,
    URGENT_PRIORITY,
    OutboxState,
)
from lapor_desktop.services.permissions import require
from lapor_desktop.storage import search
from lapor_desktop.storage.models import (
    AuditEntry,
    ComplainantIdentity,
    Complaint,
    OutboxEntry,
    RegistrationCounter,
    StatusEvent,
)

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

CHUNK = 1_000
"""Rows per multi-row INSERT: large enough to pay a statement once per many rows, small
enough that a progress bar moves and SQLite's variable limit is never near."""
_LOOKUP_CHUNK = 500

Progress = Callable[[int, int], None]
"""Called with (rows saved so far, rows to save) after each chunk."""


@dataclass(frozen=True)
class BatchRow:
    """One complaint to save: its UUID (the importer's, stable across re-imports) and data."""

    uuid: str
    data: ComplaintData


@dataclass(frozen=True)
class BatchSaved:
    saved: dict[str, str]
    """Registration number by UUID, for every complaint written."""
    present: frozenset[str]
    """UUIDs already in the database when the transaction looked (another import won)."""


class IntakeBatch:
    """The intake for many complaints at once; the caller's session is its one transaction."""

    def __init__(self, context: DeskContext) -> None:
        self._ctx = context

    def save_in(
        self,
        session: Session,
        rows: Sequence[BatchRow],
        *,
        actor: Actor,
        progress: Progress | None = None,
    ) -> BatchSaved:
        """Queue every row not yet in the database; nothing is committed here.

        A row whose UUID is already present is left as it is and named in
        ``present``; the caller's transaction makes the whole batch all or nothing.
        """
        require(actor, Permission.RECORD_COMPLAINTS)
        check_move(Status.DRAFT, Status.QUEUED)
        present = _present(session, [r.uuid for r in rows])
        fresh = [r for r in rows if r.uuid not in present]
        saved: dict[str, str] = {}
        if not fresh:
            return BatchSaved(saved, frozenset(present))
        numbers = self._reserve_numbers(session, len(fresh))
        writer = _ChunkWriter(self._ctx, session, actor)
        for start in range(0, len(fresh), CHUNK):
            chunk = fresh[start : start + CHUNK]
            chunk_numbers = numbers[start : start + CHUNK]
            writer.write(chunk, chunk_numbers)
            saved.update(zip((r.uuid for r in chunk), chunk_numbers, strict=True))
            if progress is not None:
                progress(len(saved), len(fresh))
        return BatchSaved(saved, frozenset(present))

    def _reserve_numbers(self, session: Session, count: int) -> list[str]:
        """``count`` consecutive numbers of this station's day, by one upsert.

        The counter row stays locked until the transaction ends, as
        ``registration.next_registration_number`` does for one, so a rolled-back
        import gives its numbers back and no other save shares one.
        """
        ctx = self._ctx
        day = ctx.office_today()
        statement = (
            _counter_insert(session)
            .values(station_id=ctx.station.station_id, day=f"{day:%Y%m%d}", last_sequence=count)
            .on_conflict_do_update(
                index_elements=["station_id", "day"],
                set_={"last_sequence": RegistrationCounter.last_sequence + count},
            )
            .returning(RegistrationCounter.last_sequence)
        )
        last = int(session.execute(statement).scalar_one())
        office, station = ctx.office.office_code, ctx.station.station_id
        return [
            format_registration_number(office, day, station, sequence)
            for sequence in range(last - count + 1, last + 1)
        ]


class _ChunkWriter:
    """Writes chunks of complaints with everything that goes with each, in order."""

    def __init__(self, context: DeskContext, session: Session, actor: Actor) -> None:
        self._ctx = context
        self._session = session
        self._actor = actor
        self._vault = context.require_vault()
        self._now = context.now()
        self._kind = str(ROUTE_KINDS[context.office.website.route])
        self._labels: dict[str, str] = {}
        self._previous_hash: str | None = None

    def write(self, rows: Sequence[BatchRow], numbers: Sequence[str]) -> None:
        now, username = self._now, self._actor.username
        complaints, salts = [], []
        for row, number in zip(rows, numbers, strict=True):
            columns = valid_columns(row.data, self._label(row.data.region_code or ""))
            complaints.append(
                {
                    **columns,
                    "uuid": row.uuid,
                    "registration_number": number,
                    "office_code": self._ctx.office.office_code,
                    "station_id": self._ctx.station.station_id,
                    "status": Status.QUEUED.value,
                    "sync_state": SyncState.PENDING.value,
                    "created_by": username,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
            )
            salts.append(secrets.token_hex(16))
        ids = self._insert_complaints(complaints)
        identities, events, entries, words = [], [], [], []
        for complaint_id, row, values, salt in zip(ids, rows, complaints, salts, strict=True):
            sealed = self._vault.seal(row.uuid, row.data.identity, salt=salt)
            identities.append({"complaint_id": complaint_id, **vars(sealed)})
            events.append(
                {
                    "complaint_id": complaint_id,
                    "status": Status.QUEUED.value,
                    "occurred_at": now,
                    "actor": username,
                    "source": "local",
                    "note": "",
                }
            )
            digest = content_hash(canonical_content(row.uuid, row.data, (), salt))
            entries.append(
                {
                    "complaint_id": complaint_id,
                    "kind": self._kind,
                    "ref_uuid": row.uuid,
                    "content_hash": digest,
                    "priority": URGENT_PRIORITY if row.data.urgent else NORMAL_PRIORITY,
                    "state": OutboxState.PENDING.value,
                    "attempts": 0,
                    "last_error": "",
                    "created_at": now,
                    "needs_lookup": False,
                }
            )
            words.append(
                (complaint_id, " ".join(str(values[c] or "") for c in search.WORD_COLUMNS))
            )
        connection = self._session.connection()
        connection.execute(insert(_table(ComplainantIdentity)), identities)
        connection.execute(insert(_table(StatusEvent)), events)
        connection.execute(insert(_table(OutboxEntry)), entries)
        search.index_rows(connection, words)
        self._audit(rows, numbers)

    def _label(self, code: str) -> str:
        label = self._labels.get(code)
        if label is None:
            label = self._labels[code] = self._ctx.references.region_label(code)
        return label

    def _insert_complaints(self, complaints: list[dict[str, Any]]) -> list[int]:
        """Their ids, in the order given: read back by UUID, since a multi-row INSERT's
        RETURNING has no order SQLite promises (SQLAlchemy would send row by row)."""
        connection = self._session.connection()
        connection.execute(insert(_table(Complaint)), complaints)
        uuids = [c["uuid"] for c in complaints]
        ids: dict[str, int] = {}
        for start in range(0, len(uuids), _LOOKUP_CHUNK):
            chunk = uuids[start : start + _LOOKUP_CHUNK]
            found = select(Complaint.uuid, Complaint.id).where(Complaint.uuid.in_(chunk))
            ids.update((uuid, id_) for uuid, id_ in connection.execute(found))
        return [ids[u] for u in uuids]

    def _audit(self, rows: Sequence[BatchRow], numbers: Sequence[str]) -> None:
        """One entry per complaint, chained: the first through ``audit.record``, which takes
        the chain's lock and reads its head; the rest continue from it in memory."""
        station = self._ctx.station.station_id
        pending: list[dict[str, Any]] = []
        for row, number in zip(rows, numbers, strict=True):
            details = {"registration_number": number, "issues": [], "attachments": 0}
            if self._previous_hash is None:
                first = audit.record(
                    self._session,
                    at=self._now,
                    actor=self._actor.username,
                    station_id=station,
                    action=QUEUED_ACTION,
                    entity_type="complaint",
                    entity_id=row.uuid,
                    details=details,
                )
                self._previous_hash = first.entry_hash
                continue
            values: dict[str, Any] = {
                "occurred_at": self._now.astimezone(dt.UTC),
                "actor": self._actor.username,
                "station_id": station,
                "action": QUEUED_ACTION,
                "entity_type": "complaint",
                "entity_id": row.uuid,
                "details": details,
                "prev_hash": self._previous_hash,
            }
            values["entry_hash"] = self._previous_hash = audit.entry_hash(AuditEntry(**values))
            pending.append(values)
        if pending:
            # One statement, executed row by row in this order: ids follow the chain.
            self._session.connection().execute(insert(_table(AuditEntry)), pending)


def _table(model: type[Any]) -> Table:
    """The model's table, for core INSERTs (no per-object unit of work)."""
    return cast(Table, model.__table__)


def _present(session: Session, uuids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(set(uuids))
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        found.update(session.scalars(select(Complaint.uuid).where(Complaint.uuid.in_(chunk))))
    return found


def _counter_insert(session: Session) -> PostgresqlInsert | SqliteInsert:
    """The dialect's own INSERT, the one that knows ON CONFLICT (as ``registration`` does)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(RegistrationCounter)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(RegistrationCounter)
