"""A desk whose office route is the LAPOR! website can say "all sent" (issue 16, item A).

Entries of the website lane wait for a person, not for a sync: the sync counts, the exit
code of ``sync`` and ``--watch``'s line leave them out, and ``sync-status`` shows them on a
line of their own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.cli.output import Output
from lapor_desktop.cli.sync_commands.watch_command import status_line
from lapor_desktop.services import sync_status
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.office import save_office
from lapor_desktop.services.sync_store import SyncStore
from lapor_desktop.services.website_handover import Handover
from lapor_desktop.services.website_lane import Refused
from lapor_desktop.services.website_records import Recorded
from lapor_desktop.settings import WebsiteLaneSettings
from sync.engine import Done, Progress, SyncSummary
from sync.reference_server import RunningServer
from sync.runner import DeskLink, RunnerState, RunnerStatus
from tests.support import accounts
from tests.support import cli as support
from tests.support.cli import IT, Ran, Run, clerk_of, in_process, open_desk
from tests.support.reference_server import running_reference_server
from tests.test_sync_cli import configure, queue_complaints


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


@pytest.fixture
def web_dir(tmp_path: Path, server: RunningServer) -> Path:
    """Two complaints on the website lane: one waits for an operator, one was typed in and
    has a follow-up note that no sync can send (LAPOR! knows it only by its website form)."""
    root = support.set_up_desk(tmp_path)
    configure(root, server)
    desk = open_desk(root)
    try:
        office = dataclasses.replace(
            desk.context.office, website=WebsiteLaneSettings(route="website")
        )
        save_office(desk.database, office, now=system_clock())
    finally:
        desk.close()
    _waiting, typed = queue_complaints(root, 2)
    desk = open_desk(root)
    try:
        clerk = clerk_of(desk)
        item = desk.website.find(typed, actor=clerk)
        assert not isinstance(item, Refused), item
        handover = desk.website.start(item.outbox_id, actor=clerk)
        assert isinstance(handover, Handover), handover
        recorded = desk.website_records.record_tracking_id(
            handover.outbox_id, "7654321", typed_digest=handover.typed_digest, actor=clerk
        )
        assert isinstance(recorded, Recorded), recorded
        assert desk.follow_ups.add(typed, "Warga datang lagi.", actor=clerk).note_uuid
    finally:
        desk.close()
    return root


def _as_it(run: Run, data_dir: Path, *args: str) -> Ran:
    return run(data_dir, *args, user=IT, password=accounts.PASSWORD)


def test_the_website_lane_is_not_counted_as_waiting_for_a_sync(web_dir: Path) -> None:
    desk = open_desk(web_dir)
    try:
        status = sync_status.read_status(desk.database, now=system_clock())
        assert desk.context.vault is not None
        store = SyncStore(desk.database, desk.context.vault, system_clock, owner="K7QX")
        assert (store.due_count(), store.left()) == (0, 0)  # a pass's progress counts to 0
    finally:
        desk.close()
    assert (status.pending, status.sending, status.waiting) == (0, 0, 0)
    assert status.oldest_pending_age is None
    assert status.typing == 1


def test_sync_status_shows_the_typing_queue_on_its_own_line(run: Run, web_dir: Path) -> None:
    shown = _as_it(run, web_dir, "sync-status", "--no-probe")
    assert shown.code == 0, shown.stderr
    assert "Waiting to be sent: 0 (sending now: 0" in shown.stdout
    assert "Waiting for an operator to type into the LAPOR! website: 1" in shown.stdout
    document = json.loads(_as_it(run, web_dir, "sync-status", "--json", "--no-probe").stdout)
    assert (document["pending"], document["typing_on_website"]) == (0, 1)


def test_sync_and_watch_say_all_sent_on_a_website_desk(run: Run, web_dir: Path) -> None:
    done = _as_it(run, web_dir, "sync")
    assert done.code == ExitCode.OK, done.stderr
    assert "Sent: 0," in done.stdout
    desk = open_desk(web_dir)
    try:
        summary = DeskLink(desk.context, desk.paths.root).run_pass(Progress(), bring_forward=False)
    finally:
        desk.close()
    assert isinstance(summary, SyncSummary) and summary.outcome == Done()
    assert summary.left == 0
    line = status_line(Output("en"), RunnerStatus(RunnerState.IDLE, summary, Done(), None, 1))
    assert line.startswith("idle, all sent")
