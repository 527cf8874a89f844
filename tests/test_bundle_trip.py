"""The whole trip of an offline bundle through the real command line, in one process.

An island desk that met the network once (its keys registered, the national bundle key
learned) goes offline, records complaints, seals them into a bundle; a desk of another
office with a connection imports it, relays it on its next sync and writes the return
bundle; back on the island, the return is imported and every complaint is sent, exactly
once at the service. The kill-and-resume trip with real processes is in
``test_bundle_trip_processes``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.domain.status import SyncState
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.bundle_desks import (
    files_in,
    island_desk,
    noise,
    photo,
    record,
    relay_desk,
    sync_states,
)
from tests.support.cli import IT, Run, in_process
from tests.support.reference_server import running_reference_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server") as running:
        yield running


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


def test_an_island_outbox_reaches_lapor_through_a_relay_and_its_receipts_come_back(
    tmp_path: Path, server: RunningServer, run: Run
) -> None:
    island = island_desk(tmp_path, server, run)
    relay = relay_desk(tmp_path, server)
    uuids = record(island, photo(tmp_path))
    offline = run(island, "sync", user=IT, password=accounts.PASSWORD)
    assert offline.code == ExitCode.OFFLINE

    stick = tmp_path / "stick"
    stick.mkdir()
    made = run(island, "bundle", "export", "--to", str(stick))
    assert made.code == ExitCode.OK, made.stderr
    assert "Bundle 1 written: 3 complaints, 1 files" in made.stdout
    volumes = files_in(stick)
    assert [Path(v).name for v in volumes] == ["LAPOR-2104-B0001-1dari1.laporbundle"]
    assert b"Jalan" not in Path(volumes[0]).read_bytes(), "the bundle travels sealed"
    again = run(island, "bundle", "export", "--to", str(stick))
    assert again.code == ExitCode.BUNDLE_REFUSED, "what bundle 1 carries is not bundled twice"

    taken = run(relay, "bundle", "import", *volumes)
    assert taken.code == ExitCode.OK, taken.stderr
    assert "relay lane" in taken.stdout
    twice = run(relay, "bundle", "import", *volumes)
    assert twice.code == ExitCode.OK and "already here" in twice.stdout
    relayed = run(relay, "sync", user=IT, password=accounts.PASSWORD)
    assert relayed.code == ExitCode.OK, relayed.stdout + relayed.stderr
    assert all(server.state.store.copies_of(u) == 1 for u in uuids)

    back = tmp_path / "stick-back"
    back.mkdir()
    copied = run(relay, "bundle", "returns", "--to", str(back))
    assert copied.code == ExitCode.OK and "1 return bundle file(s)" in copied.stdout
    answer = files_in(back)
    assert [Path(a).name for a in answer] == ["LAPOR-2104-B0001-balasan-1dari1.laporbundle"]

    home = run(island, "bundle", "import", *answer)
    assert home.code == ExitCode.OK, home.stderr
    assert "3 received by LAPOR!" in home.stdout and "1 files" in home.stdout
    assert set(sync_states(island, uuids).values()) == {SyncState.SENT.value}
    repeat = run(island, "bundle", "import", *answer)
    assert repeat.code == ExitCode.OK and "0 received by LAPOR!" in repeat.stdout
    listing = run(island, "bundle", "list")
    assert "answered" in listing.stdout and "recorded" in listing.stdout

    held = server.state.store.stored_contents()
    assert sorted(u for u, _, _ in held) == sorted(uuids)
    blob_sha = hashlib.sha256((tmp_path / "jalan-rusak.png").read_bytes()).hexdigest()
    assert any(blob_sha in str(p) for p in (tmp_path / "server").rglob("*")), "file stored"


def test_own_missing_and_cut_volumes_are_refused_with_nothing_applied(
    tmp_path: Path, server: RunningServer, run: Run
) -> None:
    island = island_desk(tmp_path, server, run)
    relay = relay_desk(tmp_path, server)
    uuids = record(island, noise(tmp_path, 300_000), count=2)
    stick = tmp_path / "stick"
    stick.mkdir()
    made = run(island, "bundle", "export", "--to", str(stick), "--max-volume-mb", "0.1")
    assert made.code == ExitCode.OK, made.stderr
    volumes = files_in(stick)
    assert len(volumes) == 3, made.stdout
    own = run(island, "bundle", "import", *volumes)
    assert own.code == ExitCode.BUNDLE_REFUSED and "made on this desk" in own.stderr

    missing = run(relay, "bundle", "import", *volumes[1:])
    assert missing.code == ExitCode.BUNDLE_REFUSED and "1 of 3 are missing" in missing.stderr
    cut = Path(volumes[-1])
    cut.write_bytes(cut.read_bytes()[:-7])
    refused = run(relay, "bundle", "import", *volumes)
    assert refused.code == ExitCode.BUNDLE_REFUSED
    assert "cut short" in refused.stderr
    listing = run(relay, "bundle", "list")
    assert "No bundles yet" in listing.stdout
    assert all(server.state.store.copies_of(u) == 0 for u in uuids)
