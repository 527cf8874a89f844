"""The reference server's records: complaints, follow-ups and the changes feed.

One lock serialises writers (device tokens in ``devices.py`` share it).
Besides keeping SQLite happy, it guarantees that change sequence numbers
become visible in order, so a reader paging by ``seq`` can never skip a
change that commits late (the gap problem of sequences under concurrent
writers).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Row, func, select, update
from sqlalchemy.dialects.sqlite import insert

from lapor_desktop.domain.status import Status
from sync.protocol.messages import (
    Accepted,
    Change,
    ChangeKind,
    Conflict,
    Duplicate,
    FollowUp,
    FollowUpOutcome,
    ItemResult,
    Receipt,
    SubmissionItem,
)
from sync.protocol.receipts import ReceiptSigner
from sync.reference_server import workflow
from sync.reference_server.config import WorkflowTimings
from sync.reference_server.schema import (
    changes,
    complaints,
    duplicate_copies,
    follow_ups,
    open_engine,
)

FIRST_TRACKING_NO = 1_000_001
_ADVANCE_CHUNK = 500


@dataclass(frozen=True)
class StoredComplaint:
    client_uuid: str
    content_hash: str
    tracking_id: str
    office_code: str
    status: str
    received_at: dt.datetime
    receipt: Receipt


class FollowUpRefused(Exception):
    """``reason`` is ``not-found``, ``forbidden`` or ``conflict``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Store:
    def __init__(
        self,
        path: Path,
        timings: WorkflowTimings,
        agency_name: Callable[[str | None], str | None],
    ) -> None:
        self.engine = open_engine(path)
        self.lock = threading.Lock()
        self._timings = timings
        self._agency_name = agency_name
        with self.engine.connect() as conn:
            highest = max(
                conn.scalar(select(func.max(complaints.c.tracking_no))) or 0,
                conn.scalar(select(func.max(duplicate_copies.c.tracking_no))) or 0,
            )
        self._next_tracking = max(highest + 1, FIRST_TRACKING_NO)

    def close(self) -> None:
        self.engine.dispose()

    def _tracking_no(self) -> int:
        number = self._next_tracking
        self._next_tracking += 1
        return number

    def submit(
        self,
        office_code: str,
        items: Sequence[tuple[int, SubmissionItem]],
        *,
        now: dt.datetime,
        signer: ReceiptSigner,
        deduplicate: bool,
        conflict_detail: str,
    ) -> dict[int, ItemResult]:
        """Store what is new, recognise what is not; one transaction for the whole batch."""
        if not items:
            return {}
        with self.lock, self.engine.begin() as conn:
            proposed: dict[int, int] = {}
            rows = []
            for index, item in items:
                number = proposed[index] = self._tracking_no()
                receipt = signer.sign(item.client_uuid, item.content_hash, str(number), now)
                progress = workflow.start(item.client_uuid, now, self._timings)
                agency = item.content.get("agency_code")
                rows.append(
                    {
                        "client_uuid": item.client_uuid,
                        "content_hash": item.content_hash,
                        "tracking_no": number,
                        "office_code": office_code,
                        "content_json": json.dumps(item.content, ensure_ascii=False),
                        "agency_code": agency if isinstance(agency, str) else None,
                        "received_at": now,
                        "key_id": receipt.key_id,
                        "signature": receipt.signature,
                        "status": Status.SENT.value,
                        "fate": progress.fate.value,
                        "step": progress.step,
                        "next_step_at": progress.next_step_at,
                    }
                )
            conn.execute(
                insert(complaints).on_conflict_do_nothing(index_elements=["client_uuid"]), rows
            )
            uuids = {item.client_uuid for _, item in items}
            held = {
                r.client_uuid: r
                for r in conn.execute(select(complaints).where(complaints.c.client_uuid.in_(uuids)))
            }
            results: dict[int, ItemResult] = {}
            for index, item in items:
                row = held[item.client_uuid]
                tracking_id = str(row.tracking_no)
                if row.tracking_no == proposed[index]:
                    results[index] = Accepted(index, item.client_uuid, tracking_id, _receipt(row))
                elif row.content_hash != item.content_hash:
                    results[index] = Conflict(
                        index, item.client_uuid, tracking_id, row.content_hash, conflict_detail
                    )
                elif deduplicate:
                    results[index] = Duplicate(index, item.client_uuid, tracking_id, _receipt(row))
                else:
                    results[index] = self._store_copy(conn, office_code, index, item, now, signer)
            return results

    def _store_copy(
        self,
        conn: Connection,
        office_code: str,
        index: int,
        item: SubmissionItem,
        now: dt.datetime,
        signer: ReceiptSigner,
    ) -> Accepted:
        """The non-deduplicating fault: what a server without the unique constraint would do."""
        number = self._tracking_no()
        conn.execute(
            duplicate_copies.insert().values(
                client_uuid=item.client_uuid,
                content_hash=item.content_hash,
                tracking_no=number,
                office_code=office_code,
                received_at=now,
            )
        )
        receipt = signer.sign(item.client_uuid, item.content_hash, str(number), now)
        return Accepted(index, item.client_uuid, str(number), receipt)

    def lookup(self, client_uuid: str) -> StoredComplaint | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(complaints).where(complaints.c.client_uuid == client_uuid)
            ).first()
        if row is None:
            return None
        return StoredComplaint(
            client_uuid=row.client_uuid,
            content_hash=row.content_hash,
            tracking_id=str(row.tracking_no),
            office_code=row.office_code,
            status=row.status,
            received_at=row.received_at,
            receipt=_receipt(row),
        )

    def add_follow_up(
        self, office_code: str, client_uuid: str, message: FollowUp, now: dt.datetime
    ) -> tuple[FollowUpOutcome, dt.datetime]:
        """Store a follow-up once per message UUID; raises :class:`FollowUpRefused`."""
        with self.lock, self.engine.begin() as conn:
            complaint = conn.execute(
                select(complaints).where(complaints.c.client_uuid == client_uuid)
            ).first()
            if complaint is None:
                raise FollowUpRefused("not-found")
            if complaint.office_code != office_code:
                raise FollowUpRefused("forbidden")
            inserted = conn.execute(
                insert(follow_ups)
                .values(
                    message_uuid=message.message_uuid,
                    complaint_id=complaint.id,
                    text=message.text,
                    written_at=message.written_at,
                    received_at=now,
                )
                .on_conflict_do_nothing(index_elements=["message_uuid"])
            ).rowcount
            if inserted == 1:
                self._resume_after_reply(conn, complaint, now)
                return FollowUpOutcome.ACCEPTED, now
            held = conn.execute(
                select(follow_ups).where(follow_ups.c.message_uuid == message.message_uuid)
            ).one()
            if held.complaint_id != complaint.id or held.text != message.text:
                raise FollowUpRefused("conflict")
            return FollowUpOutcome.DUPLICATE, held.received_at

    def _resume_after_reply(
        self, conn: Connection, complaint: Row[tuple[object, ...]], now: dt.datetime
    ) -> None:
        current = workflow.Progress(
            workflow.Fate(complaint.fate), complaint.step, complaint.next_step_at
        )
        resumed = workflow.on_reply(current, now, self._timings)
        if resumed is not None:
            conn.execute(
                update(complaints)
                .where(complaints.c.id == complaint.id)
                .values(
                    fate=resumed.fate.value, step=resumed.step, next_step_at=resumed.next_step_at
                )
            )

    def advance(self, now: dt.datetime) -> int:
        """Play the national desk up to ``now``; the number of changes it produced."""
        produced = 0
        with self.lock, self.engine.begin() as conn:
            while True:
                due = conn.execute(
                    select(complaints)
                    .where(complaints.c.next_step_at <= now)
                    .order_by(complaints.c.next_step_at, complaints.c.id)
                    .limit(_ADVANCE_CHUNK)
                ).all()
                for row in due:
                    produced += self._advance_one(conn, row, now)
                if len(due) < _ADVANCE_CHUNK:
                    return produced

    def _advance_one(self, conn: Connection, row: Row[tuple[object, ...]], now: dt.datetime) -> int:
        current = workflow.Progress(workflow.Fate(row.fate), row.step, row.next_step_at)
        events, progress = workflow.advance(
            current,
            now,
            self._timings,
            client_uuid=row.client_uuid,
            agency_code=row.agency_code,
            agency_name=self._agency_name(row.agency_code),
        )
        if events:
            conn.execute(
                changes.insert(),
                [
                    {
                        "complaint_id": row.id,
                        "office_code": row.office_code,
                        "kind": e.kind.value,
                        "status": e.status.value,
                        "text": e.text,
                        "agency_code": e.agency_code,
                        "occurred_at": e.occurred_at,
                    }
                    for e in events
                ],
            )
        conn.execute(
            update(complaints)
            .where(complaints.c.id == row.id)
            .values(
                status=events[-1].status.value if events else row.status,
                step=progress.step,
                next_step_at=progress.next_step_at,
            )
        )
        return len(events)

    def changes_after(
        self, office_code: str, after_seq: int, limit: int
    ) -> tuple[list[tuple[int, Change]], bool]:
        """Up to ``limit`` changes of one office after ``after_seq``, and whether more follow."""
        query = (
            select(changes, complaints.c.client_uuid, complaints.c.tracking_no)
            .join(complaints, complaints.c.id == changes.c.complaint_id)
            .where(changes.c.office_code == office_code, changes.c.seq > after_seq)
            .order_by(changes.c.seq)
            .limit(limit + 1)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        page = [
            (
                row.seq,
                Change(
                    change_id=str(row.seq),
                    client_uuid=row.client_uuid,
                    tracking_id=str(row.tracking_no),
                    kind=ChangeKind(row.kind),
                    status=row.status,
                    text=row.text,
                    agency_code=row.agency_code,
                    occurred_at=row.occurred_at,
                ),
            )
            for row in rows[:limit]
        ]
        return page, len(rows) > limit

    def last_change_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.max(changes.c.seq))) or 0)

    def copies_of(self, client_uuid: str) -> int:
        """How many times the server holds this complaint: 1 unless deduplication failed."""
        with self.engine.connect() as conn:
            main = conn.scalar(select(func.count()).where(complaints.c.client_uuid == client_uuid))
            extra = conn.scalar(
                select(func.count()).where(duplicate_copies.c.client_uuid == client_uuid)
            )
        return int(main or 0) + int(extra or 0)

    def summary(self) -> dict[str, object]:
        """Counts for the chaos tests: how many complaints, and which were stored twice."""
        with self.engine.connect() as conn:
            held = conn.scalar(select(func.count()).select_from(complaints))
            extra = conn.scalar(select(func.count()).select_from(duplicate_copies))
            twice = conn.scalars(select(duplicate_copies.c.client_uuid).distinct()).all()
        return {"complaints": int(held or 0), "extra_copies": int(extra or 0), "duplicated": twice}

    def stored_contents(self) -> list[tuple[str, str, dict[str, object]]]:
        """Every complaint as (client UUID, content hash, content): for tests auditing the store."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    complaints.c.client_uuid, complaints.c.content_hash, complaints.c.content_json
                )
            ).all()
        return [(r.client_uuid, r.content_hash, json.loads(r.content_json)) for r in rows]


def _receipt(row: Row[tuple[object, ...]]) -> Receipt:
    return Receipt(
        client_uuid=row.client_uuid,
        content_hash=row.content_hash,
        tracking_id=str(row.tracking_no),
        server_time=row.received_at,
        key_id=row.key_id,
        signature=row.signature,
    )
