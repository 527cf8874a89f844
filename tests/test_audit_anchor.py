"""The audit chain anchored at the national service: a cut tail and a recomputed chain are found.

The attacks: deleting the log's last entries, and deleting one entry then recomputing every
hash after it with plain SHA-256, both passed ``audit verify``. Now each sync pass has the
chain head countersigned by the reference server (over loopback) and the desk keeps it.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text

from lapor_desktop.desk import Desk
from lapor_desktop.services import audit
from lapor_desktop.services.audit_anchors import (
    ANCHOR_DIFFERS,
    ANCHOR_FORGED,
    ANCHOR_MISSING,
    AuditAnchors,
    Countersigned,
    anchor_payload,
)
from lapor_desktop.services.audit_covers import covers_of
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.audit_models import AuditAnchor
from lapor_desktop.storage.models import AuditEntry
from sync.adapters.anchor_route import AnchorCalls
from sync.adapters.http_exchange import HttpExchange
from sync.adapters.lapor_v1 import LaporV1Adapter
from sync.adapters.outcomes import MalformedResponse
from sync.engine import Backoff, EngineConfig, SyncEngine
from sync.engine.outcomes import Done
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE
from tests.support.sync_engine import queue, store_for

ROOT = Path(__file__).resolve().parent.parent


def AnchoringAdapter(
    server: RunningServer, session: requests.Session, clock: FakeClock
) -> LaporV1Adapter:
    """The v1 adapter, which has the anchor call."""
    keys = [server.public_key]
    return LaporV1Adapter(
        session, server.url, trusted_keys=keys, token=server.tokens[OFFICE_CODE], clock=clock
    )


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _engine(
    desk: Desk, server: RunningServer, session: requests.Session, clock: FakeClock
) -> SyncEngine:
    return SyncEngine(
        AnchoringAdapter(server, session, clock),
        store_for(desk, clock),
        clock=clock,
        config=EngineConfig(backoff=Backoff(random=lambda: 0.5)),
        anchors=AuditAnchors(desk.database, clock),
    )


def _anchored_twice(
    desk: Desk, clerk: Actor, server: RunningServer, session: requests.Session, clock: FakeClock
) -> tuple[int, int]:
    """Two passes, each after new complaints: the two anchored entry ids."""
    engine = _engine(desk, server, session, clock)
    anchored = []
    for n in range(2):
        for i in range(2):
            queue(desk, clerk, title=f"Lampu jalan mati {n}-{i}")
        assert isinstance(engine.run_once().outcome, Done)
        with desk.database.read() as session_:
            anchored.append(
                session_.scalars(select(AuditAnchor.entry_id).order_by(AuditAnchor.id)).all()[-1]
            )
    assert anchored[0] < anchored[1]
    return anchored[0], anchored[1]


def _anchor_posts(server: RunningServer) -> int:
    return sum(1 for r in server.requests() if r.path == "/v1/audit-anchors")


def test_a_pass_has_the_head_countersigned_and_verify_trusts_up_to_it(
    desk: Desk, clerk: Actor, server: RunningServer, session: requests.Session, clock: FakeClock
) -> None:
    queue(desk, clerk)
    engine = _engine(desk, server, session, clock)
    assert isinstance(engine.run_once().outcome, Done)
    with desk.database.read() as s:
        head = s.execute(
            select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc())
        ).first()
        anchor = s.execute(select(AuditAnchor.entry_id, AuditAnchor.entry_hash)).one()
    assert head is not None and tuple(anchor) == tuple(head)

    report = audit.verify(desk.database, trusted_keys=[server.public_key])

    assert report.intact and report.anchors.trusted_through == head.id
    posts = _anchor_posts(server)
    assert isinstance(engine.run_once().outcome, Done)
    assert _anchor_posts(server) == posts  # the same head is not anchored twice


def test_a_cut_tail_is_found_and_the_log_trusted_up_to_the_anchor_before(
    desk: Desk, clerk: Actor, server: RunningServer, session: requests.Session, clock: FakeClock
) -> None:
    first, second = _anchored_twice(desk, clerk, server, session, clock)
    with desk.database.write() as s:
        s.execute(text("DELETE FROM audit_covers WHERE entry_id > :id"), {"id": first + 1})
        s.execute(text("DELETE FROM audit_log WHERE id > :id"), {"id": first + 1})

    report = audit.verify(desk.database, trusted_keys=[server.public_key])

    assert report.first_broken_id is None  # what is left still chains
    assert not report.intact
    assert (report.anchors.first_failed, report.anchors.reason) == (second, ANCHOR_MISSING)
    assert report.anchors.trusted_through == first


def test_a_deleted_entry_with_the_chain_recomputed_is_found(
    desk: Desk, clerk: Actor, server: RunningServer, session: requests.Session, clock: FakeClock
) -> None:
    first, second = _anchored_twice(desk, clerk, server, session, clock)
    victim = first + 1
    with desk.database.write() as s:
        s.execute(text("DELETE FROM audit_covers WHERE entry_id = :id"), {"id": victim})
        s.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": victim})
        entries = s.scalars(select(AuditEntry).where(AuditEntry.id > first)).all()
        covers = covers_of(s, (e.id for e in entries))
        previous = s.get(AuditEntry, first)
        assert previous is not None
        prev_hash = previous.entry_hash
        for entry in sorted(entries, key=lambda e: e.id):
            entry.prev_hash = prev_hash
            entry.entry_hash = audit.entry_hash(entry, covers.get(entry.id))
            prev_hash = entry.entry_hash

    report = audit.verify(desk.database, trusted_keys=[server.public_key])

    assert report.first_broken_id is None and report.edited == ()  # the chain alone passes
    assert (report.anchors.first_failed, report.anchors.reason) == (second, ANCHOR_DIFFERS)
    assert report.anchors.trusted_through == first


def test_an_anchor_planted_in_the_database_is_not_trusted(
    desk: Desk, clerk: Actor, server: RunningServer, session: requests.Session, clock: FakeClock
) -> None:
    first, _ = _anchored_twice(desk, clerk, server, session, clock)
    forger = Ed25519PrivateKey.generate()
    with desk.database.write() as s:
        s.execute(text("DELETE FROM audit_anchors"))
        head = s.get(AuditEntry, first)
        assert head is not None
        signature = forger.sign(anchor_payload(head.id, head.entry_hash, "2026-11-27T02:30:00Z"))
        s.add(
            AuditAnchor(
                entry_id=head.id,
                entry_hash=head.entry_hash,
                signature=base64.b64encode(signature).decode(),
                key_id="forged",
                signed_at="2026-11-27T02:30:00Z",
                stored_at=clock(),
            )
        )

    report = audit.verify(desk.database, trusted_keys=[server.public_key])

    assert (report.anchors.first_failed, report.anchors.reason) == (first, ANCHOR_FORGED)
    assert report.anchors.trusted_through is None


def test_an_answer_signed_by_another_key_is_not_kept(
    server: RunningServer, session: requests.Session, clock: FakeClock
) -> None:
    http = HttpExchange(session, server.url, clock=clock, token=server.tokens[OFFICE_CODE])
    impostor_trust = [Ed25519PrivateKey.generate().public_key()]

    answer = AnchorCalls(http, clock, impostor_trust).countersign_audit_head(3, "cd" * 32)

    assert isinstance(answer, MalformedResponse)
    trusted = AnchorCalls(http, clock, [server.public_key]).countersign_audit_head(3, "cd" * 32)
    assert isinstance(trusted, Countersigned) and trusted.signed_by(server.public_key)


def test_audit_verify_command_says_up_to_which_anchored_entry_the_log_holds(
    sqlite_desk: Desk,
    sqlite_clerk: Actor,
    server: RunningServer,
    session: requests.Session,
    clock: FakeClock,
) -> None:
    first, second = _anchored_twice(sqlite_desk, sqlite_clerk, server, session, clock)
    env = {
        **os.environ,
        "LAPOR_USER": accounts.SUPERVISOR.username,
        "LAPOR_PASSWORD": accounts.SUPERVISOR.password,
    }
    data_dir = str(sqlite_desk.paths.root)
    command = [sys.executable, "-m", "lapor_desktop", "--data-dir", data_dir, "--lang", "en"]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, "audit", "verify"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    ok = run()
    assert ok.returncode == 0, ok.stderr
    assert f"up to entry {second} (2 anchors)" in ok.stdout
    with sqlite_desk.database.write() as s:
        s.execute(text("DELETE FROM audit_covers WHERE entry_id > :id"), {"id": first})
        s.execute(text("DELETE FROM audit_log WHERE id > :id"), {"id": first})
    cut = run()
    assert cut.returncode == 7
    assert f"entry {second}" in cut.stderr
    assert f"trusted up to anchored entry {first}" in cut.stderr
