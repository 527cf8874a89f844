"""The one place that knows leases: the claim query every outbox lane shares, and what ends a lease.

A lane (complaints, attachments, follow-ups, and the website and bundle lanes to come)
says only which entries it takes and how a row becomes what it hands out (a
``LaneClaim``). Everything else is common: due entries nobody holds, urgent first,
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (``BEGIN IMMEDIATE`` serialises the claim
on SQLite), a lease naming its holder with an expiry, an expired lease marking its
entry for a look-up before any resend, and results, backoffs and releases that end it.

A sync process holds its leases under ``process_owner`` (station, host, PID, start time):
the next process on the same host takes them back at once when that process is gone, so
a killed ``sync`` strands nothing for the lease's five minutes. Other holders (an
operator, a bundle) and other hosts' processes keep theirs until they expire.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.orm import Session

from lapor_desktop.services.inflight_edits import edited_in_flight
from lapor_desktop.services.outbox import OutboxKind, OutboxState
from lapor_desktop.services.sync_records import (
    BatchResults,
    finish_entries,
    mark_sent_rows,
    name_entry_changes,
    quarantine_rows,
)
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Complaint, OutboxEntry

DEFAULT_LEASE = dt.timedelta(minutes=5)
PROCESS_PREFIX = "sync:"
_PROCESS_OWNER = re.compile(r"sync:[^@]*@(?P<host>[^/]*)/(?P<pid>\d+)/(?P<start>\d*)")
Query = Select[*tuple[Any, ...]]
"""A claim's query: the entry columns and whatever a lane adds."""

ENTRY_COLUMNS = (
    OutboxEntry.id,
    OutboxEntry.complaint_id,
    OutboxEntry.ref_uuid,
    OutboxEntry.content_hash,
    OutboxEntry.attempts,
    OutboxEntry.needs_lookup,
    OutboxEntry.lease_expires_at,
)
"""What every claim reads of its entries; a lane adds its own columns and joins."""


class Leased(Protocol):
    """What a lane hands out: enough for the shared loop to settle, retry or release it."""

    @property
    def outbox_id(self) -> int: ...
    @property
    def attempts(self) -> int: ...


C = TypeVar("C", bound=Leased)


@dataclass(frozen=True)
class LaneClaim(Generic[C]):
    """One lane's claim filter: its kind, its extra columns and filters, and its rows' meaning.

    ``build`` turns the claimed rows into what the lane sends, and names the rows it
    sets aside at once (with the reason), e.g. content that changed since it was queued.
    ``lease`` overrides the holder's lease (an operator typing, a bundle on a USB stick).
    """

    kind: str
    shape: Callable[[Query], Query]
    build: Callable[[Session, Sequence[Any]], tuple[list[C], dict[int, str]]]
    lease: dt.timedelta | None = None


@dataclass(frozen=True)
class Lease:
    """Who holds an entry, and until when (a website operator, a bundle, a sync process)."""

    owner: str
    expires_at: dt.datetime
    taken_at: dt.datetime | None = None


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:16]


def process_owner(station: str) -> str:
    """This process as a lease holder (at most 64 characters): who can tell when it is gone."""
    pid = os.getpid()
    return f"{PROCESS_PREFIX}{station[:8]}@{_host()}/{pid}/{_started(pid) or ''}"


def owner_gone(owner: str) -> bool:
    """A holder in ``process_owner`` form on this host whose process ended (or whose PID
    another process now has); anything else is never gone before its lease expires."""
    found = _PROCESS_OWNER.fullmatch(owner)
    if found is None or found["host"] != _host():
        return False
    started = _started(int(found["pid"]))
    return started is None or bool(found["start"] and started and started != found["start"])


def _started(pid: int) -> str | None:
    """The process's start time as the OS counts it; "" alive but unknown; None: no process."""
    if sys.platform == "win32":
        return _windows_started(pid)
    if not os.path.isdir("/proc/self"):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return ""
        return ""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[-1].split()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    return None if fields[0] in (b"Z", b"X") else fields[19].decode()


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    def _windows_started(pid: int) -> str | None:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return None if ctypes.get_last_error() == 87 else ""  # 87: no such process
        try:
            code, times = wintypes.DWORD(), [wintypes.FILETIME() for _ in range(4)]
            if kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value != 259:
                return None  # 259: STILL_ACTIVE
            if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
                return ""
            return str(times[0].dwHighDateTime << 32 | times[0].dwLowDateTime)
        finally:
            kernel32.CloseHandle(handle)


def stranded_owners(session: Session, now: dt.datetime) -> list[str]:
    """Process holders of live leases whose process is gone: their leases are free now."""
    held = session.scalars(
        select(OutboxEntry.lease_owner)
        .where(
            OutboxEntry.state == OutboxState.PENDING.value,
            OutboxEntry.lease_expires_at >= now,
            OutboxEntry.lease_owner.like(PROCESS_PREFIX + "%"),
        )
        .distinct()
    )
    return [owner for owner in held if owner is not None and owner_gone(owner)]


def maybe_sent(row: Any) -> bool:
    """Whether a claimed row may already be at the server: flagged, or a lease nobody gave back."""
    return bool(row.needs_lookup) or row.lease_expires_at is not None


def due(
    kind: str | None, now: dt.datetime, stranded: Sequence[str] = ()
) -> list[ColumnElement[bool]]:
    """Pending entries (of ``kind``) that nobody holds and whose backoff has run out.

    ``stranded``: holders that are gone (``stranded_owners``), whose leases count as free.
    """
    conditions = [
        OutboxEntry.state == OutboxState.PENDING.value,
        or_(
            OutboxEntry.lease_expires_at.is_(None),
            OutboxEntry.lease_expires_at < now,
            OutboxEntry.lease_owner.in_(stranded),
        ),
        or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now),
    ]
    if kind is not None:
        conditions.append(OutboxEntry.kind == kind)
    return conditions


def for_sync() -> ColumnElement[bool]:
    """Entries a sync process sends: not the website lane's, nor what follows a complaint there
    (LAPOR! knows it by its website form, with no protocol record to attach to)."""
    on_website = (
        select(Complaint.id)
        .where(Complaint.id == OutboxEntry.complaint_id, Complaint.delivered_via == "website")
        .exists()
    )
    return (OutboxEntry.kind != OutboxKind.WEBSITE_SUBMIT.value) & ~on_website


class OutboxLeases:
    """``owner`` names this process in the leases it takes (up to 64 characters).

    ``write`` opens the write transactions (the store's, which announces what its
    writers noted once it commits); the database's own by default.
    """

    def __init__(
        self,
        database: Database,
        clock: Callable[[], dt.datetime],
        *,
        owner: str,
        lease: dt.timedelta = DEFAULT_LEASE,
        write: Callable[[], AbstractContextManager[Session]] | None = None,
    ) -> None:
        self._db = database
        self._write = write or database.write
        self._clock = clock
        self._owner = owner[:64]
        self._lease = lease

    def claim(self, lane: LaneClaim[C], limit: int, *, owner: str | None = None) -> list[C]:
        """Lease up to ``limit`` of the lane's due entries, urgent first, skipping rows others hold.

        ``owner`` names another holder than this process (the operator who types it).
        """
        now = self._clock()
        with self._write() as session:
            query: Query = (
                select(*ENTRY_COLUMNS)
                .where(*due(lane.kind, now, stranded_owners(session, now)))
                .order_by(OutboxEntry.priority.desc(), OutboxEntry.id)
                .limit(limit)
            )
            rows = session.execute(
                lane.shape(query).with_for_update(skip_locked=True, of=OutboxEntry)
            ).all()
            if not rows:
                return []
            claimed, set_aside = lane.build(session, rows)
            self._lease_rows(session, rows, now, set_aside, owner, lane.lease)
            if set_aside:
                quarantine_rows(session, set_aside, now)
        return claimed

    def _lease_rows(
        self,
        session: Session,
        rows: Sequence[Any],
        now: dt.datetime,
        set_aside: Mapping[int, str],
        owner: str | None,
        lease: dt.timedelta | None,
    ) -> None:
        taken = [r.id for r in rows if r.id not in set_aside]
        if not taken:
            return
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(taken))
            .values(
                lease_owner=(owner or self._owner)[:64],
                lease_expires_at=now + (lease or self._lease),
                lease_taken_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        # A lease nobody gave back: its holder died, perhaps mid-send.
        expired = [r.id for r in rows if r.id not in set_aside and r.lease_expires_at is not None]
        if expired:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(expired))
                .values(needs_lookup=True)
                .execution_options(synchronize_session=False)
            )

    def holder(self, outbox_id: int) -> Lease | None:
        """Who holds the entry now, or None when nobody does (or the lease ran out)."""
        with self._db.read() as session:
            entry = session.get_one(OutboxEntry, outbox_id)
            if entry.lease_owner is None or entry.lease_expires_at is None:
                return None
            if entry.lease_expires_at < self._clock() or owner_gone(entry.lease_owner):
                return None
            return Lease(entry.lease_owner, entry.lease_expires_at, entry.lease_taken_at)

    def record(self, results: BatchResults) -> None:
        """Everything one exchange settled, in one transaction; its leases end with it.

        Its writers name every complaint it touched (receipts, set-asides, and the uploads
        and follow-ups delivered), for the store to announce once it commits.
        """
        if not results:
            return
        now = self._clock()
        with self._write() as session:
            edited = edited_in_flight(session, results.receipts) if results.receipts else {}
            if results.receipts:
                mark_sent_rows(session, results.receipts, now)
            done = [i for i in (*results.receipts, *results.delivered) if i not in edited]
            finish_entries(session, done, named=False)
            name_entry_changes(session, [i for i in results.delivered if i not in edited])
            if results.quarantined or edited:
                quarantine_rows(session, {**results.quarantined, **edited}, now)

    def defer(
        self,
        outbox_ids: Iterable[int],
        error: str,
        next_attempt_at: dt.datetime,
        *,
        maybe_delivered: bool,
    ) -> None:
        """A failed attempt: count it, wait until ``next_attempt_at``, maybe look up first."""
        values: dict[str, object] = {
            "attempts": OutboxEntry.attempts + 1,
            "last_error": error,
            "next_attempt_at": next_attempt_at,
        }
        if maybe_delivered:
            values["needs_lookup"] = True
        self._end(outbox_ids, values, changed=True)

    def release(self, outbox_ids: Iterable[int]) -> None:
        """Give leases back untried (the pass stopped before sending these)."""
        self._end(outbox_ids, {}, changed=False)

    def _end(self, outbox_ids: Iterable[int], values: dict[str, object], *, changed: bool) -> None:
        ids = list(outbox_ids)
        if not ids:
            return
        with self._write() as session:
            finish_entries(session, ids, values=values, named=changed)

    def due_count(self) -> int:
        """Entries any sync could send now (the total a pass's progress counts to)."""
        now = self._clock()
        with self._db.read() as session:
            stranded = stranded_owners(session, now)
            found = session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(*due(None, now, stranded), for_sync())
            )
            return int(found or 0)

    def left(self, lane: LaneClaim[Any]) -> int:
        """The lane's pending entries that a sync process could still send, now or later.

        Whatever their backoff, and whether a sync process holds them or not; never what
        an operator or a bundle holds.
        """
        now = self._clock()
        with self._db.read() as session:
            query: Query = select(*ENTRY_COLUMNS).where(
                OutboxEntry.state == OutboxState.PENDING.value,
                OutboxEntry.kind == lane.kind,
                or_(
                    OutboxEntry.lease_expires_at.is_(None),
                    OutboxEntry.lease_expires_at < now,
                    OutboxEntry.lease_owner.like(PROCESS_PREFIX + "%"),
                ),
            )
            found = session.scalar(select(func.count()).select_from(lane.shape(query).subquery()))
            return int(found or 0)
