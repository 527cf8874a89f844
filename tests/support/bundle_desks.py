"""Desks for the offline-bundle trips: an island that met the network once, relays, files.

Shared by the in-process trips (``tests/test_bundle_trip.py``, ``test_bundle_handover.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import struct
import wave
import zlib
from pathlib import Path

from lapor_desktop.cli.exit_codes import ExitCode
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.context import system_clock
from lapor_desktop.services.office import save_office
from lapor_desktop.settings import NationalServiceSettings, OfficeSettings
from sync.device_token import store_token
from sync.reference_server import RunningServer
from tests.support import accounts
from tests.support.cli import CLERK, IT, Run, clerk_of, open_desk, set_up_desk
from tests.support.reference_server import OTHER_OFFICE
from tests.support.samples import valid_form

DEAD_URL = "http://127.0.0.1:9"
"""Nothing listens on the discard port: the island's network is gone."""


def office_desk(root: Path, office: str, name: str) -> Path:
    """A desk of ``office`` with a clerk and an IT account (test costs)."""
    paths = DataPaths(root).ensure()
    desk = accounts.initialise_desk(paths, OfficeSettings(office, name), system_clock)
    try:
        boss = accounts.sign_in_supervisor(desk)
        accounts.add_user(desk, boss, CLERK, Role.FRONT_DESK)
        accounts.add_user(desk, boss, IT, Role.IT)
    finally:
        desk.close()
    return paths.root


def point_at(data_dir: Path, server: RunningServer, url: str, office: str) -> None:
    desk = open_desk(data_dir)
    try:
        national = NationalServiceSettings(url, (server.public_key_text,))
        settings = dataclasses.replace(desk.context.office, national=national)
        save_office(desk.database, settings, now=system_clock())
    finally:
        desk.close()
    store_token(data_dir, server.tokens[office])


def relay_desk(tmp_path: Path, server: RunningServer) -> Path:
    """A desk of another office (Karimun), online, with an IT account for its syncs."""
    root = office_desk(tmp_path / "relay", OTHER_OFFICE, "Kabupaten Karimun")
    point_at(root, server, server.url, OTHER_OFFICE)
    return root


def island_desk(tmp_path: Path, server: RunningServer, run: Run) -> Path:
    """Set up at the regency office: one good sync settles the keys; then the network goes."""
    root = set_up_desk(tmp_path / "island")
    point_at(root, server, server.url, "2104")
    first = run(root, "sync", user=IT, password=accounts.PASSWORD)
    assert first.code == ExitCode.OK, first.stderr
    point_at(root, server, DEAD_URL, "2104")
    return root


def record(root: Path, attachment: Path, count: int = 3) -> list[str]:
    recent = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    desk = open_desk(root)
    try:
        clerk = clerk_of(desk)
        uuids = []
        for index in range(count):
            files = [attachment] if index == 0 else []
            outcome = desk.intake.submit(
                valid_form(incident_date=recent), actor=clerk, attachments=files
            )
            assert outcome.queued
            uuids.append(outcome.uuid)
        return uuids
    finally:
        desk.close()


def photo(folder: Path) -> Path:
    """A small PNG (an accepted attachment type) whose bytes the service must store intact."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + bytes((x * 7 + y) % 256 for x in range(64)) for y in range(64))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path = folder / "jalan-rusak.png"
    path.write_bytes(png)
    return path


def noise(folder: Path, size: int) -> Path:
    """A WAV recording of noise: ``size`` bytes that no compression shrinks."""
    path = folder / "rekaman.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(random.Random(5).randbytes(size))
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*.laporbundle"))


def sync_states(root: Path, uuids: list[str]) -> dict[str, str]:
    desk = open_desk(root)
    try:
        clerk = clerk_of(desk)
        found = {u: desk.lookup.get(u, actor=clerk) for u in uuids}
        return {u: d.summary.sync_state for u, d in found.items() if d is not None}
    finally:
        desk.close()
