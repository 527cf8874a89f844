"""Two workstations of one office never both start typing the same complaint (issue 13).

Two desks (two data folders, two station ids) on one PostgreSQL database, as a
multi-workstation office runs them, and two operators racing for every complaint from
two threads; then the same race on one SQLite file from two processes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk, open_desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import Actor
from lapor_desktop.services.website_handover import Handover
from lapor_desktop.services.website_lane import HELD, Refused
from lapor_desktop.services.website_records import WebsiteRefused
from lapor_desktop.settings import OfficeSettings, WebsiteLaneSettings
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.sync_engine import queue

ROUNDS = 30
ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Office:
    first: Desk
    second: Desk
    ani: Actor
    """Front desk, at the first workstation."""
    budi: Actor
    """Front desk, at the second workstation."""


@pytest.fixture
def website_office(office: OfficeSettings) -> OfficeSettings:
    return dataclasses.replace(office, website=WebsiteLaneSettings(route="website"))


@pytest.fixture
def shared_office(
    tmp_path: Path, postgres_url: str, clock: FakeClock, website_office: OfficeSettings
) -> Iterator[Office]:
    first = accounts.initialise_desk(
        DataPaths(tmp_path / "pc1").ensure(), website_office, clock, postgres_url
    )
    second = open_desk(
        DataPaths(tmp_path / "pc2").ensure(),
        database_url=postgres_url,
        clock=clock,
        account_factory=accounts.cheap_accounts,
    )
    try:
        boss = accounts.sign_in_supervisor(first)
        ani = accounts.add_user(first, boss, "ani", Role.FRONT_DESK).actor
        accounts.add_user(first, boss, "budi", Role.FRONT_DESK)
        budi = accounts.sign_in(second, "budi", accounts.PASSWORD).actor  # unlocks pc2
        yield Office(first, second, ani, budi)
    finally:
        second.close()
        first.close()


def _race(office: Office, outbox_id: int) -> tuple[Handover | Refused, Handover | Refused]:
    """Both operators press "start" on the same complaint at the same moment."""
    barrier = threading.Barrier(2)

    def start(desk: Desk, actor: Actor) -> Handover | Refused:
        barrier.wait(timeout=30)
        return desk.website.start(outbox_id, actor=actor)

    with ThreadPoolExecutor(max_workers=2) as pool:
        at_first = pool.submit(start, office.first, office.ani)
        at_second = pool.submit(start, office.second, office.budi)
        return at_first.result(timeout=60), at_second.result(timeout=60)


@pytest.mark.postgres
def test_two_workstations_racing_for_each_complaint_never_both_start_it(
    shared_office: Office,
) -> None:
    office = shared_office
    stations = {d.context.station.station_id for d in (office.first, office.second)}
    assert len(stations) == 2, "two workstations, two station ids"
    for _ in range(ROUNDS):
        queue(office.first, office.ani)
    items = office.second.website.queue(actor=office.budi)
    assert len(items) == ROUNDS
    winners: list[str] = []
    for item in items:
        outcomes = _race(office, item.outbox_id)
        handed = [o for o in outcomes if isinstance(o, Handover)]
        refused = [o for o in outcomes if isinstance(o, Refused)]
        assert len(handed) == 1 and len(refused) == 1, outcomes
        winner = "ani" if isinstance(outcomes[0], Handover) else "budi"
        winners.append(winner)
        message = refused[0].message
        # A loser whose SKIP LOCKED claim passed over the winner's uncommitted lease waits
        # for that commit (WebsiteLane._why_not reads under a row lock): it names the holder.
        assert message.template == HELD, message
        assert f"{winner} (workstation " in message.render("en")
    held = {i.outbox_id: i.holder for i in office.second.website.queue(actor=office.budi)}
    assert [h.user if h else None for h in held.values()] == winners  # the others see who


@pytest.mark.postgres
def test_after_the_lease_runs_out_the_other_workstation_may_take_it_and_must_check_first(
    shared_office: Office, clock: FakeClock
) -> None:
    office = shared_office
    uuid = queue(office.first, office.ani)
    item = office.first.website.find(uuid, actor=office.ani)
    assert not isinstance(item, Refused)
    typed = office.first.website.start(item.outbox_id, actor=office.ani)
    assert isinstance(typed, Handover) and not typed.check_first
    assert isinstance(office.second.website.start(item.outbox_id, actor=office.budi), Refused)
    clock.advance(minutes=office.first.website.lease.total_seconds() / 60 + 5)  # ani went home
    taken = office.second.website.start(item.outbox_id, actor=office.budi)
    assert isinstance(taken, Handover) and taken.check_first
    late = office.first.website_records.record_tracking_id(
        item.outbox_id, "1234567", typed_digest=typed.typed_digest, actor=office.ani
    )
    assert isinstance(late, WebsiteRefused)  # ani no longer holds it: nothing recorded
    [line] = office.first.website.queue(actor=office.ani)
    assert line.holder is not None and line.holder.user == "budi"
    assert line.holder.station == office.second.context.station.station_id


_STARTER = """
import json, sys
from pathlib import Path
from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.website_handover import Handover
from tests.support import accounts

desk = open_desk(DataPaths(Path(sys.argv[1])), account_factory=accounts.cheap_accounts)
actor = accounts.sign_in(desk, sys.argv[2], accounts.PASSWORD).actor
ids = json.loads(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
won = [i for i in ids if isinstance(desk.website.start(i, actor=actor), Handover)]
desk.close()
print(json.dumps(won), flush=True)
"""


def test_two_processes_on_one_sqlite_file_never_both_start_a_complaint(
    sqlite_desk: Desk, data_paths: DataPaths
) -> None:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    ani = accounts.add_user(sqlite_desk, boss, "ani", Role.FRONT_DESK).actor
    accounts.add_user(sqlite_desk, boss, "budi", Role.FRONT_DESK)
    recent = {"incident_date": (dt.date.today() - dt.timedelta(days=3)).isoformat()}
    sqlite_desk.close()  # the processes run on the real clock
    desk = open_desk(data_paths, account_factory=accounts.cheap_accounts)
    try:
        for _ in range(ROUNDS):
            queue(desk, ani, **recent)
        ids = [i.outbox_id for i in desk.website.queue(actor=ani)]
    finally:
        desk.close()
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", _STARTER, str(data_paths.root), user, json.dumps(ids)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for user in ("ani", "budi")
    ]
    try:
        won = _both_go(starters)
    finally:
        for process in starters:
            if process.poll() is None:
                process.kill()
            process.communicate()
    assert not won[0] & won[1], "never both"
    assert won[0] | won[1] == set(ids), "and every complaint taken by one of them"


def _both_go(starters: list[subprocess.Popen[str]]) -> list[set[int]]:
    """Release both processes together once both are signed in; what each one started."""
    for process in starters:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    for process in starters:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    won = []
    for process in starters:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        won.append(set(json.loads(out.strip().splitlines()[-1])))
    return won
