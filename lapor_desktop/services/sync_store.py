"""The database side of the sync engine: leases on the outbox, receipts, quarantine, the feed.

The engine (``sync/``) never sees an ORM object: it gets plain dataclasses
and hands back plain values, so it can run in a background thread or a
separate process. Every method is one short transaction; nothing is held
open across a network call, and a lease (with an expiry) is what keeps two
workstations of an office from sending the same record at the same time.
A whole exchange's results are recorded in one transaction (``record``):
a record counts as sent only once that commits, and a process killed
before it leaves leases that expire into a lookup before any resend.
The leases themselves live in ``outbox_leases`` (one claim query for every
lane); the lanes' claim filters in ``outbox_lanes``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lapor_desktop.attachments.store import AttachmentStore
from lapor_desktop.reference.dataset import ReferenceDataset
from lapor_desktop.reference.store import ReferenceLookup, install
from lapor_desktop.services import bundle_outbox, device_keys
from lapor_desktop.services.bundle_outbox import RELAYS
from lapor_desktop.services.bundle_records import ClaimedRelay
from lapor_desktop.services.changes import REFERENCE_DATA
from lapor_desktop.services.events import EventHub
from lapor_desktop.services.identity_vault import IdentityVault
from lapor_desktop.services.outbox import OutboxState
from lapor_desktop.services.outbox_lanes import FOLLOW_UPS, UPLOADS, submissions
from lapor_desktop.services.outbox_leases import (
    DEFAULT_LEASE,
    LaneClaim,
    Leased,
    OutboxLeases,
    process_owner,
)
from lapor_desktop.services.sync_feed import NationalChange, apply_changes
from lapor_desktop.services.sync_records import (
    BatchResults,
    ClaimedFollowUp,
    ClaimedSubmission,
    ClaimedUpload,
    StoredReceipt,
    named_changes,
)
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import OutboxEntry, SyncValue


@dataclass(frozen=True)
class Enrolment:
    """This desk's public bundle keys and what the service knows of them."""

    signing_key: str
    sealing_key: str
    key_id: str
    registered: bool
    national_key: str | None


REFERENCE_ETAG_KEY = "reference_etag"
REFERENCE_SOURCE = "national"
C = TypeVar("C", bound=Leased)

__all__ = [
    "BatchResults",
    "ClaimedFollowUp",
    "ClaimedSubmission",
    "ClaimedUpload",
    "NationalChange",
    "StoredReceipt",
    "SyncStore",
]


class SyncStore:
    """``owner`` names this workstation (its station ID) in the leases it takes.

    Its leases name this process too (``process_owner``), so that the next process takes
    them back at once if this one dies; ``lease_owner`` names another holder instead.

    ``files`` opens attachments for upload; ``references`` is told when a new
    reference set is installed. Both may be left out where nothing needs them.
    ``hub`` hears what each committed write changed (complaints sent, set
    aside or moved by the feed; a new reference set).
    """

    def __init__(
        self,
        database: Database,
        vault: IdentityVault,
        clock: Callable[[], dt.datetime],
        *,
        owner: str,
        lease: dt.timedelta = DEFAULT_LEASE,
        lease_owner: str | None = None,
        files: AttachmentStore | None = None,
        references: ReferenceLookup | None = None,
        hub: EventHub | None = None,
    ) -> None:
        self._hub = hub or EventHub()
        self._db = database
        self._vault = vault
        self._clock = clock
        self._files = files
        self._references = references
        self.leases = OutboxLeases(
            database,
            clock,
            owner=lease_owner or process_owner(owner),
            lease=lease,
            write=self._write,
        )
        """The one place that knows leases; every lane claims and settles through it."""
        self._submissions = submissions(vault)

    # -- the outbox lanes ------------------------------------------------------------------------

    def claim(self, lane: LaneClaim[C], limit: int, *, owner: str | None = None) -> list[C]:
        """Lease up to ``limit`` of a lane's due entries (``outbox_leases``: the one claim)."""
        return self.leases.claim(lane, limit, owner=owner)

    def claim_submissions(self, limit: int) -> list[ClaimedSubmission]:
        """Lease due submissions, urgent first, with their content; stale ones set aside."""
        return self.leases.claim(self._submissions, limit)

    def claim_uploads(self, limit: int) -> list[ClaimedUpload]:
        """Lease due attachment uploads of complaints the server has accepted, urgent first."""
        return self.leases.claim(UPLOADS, limit)

    def claim_follow_ups(self, limit: int) -> list[ClaimedFollowUp]:
        """Lease due follow-up notes of complaints the server has accepted, oldest first."""
        return self.leases.claim(FOLLOW_UPS, limit)

    def open_attachment(self, sha256: str) -> BinaryIO:
        """The plaintext of a stored attachment, seekable, one chunk in memory at a time.

        FileNotFoundError when the file is not in this desk's store.
        """
        if self._files is None:
            raise FileNotFoundError(sha256)
        return self._files.open_plaintext(sha256)  # type: ignore[return-value]

    def record(self, results: BatchResults) -> None:
        """Everything one exchange settled, in one transaction."""
        self.leases.record(results)

    def mark_sent(self, outbox_id: int, receipt: StoredReceipt) -> None:
        """The server holds it: keep the tracking ID and receipt; the entry is done."""
        self.record(BatchResults(receipts={outbox_id: receipt}))

    def quarantine(self, outbox_id: int, reason: str) -> None:
        """Keep it for a person with the server's reason; the rest of the queue goes on."""
        self.record(BatchResults(quarantined={outbox_id: reason}))

    def defer(
        self,
        outbox_ids: Iterable[int],
        error: str,
        next_attempt_at: dt.datetime,
        *,
        maybe_delivered: bool,
    ) -> None:
        """A failed attempt: count it, wait until ``next_attempt_at``, maybe look up first."""
        self.leases.defer(outbox_ids, error, next_attempt_at, maybe_delivered=maybe_delivered)

    def release(self, outbox_ids: Iterable[int]) -> None:
        """Give leases back untried (the pass stopped before sending these)."""
        self.leases.release(outbox_ids)

    # -- relayed bundles and this desk's bundle keys (docs/bundles.md) --------------------------

    def claim_relays(self, limit: int) -> list[ClaimedRelay]:
        """Lease another desk's sealed bundles waiting to be relayed, oldest first."""
        return self.leases.claim(RELAYS, limit)

    def relay_answered(
        self, outbox_id: int, *, return_sha256: str, return_file_name: str, return_bundle_id: str
    ) -> None:
        """The service applied the bundle; its return bundle waits at ``return_file_name``."""
        with self._write() as session:
            bundle_outbox.relay_answered(
                session,
                outbox_id,
                return_sha256,
                return_file_name,
                self._clock(),
                return_bundle_id=return_bundle_id,
            )

    def relay_refused(self, outbox_id: int, reason: str) -> None:
        with self._write() as session:
            bundle_outbox.relay_refused(session, outbox_id, reason, self._clock())

    def bundle_enrolment(self) -> Enrolment:
        """What this desk must still tell the service or learn from it (keys made at first)."""
        with self._db.write() as session:
            keys = device_keys.load_or_create(session, device_keys.vault_cipher(self._vault))
            return Enrolment(
                signing_key=keys.signing_public_b64,
                sealing_key=keys.sealing_public_b64,
                key_id=keys.signing_key_id,
                registered=device_keys.is_registered(session, keys),
                national_key=device_keys.national_bundle_key_text(session),
            )

    def enrolled(self, *, registered_key_id: str | None, national_key: str | None) -> None:
        """Keep what the service confirmed: our keys registered, its bundle key."""
        now = self._clock()
        with self._db.write() as session:
            if registered_key_id is not None:
                device_keys.set_registered(session, registered_key_id, now=now)
            if national_key is not None:
                device_keys.set_national_bundle_key(session, national_key, now=now)

    def attempts_of(self, outbox_id: int) -> int:
        with self._db.read() as session:
            return session.get_one(OutboxEntry, outbox_id).attempts

    # -- the feed, reference data and small values ---------------------------------------------

    def apply_changes(self, changes: Sequence[NationalChange], next_cursor: str) -> int:
        """Apply a feed page and store its cursor in one transaction; returns how many applied."""
        now = self._clock()
        with self._write() as session:
            applied = apply_changes(session, changes, now)
            _put(session, "changes_cursor", next_cursor, now)
        return applied

    def install_reference(self, dataset: ReferenceDataset, etag: str | None) -> None:
        """Replace regions, agencies and categories wholesale, with the ETag, in one transaction.

        The server sends a set only when its ETag differs from ours, so any set
        that arrives is installed, even under an unchanged version name.
        """
        now = self._clock()
        with self._db.write() as session:
            install(session, dataset, source=REFERENCE_SOURCE, now=now)
            if etag:
                _put(session, REFERENCE_ETAG_KEY, etag, now)
        if self._references is not None:
            self._references.invalidate()
        self._hub.publish(REFERENCE_DATA)

    def get_value(self, key: str) -> str | None:
        with self._db.read() as session:
            row = session.get(SyncValue, key)
            return None if row is None else row.value

    def get_values(self, keys: Iterable[str]) -> dict[str, str | None]:
        """Several values in one read (None for a key never set)."""
        wanted = list(keys)
        with self._db.read() as session:
            rows = session.scalars(select(SyncValue).where(SyncValue.key.in_(wanted)))
            found = {row.key: row.value for row in rows}
        return {key: found.get(key) for key in wanted}

    def set_value(self, key: str, value: str) -> None:
        self.set_values({key: value})

    def set_values(self, values: Mapping[str, str]) -> None:
        """Several values in one transaction (a pass's outcome, time and clock offset)."""
        now = self._clock()
        with self._db.write() as session:
            for key, value in values.items():
                _put(session, key, value, now)

    def due_count(self) -> int:
        """Entries any workstation could send now (the total a pass's progress counts to)."""
        return self.leases.due_count()

    def left(self) -> int:
        """What this desk's sync lanes could still send, now or after a backoff."""
        lanes = (self._submissions, UPLOADS, FOLLOW_UPS, RELAYS)
        return sum(self.leases.left(lane) for lane in lanes)

    def counts(self) -> dict[str, int]:
        """Outbox entries by state (for the summary and a status display)."""
        with self._db.read() as session:
            found = dict(
                session.execute(
                    select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)
                ).all()
            )
        return {state.value: int(found.get(state.value, 0)) for state in OutboxState}

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """A write transaction whose writers' noted changes are announced once it commits."""
        with self._db.write() as session:
            yield session
            changes = named_changes(session)
        self._hub.publish(changes)


def _put(session: Session, key: str, value: str, now: dt.datetime) -> None:
    row = session.get(SyncValue, key)
    if row is None:
        session.add(SyncValue(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
