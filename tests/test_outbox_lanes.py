"""A lane defined here in a few lines gets leases, retries and quarantine from the shared loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.desk import Desk
from lapor_desktop.services import outbox
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox_leases import LaneClaim, Lease
from lapor_desktop.storage.models import Complaint, OutboxEntry
from sync.adapters.outcomes import Unreachable
from sync.engine import Backoff, Cancelled, Offline, Progress, SyncSummary
from sync.engine.lanes import Carried, Delivered, Exchange, LaneLoop, PlainLane, SetAside
from tests.support.clock import FakeClock
from tests.support.sync_engine import queue, store_for

TOY = "toy_ping"


@dataclass(frozen=True)
class Ping:
    outbox_id: int
    attempts: int
    word: str


def _pings(session: Session, rows: Sequence[Any]) -> tuple[list[Ping], dict[int, str]]:
    return [Ping(r.id, r.attempts, r.content_hash) for r in rows], {}


# The toy lane's whole claim filter: its kind, and never the entries marked "hidden".
TOY_CLAIM = LaneClaim(TOY, lambda q: q.where(OutboxEntry.content_hash != "hidden"), _pings)


def _enqueue(desk: Desk, complaint_uuid: str, words: Sequence[str], clock: FakeClock) -> None:
    with desk.database.write() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.uuid == complaint_uuid)).one()
        for word in words:
            outbox.enqueue(
                session,
                complaint_id=complaint.id,
                kind=TOY,
                ref_uuid=complaint_uuid,
                content_hash=word,
                at=clock(),
            )


def _entries(desk: Desk) -> dict[str, tuple[str, int, str, str | None]]:
    """word -> (state, attempts, last_error, lease owner)."""
    with desk.database.read() as session:
        rows = session.scalars(select(OutboxEntry).where(OutboxEntry.kind == TOY))
        return {e.content_hash: (e.state, e.attempts, e.last_error, e.lease_owner) for e in rows}


def test_a_toy_lane_gets_leases_retries_and_quarantine_from_the_shared_loop(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    _enqueue(sqlite_desk, queue(sqlite_desk, sqlite_clerk), ["ok", "bad", "flaky", "hidden"], clock)
    store = store_for(sqlite_desk, clock)
    link_down = True
    holders: dict[str, Lease | None] = {}

    def send(batch: Sequence[Ping], progress: Progress) -> Exchange:
        """The toy lane's whole sending: one verdict per word, or the link fails."""
        exchange = Exchange()
        for ping in batch:
            holders[ping.word] = store.leases.holder(ping.outbox_id)
            if ping.word == "ok":
                exchange.verdicts[ping.outbox_id] = Delivered()
            elif ping.word == "bad":
                exchange.verdicts[ping.outbox_id] = SetAside("the toy server refused it")
            elif link_down:
                exchange.failure = Unreachable("connection reset", maybe_delivered=True)
            else:
                exchange.verdicts[ping.outbox_id] = Delivered()
        return exchange

    lane = PlainLane(lambda limit: store.claim(TOY_CLAIM, limit), send, batch_size=10)
    loop = LaneLoop(store, backoff=Backoff(base_seconds=60.0, random=lambda: 0.5), clock=clock)
    summary = SyncSummary()

    stop = loop.run(lane, summary, Progress())

    assert isinstance(stop, Offline) and stop.retry_at == clock() + dt.timedelta(seconds=30)
    assert set(holders) == {"ok", "bad", "flaky"}  # the claim filter kept "hidden" out
    assert all(h is not None and h.owner == "ws-test" for h in holders.values())
    assert _entries(sqlite_desk) == {
        "ok": ("done", 0, "", None),
        "bad": ("quarantined", 0, "the toy server refused it", None),
        "flaky": ("pending", 1, "Unreachable", None),
        "hidden": ("pending", 0, "", None),
    }
    assert (summary.sent, summary.rejected) == (1, 1)

    holders.clear()
    assert loop.run(lane, SyncSummary(), Progress()) is None  # backing off: nothing claimed
    assert holders == {}
    link_down = False
    clock.advance(seconds=31)
    assert loop.run(lane, SyncSummary(), Progress()) is None
    assert set(holders) == {"flaky"}
    assert _entries(sqlite_desk)["flaky"] == ("done", 1, "", None)


def test_a_cancelled_pass_gives_the_toy_lanes_leases_back_untried(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    _enqueue(sqlite_desk, queue(sqlite_desk, sqlite_clerk), ["one", "two"], clock)
    store = store_for(sqlite_desk, clock)
    progress = Progress()

    def send(batch: Sequence[Ping], progress: Progress) -> Exchange:
        progress.cancel()  # a person pressed cancel before anything went out
        return Exchange()

    lane = PlainLane(lambda limit: store.claim(TOY_CLAIM, limit), send)
    loop = LaneLoop(store, backoff=Backoff(), clock=clock)
    assert isinstance(loop.run(lane, SyncSummary(), progress), Cancelled)
    assert _entries(sqlite_desk) == {
        "one": ("pending", 0, "", None),
        "two": ("pending", 0, "", None),
    }


def test_an_operator_or_a_bundle_holds_its_lease_until_it_is_recorded(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    """The website lane's operator and the bundle lane's USB stick: long leases, named holders."""
    _enqueue(sqlite_desk, queue(sqlite_desk, sqlite_clerk), ["typed", "carried"], clock)
    store = store_for(sqlite_desk, clock)
    typing = LaneClaim(
        TOY,
        lambda q: q.where(OutboxEntry.content_hash == "typed"),
        _pings,
        lease=dt.timedelta(minutes=30),
    )
    [typed] = store.claim(typing, 1, owner="operator:ani")
    assert store.leases.holder(typed.outbox_id) == Lease(
        "operator:ani", clock() + dt.timedelta(minutes=30), clock()
    )
    clock.advance(minutes=10)
    assert store.claim(typing, 1) == []  # nobody else takes what she is typing

    bundle = PlainLane(
        lambda limit: store.claim(TOY_CLAIM, limit, owner="bundle:7"),
        lambda batch, progress: Exchange({p.outbox_id: Carried() for p in batch}),
    )
    loop = LaneLoop(store, backoff=Backoff(), clock=clock)
    assert loop.run(bundle, SyncSummary(), Progress()) is None
    assert _entries(sqlite_desk)["carried"] == ("pending", 0, "", "bundle:7")
