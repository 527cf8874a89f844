"""Helpers for the sync engine tests: an engine over a desk, and reading a complaint back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import OutboxKind
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.storage.models import Complaint, OutboxEntry
from sync.adapters.service import NationalService
from sync.engine import Backoff, EngineConfig, SyncEngine
from tests.support.clock import FakeClock
from tests.support.samples import valid_form


def store_for(desk: Desk, clock: FakeClock, owner: str = "ws-test") -> SyncStore:
    """Leases held by ``owner`` itself, not by this process under it."""
    assert desk.context.vault is not None
    return SyncStore(
        desk.database,
        desk.context.vault,
        clock,
        owner=owner,
        lease_owner=owner,
        files=desk.context.attachment_store(),
        references=desk.context.references,
    )


def engine_for(
    desk: Desk,
    service: NationalService,
    clock: FakeClock,
    *,
    batch_size: int = 50,
    **config: Any,
) -> SyncEngine:
    """Jitter fixed at half the ceiling, so waits are known in advance."""
    settings = EngineConfig(batch_size=batch_size, backoff=Backoff(random=lambda: 0.5), **config)
    return SyncEngine(service, store_for(desk, clock), clock=clock, config=settings)


def queue(desk: Desk, actor: Actor, **changes: object) -> str:
    outcome = desk.intake.submit(valid_form(**changes), actor=actor)
    assert outcome.queued, outcome
    return outcome.uuid


@dataclass(frozen=True)
class Seen:
    """A complaint and its outbox entry as the desk holds them, read back for assertions."""

    status: str
    sync_state: str
    tracking_id: str | None
    receipt: dict[str, object] | None
    events: tuple[tuple[str, str], ...]
    """(status, source) of each timeline step."""
    outbox_state: str
    attempts: int
    last_error: str
    needs_lookup: bool
    lease_owner: str | None


def seen(desk: Desk, complaint_uuid: str) -> Seen:
    with desk.database.read() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.uuid == complaint_uuid)).one()
        entry = session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.complaint_id == complaint.id,
                OutboxEntry.kind == OutboxKind.SUBMIT_COMPLAINT.value,
            )
        ).one()
        return Seen(
            status=complaint.status,
            sync_state=complaint.sync_state,
            tracking_id=complaint.tracking_id,
            receipt=complaint.receipt,
            events=tuple((e.status, e.source) for e in complaint.events),
            outbox_state=entry.state,
            attempts=entry.attempts,
            last_error=entry.last_error,
            needs_lookup=entry.needs_lookup,
            lease_owner=entry.lease_owner,
        )


def outbox_of(desk: Desk, complaint_uuid: str, kind: OutboxKind) -> list[tuple[str, str, str]]:
    """(state, content_hash, last_error) of a complaint's entries of one kind, oldest first."""
    with desk.database.read() as session:
        rows = session.execute(
            select(OutboxEntry.state, OutboxEntry.content_hash, OutboxEntry.last_error)
            .join(Complaint, Complaint.id == OutboxEntry.complaint_id)
            .where(Complaint.uuid == complaint_uuid, OutboxEntry.kind == kind.value)
            .order_by(OutboxEntry.id)
        ).all()
    return [(r.state, r.content_hash, r.last_error) for r in rows]
