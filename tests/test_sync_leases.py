"""Leases of a dead sync process are taken back at once; everyone else's wait for their expiry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import socket
import subprocess
import sys
from subprocess import PIPE

from lapor_desktop.desk import Desk
from lapor_desktop.services import sync_status
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox_lanes import submissions
from lapor_desktop.services.outbox_leases import owner_gone, process_owner
from lapor_desktop.services.sync_store import SyncStore
from tests.support.clock import FakeClock
from tests.support.sync_engine import queue, seen, store_for


def _dead_pid() -> int:
    """The PID of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _owner(pid: int, start: str, host: str | None = None) -> str:
    return f"sync:K7QX@{host or socket.gethostname()[:16]}/{pid}/{start}"


def _this_process_start() -> str:
    return process_owner("K7QX").rsplit("/", 1)[1]


def test_a_process_owner_names_this_host_pid_and_start_time_and_fits_the_column() -> None:
    owner = process_owner("K7QX-and-a-long-station-name")
    assert owner.startswith("sync:K7QX-and@") and f"/{os.getpid()}/" in owner
    assert len(owner) <= 64
    assert not owner_gone(owner)  # this very process


def test_only_a_process_owner_of_this_host_whose_process_ended_is_gone() -> None:
    start = _this_process_start()
    assert owner_gone(_owner(_dead_pid(), start))
    assert owner_gone(_owner(os.getpid(), start + "1"))  # the PID now belongs to another
    assert not owner_gone(_owner(_dead_pid(), start, host="other-pc"))  # cannot tell: expiry
    for holder in ("web:ani@K7QX", "operator:ani", "bundle:7", "ws-test", "K7QX"):
        assert not owner_gone(holder)


def _process_store(desk: Desk, clock: FakeClock) -> SyncStore:
    assert desk.context.vault is not None
    return SyncStore(desk.database, desk.context.vault, clock, owner="K7QX")


def test_the_next_process_takes_a_dead_process_leases_at_once_and_looks_them_up_first(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    typed, stranded = queue(sqlite_desk, sqlite_clerk), queue(sqlite_desk, sqlite_clerk)
    assert sqlite_desk.context.vault is not None
    lane = submissions(sqlite_desk.context.vault)
    earlier = store_for(sqlite_desk, clock)
    website = dataclasses.replace(lane, lease=dt.timedelta(hours=2))
    [second] = earlier.claim(website, 1, owner="web:ani@K7QX")
    [first] = earlier.claim(lane, 1, owner=_owner(_dead_pid(), _this_process_start()))
    assert (first.client_uuid, second.client_uuid) == (stranded, typed)

    status = sync_status.read_status(sqlite_desk.database, now=clock())
    assert (status.pending, status.sending) == (2, 1)  # the operator's: nobody sends the other
    store = _process_store(sqlite_desk, clock)
    assert store.due_count() == 1 and store.leases.holder(first.outbox_id) is None
    [taken] = store.claim_submissions(10)  # at once: no five minutes' wait
    assert taken.client_uuid == stranded and taken.needs_lookup
    assert seen(sqlite_desk, stranded).lease_owner == process_owner("K7QX")
    holder = store.leases.holder(second.outbox_id)
    assert holder is not None and holder.owner == "web:ani@K7QX"  # the operator keeps hers
    assert store.left() == 1  # hers is not the sync's to send; its own lease counts


def test_a_live_process_keeps_its_leases_and_another_host_waits_for_expiry(
    sqlite_desk: Desk, sqlite_clerk: Actor, clock: FakeClock
) -> None:
    queue(sqlite_desk, sqlite_clerk)
    queue(sqlite_desk, sqlite_clerk)
    assert sqlite_desk.context.vault is not None
    lane = submissions(sqlite_desk.context.vault)
    earlier = store_for(sqlite_desk, clock)
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=PIPE)
    try:
        started = _owner(alive.pid, "")  # start time unknown: alive is enough
        earlier.claim(lane, 1, owner=started)
        earlier.claim(lane, 1, owner=_owner(_dead_pid(), "", host="other-pc"))
        store = _process_store(sqlite_desk, clock)
        assert store.claim_submissions(10) == []
        status = sync_status.read_status(sqlite_desk.database, now=clock())
        assert status.sending == 2 and store.left() == 2
        clock.advance(minutes=6)
        assert len(store.claim_submissions(10)) == 2
    finally:
        alive.communicate(b"")
