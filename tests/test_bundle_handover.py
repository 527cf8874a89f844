"""Hand-over to a parent office: a district desk's outbox submitted by its regency desk.

The district (Kecamatan Lingga, 210401) has no route of its own; its bundle is sealed to
the regency desk (2104), which takes the complaints into its queue with their origin and
registration numbers kept, submits them by its own route and answers with a return
bundle of tracking IDs that the district records as sent. Real desks, the real command
line, the reference server over loopback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.domain.status import SyncState
from lapor_desktop.storage.models import Complaint
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.bundle_desks import (
    files_in,
    office_desk,
    photo,
    point_at,
    record,
    sync_states,
)
from tests.support.cli import IT, Run, in_process, open_desk
from tests.support.reference_server import running_reference_server

DISTRICT = "210401"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


def keys_of(run: Run, root: Path) -> tuple[str, str]:
    shown = run(root, "bundle", "keys")
    assert shown.code == ExitCode.OK, shown.stderr
    signing = re.search(r"signing-key (\S+)", shown.stdout)
    sealing = re.search(r"sealing-key (\S+)", shown.stdout)
    assert signing and sealing, shown.stdout
    return signing.group(1), sealing.group(1)


def paired(tmp_path: Path, server: RunningServer, run: Run) -> tuple[Path, Path]:
    """The regency desk (online) and a district desk that trusts it, and is trusted by it."""
    parent = office_desk(tmp_path / "parent", "2104", "Kabupaten Lingga")
    point_at(parent, server, server.url, "2104")
    district = office_desk(tmp_path / "district", DISTRICT, "Kecamatan Lingga")
    parent_keys, district_keys = keys_of(run, parent), keys_of(run, district)
    told = run(
        district,
        "bundle",
        "keys",
        "--parent-office",
        "2104",
        "--parent-signing-key",
        parent_keys[0],
        "--parent-sealing-key",
        parent_keys[1],
    )
    assert told.code == ExitCode.OK, told.stderr
    trusted = run(
        parent,
        "bundle",
        "keys",
        "--trust-office",
        DISTRICT,
        "--trust-signing-key",
        district_keys[0],
        "--trust-sealing-key",
        district_keys[1],
    )
    assert trusted.code == ExitCode.OK, trusted.stderr
    return parent, district


def numbers(root: Path, uuids: list[str]) -> dict[str, tuple[str | None, str | None, str]]:
    """Registration number, tracking ID and office code of each complaint this desk holds."""
    desk = open_desk(root)
    try:
        with desk.database.read() as session:
            rows = session.execute(
                select(
                    Complaint.uuid,
                    Complaint.registration_number,
                    Complaint.tracking_id,
                    Complaint.office_code,
                ).where(Complaint.uuid.in_(uuids))
            )
            return {r.uuid: (r.registration_number, r.tracking_id, r.office_code) for r in rows}
    finally:
        desk.close()


def test_a_district_outbox_is_submitted_by_its_parent_and_the_tracking_ids_come_back(
    tmp_path: Path, server: RunningServer, run: Run
) -> None:
    parent, district = paired(tmp_path, server, run)
    uuids = record(district, photo(tmp_path), count=2)
    stick = tmp_path / "stick"
    stick.mkdir()
    made = run(district, "bundle", "export", "--parent", "--to", str(stick))
    assert made.code == ExitCode.OK, made.stderr
    volumes = files_in(stick)

    taken = run(parent, "bundle", "import", *volumes)
    assert taken.code == ExitCode.OK, taken.stderr
    assert "2 complaints joined this desk's queue" in taken.stdout
    again = run(parent, "bundle", "import", *volumes)
    assert "0 complaints joined" in again.stdout and "2 were here already" in again.stdout
    at_parent = numbers(parent, uuids)
    at_district = numbers(district, uuids)
    for u in uuids:
        assert at_parent[u][0] == at_district[u][0], "the citizen's receipt number is kept"
        assert at_parent[u][2] == DISTRICT, "the origin office is kept"

    sent = run(parent, "sync", user=IT, password=accounts.PASSWORD)
    assert sent.code == ExitCode.OK, sent.stdout + sent.stderr
    assert all(server.state.store.copies_of(u) == 1 for u in uuids)

    back = tmp_path / "back"
    back.mkdir()
    answered = run(parent, "bundle", "answer", "--office", DISTRICT, "--to", str(back))
    assert answered.code == ExitCode.OK, answered.stderr
    assert "2 complaints with a tracking ID, 0 still waiting" in answered.stdout

    home = run(district, "bundle", "import", *files_in(back))
    assert home.code == ExitCode.OK, home.stderr
    assert "2 received by LAPOR!" in home.stdout
    assert set(sync_states(district, uuids).values()) == {SyncState.SENT.value}
    after = numbers(district, uuids)
    held = {u: server.state.store.lookup(u) for u in uuids}
    for u in uuids:
        found = held[u]
        assert found is not None and after[u][1] == found.tracking_id


def test_a_hand_over_from_a_desk_the_parent_does_not_trust_is_refused(
    tmp_path: Path, server: RunningServer, run: Run
) -> None:
    parent, district = paired(tmp_path, server, run)
    stranger = office_desk(tmp_path / "stranger", "210402", "Kecamatan Lain")
    parent_keys = keys_of(run, parent)
    run(
        stranger,
        "bundle",
        "keys",
        "--parent-office",
        "2104",
        "--parent-signing-key",
        parent_keys[0],
        "--parent-sealing-key",
        parent_keys[1],
    )
    uuids = record(stranger, photo(tmp_path), count=1)
    stick = tmp_path / "stick"
    stick.mkdir()
    assert run(stranger, "bundle", "export", "--parent", "--to", str(stick)).code == 0
    refused = run(parent, "bundle", "import", *files_in(stick))
    assert refused.code == ExitCode.BUNDLE_REFUSED
    assert "does not trust" in refused.stderr
    assert numbers(parent, uuids) == {}

    unset = run(district, "bundle", "export", "--to", str(stick))
    assert unset.code == ExitCode.BUNDLE_REFUSED, "no national key: this district never synced"
