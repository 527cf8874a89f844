"""Whole-file writes: a killed writer leaves the old file or the new, the folder is synced."""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest

from lapor_desktop import durable_files
from tests.support.kill_mid_write import kill_mid_write

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("LAPOR_CRASH_ROUNDS", "12"))
SIZE = 256 * 1024

# Rewrites the target for ever, alternating two contents, and says when the first is done.
WRITER = """
import sys
from pathlib import Path
from lapor_desktop import durable_files

target, size = Path(sys.argv[1]), int(sys.argv[2])
contents = [b"a" * size, b"b" * (size // 2)]
n = 0
while True:
    durable_files.write_bytes(target, contents[n % 2])
    if n == 0:
        print("ready", flush=True)
    n += 1
"""


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if durable_files.is_temporary(p))


def test_sigkill_mid_write_leaves_the_old_or_the_new_content_whole(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b"old")
    wholes = {b"old", b"a" * SIZE, b"b" * (SIZE // 2)}
    rng = random.Random(2104)
    for _ in range(ROUNDS):
        kill_mid_write(WRITER, str(target), str(SIZE), rng=rng, within=0.2)
        assert target.read_bytes() in wholes
        for leftover in _leftovers(tmp_path):  # what a killed writer leaves is only its temp
            (tmp_path / leftover).unlink()


def test_the_file_and_then_its_folder_are_synced(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    synced: list[tuple[bool, str]] = []

    def watch(descriptor: int) -> None:
        is_folder = stat.S_ISDIR(os.fstat(descriptor).st_mode)
        synced.append((is_folder, target.read_text(encoding="utf-8")))
        os.fsync(descriptor)

    durable_files.write_text(target, "new", fsync=watch)

    assert target.read_text(encoding="utf-8") == "new"
    # The data is on disk before the rename, and the rename is on disk before returning.
    assert synced == [(False, "old"), (True, "new")]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_secret_gets_exactly_its_mode_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "token"
    previous = os.umask(0)
    try:
        durable_files.write_bytes(target, b"secret", mode=0o600)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("", encoding="utf-8")
    target.chmod(0o640)
    durable_files.write_text(target, "a,b\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8") == "a,b\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    target.write_text("[old]", encoding="utf-8")

    def export_that_breaks_half_way() -> None:
        with durable_files.replacing_text(target) as handle:
            handle.write("[new, half")
            raise RuntimeError("disk pulled")

    with pytest.raises(RuntimeError, match="disk pulled"):
        export_that_breaks_half_way()

    assert target.read_text(encoding="utf-8") == "[old]"
    assert os.listdir(tmp_path) == ["export.json"]


def test_a_failed_sync_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text("{}", encoding="utf-8")

    def full_disk(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        durable_files.write_text(target, '{"language": "en"}', fsync=full_disk)

    assert target.read_text(encoding="utf-8") == "{}"
    assert os.listdir(tmp_path) == ["settings.json"]


def test_text_is_written_with_the_newline_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "crlf.csv"
    durable_files.write_text(target, "a\nb\n", newline="\r\n")
    assert target.read_bytes() == b"a\r\nb\r\n"


def test_create_refuses_an_existing_file_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "machine.key"
    durable_files.create_bytes(target, b"first", mode=0o600)
    with pytest.raises(FileExistsError):
        durable_files.create_bytes(target, b"second", mode=0o600)
    assert target.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["machine.key"]
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
