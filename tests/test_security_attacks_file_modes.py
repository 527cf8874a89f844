"""Another local account cannot read the data folder: folders 0700, files 0600, any umask.

The attack: an ordinary umask (022) left the data folder 0755 and the
database, its WAL, backups and logs 0644, so any local user could copy the
database and guess passwords offline. Each test runs under umask 022.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.backups.copies import Reason, back_up
from lapor_desktop.crash import crash_folder, write_crash_report
from lapor_desktop.desk import Desk
from lapor_desktop.logs import configure_logging
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.file_modes import check_data_folder, find_loosened, loosened_warning
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from tests.support import accounts
from tests.support.cli import in_process, open_desk, set_up_desk
from tests.support.samples import valid_form

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def ordinary_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def app_log(sqlite_desk: Desk) -> Iterator[Path]:
    handler = configure_logging(sqlite_desk.paths)
    yield sqlite_desk.paths.logs
    logging.getLogger().removeHandler(handler)
    handler.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _open_to_others(root: Path, skip: set[str]) -> list[str]:
    found = []
    for path in [root, *root.rglob("*")]:
        if path.name in skip or path.is_symlink():
            continue
        if _mode(path) & 0o077:
            found.append(f"{path.relative_to(root.parent)} {_mode(path):o}")
    return found


def test_after_a_working_day_nothing_in_the_data_folder_is_open_to_others(
    sqlite_desk: Desk, sqlite_clerk: Actor, app_log: Path, tmp_path: Path
) -> None:
    evidence = tmp_path / "foto.txt"
    evidence.write_text("Foto jalan berlubang di depan pasar.\n", "utf-8")
    saved = sqlite_desk.intake.submit(valid_form(), actor=sqlite_clerk, attachments=[evidence])
    assert saved.queued, saved.issues
    logging.getLogger("lapor_desktop.test").warning("a line in the log")
    paths = sqlite_desk.paths
    back_up(paths.database, paths.backups, now=sqlite_desk.context.now(), reason=Reason.MANUAL)
    wal = paths.database.with_name(paths.database.name + "-wal")
    assert wal.exists(), "the desk is open: its WAL must be there"

    open_files = _open_to_others(paths.root, set())

    assert open_files == []
    assert (app_log / "lapor-desktop.log").exists()
    assert _mode(paths.root) == 0o700
    assert _mode(paths.database) == 0o600 and _mode(wal) == 0o600


def test_an_export_is_owner_only_whatever_the_format(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    sqlite_desk.intake.submit(valid_form(), actor=sqlite_clerk)
    boss = accounts.sign_in_supervisor(sqlite_desk)
    for name in ("bulan.csv", "bulan.json", "bulan.xlsx"):
        target = tmp_path / name
        sqlite_desk.exports.write(
            ComplaintQuery(),
            target,
            actor=boss.actor,
            file_format=name.rsplit(".", 1)[1],
        )
        assert _mode(target) == 0o600, name


def test_settings_and_crash_reports_are_owner_only(sqlite_desk: Desk) -> None:
    try:
        raise ValueError("boom")
    except ValueError as error:
        report = write_crash_report(sqlite_desk.paths, error)
    assert _mode(sqlite_desk.paths.workstation_settings) == 0o600
    assert _mode(crash_folder(sqlite_desk.paths)) == 0o700
    assert _mode(report) == 0o600


def test_the_start_up_check_finds_loosened_files_and_closes_them(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    paths = sqlite_desk.paths
    assert check_data_folder(paths.root) == []
    loose_db, loose_folder = paths.database, paths.backups
    os.chmod(loose_db, 0o644)
    os.chmod(loose_folder, 0o755)
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not ours", "utf-8")
    (paths.root / "link-out").symlink_to(outside)

    found = check_data_folder(paths.root)

    assert {item.path for item in found} == {loose_db, loose_folder}
    assert find_loosened(paths.root) == []
    assert _mode(loose_db) == 0o600 and _mode(loose_folder) == 0o700
    assert _mode(outside) == 0o644, "a link out of the data folder is not followed"
    warning = loosened_warning(found)
    assert str(loose_db) in warning.render("en") and "600" in warning.render("id")


def test_opening_the_desk_closes_a_loosened_data_folder_and_the_command_line_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = set_up_desk(tmp_path)
    paths = DataPaths(data_dir)
    os.chmod(paths.root, 0o755)
    os.chmod(paths.database, 0o644)

    desk = open_desk(data_dir)
    try:
        assert {item.path for item in desk.loosened} == {paths.root, paths.database}
    finally:
        desk.close()
    assert _mode(paths.root) == 0o700 and _mode(paths.database) == 0o600

    os.chmod(paths.database, 0o640)
    ran = in_process(monkeypatch, capsys)(data_dir, "list")

    assert ran.code == 0, ran.stderr
    assert str(paths.database) in ran.stderr and "owner-only" in ran.stderr
    assert _mode(paths.database) == 0o600
    again = in_process(monkeypatch, capsys)(data_dir, "list")
    assert "owner-only" not in again.stderr, "nothing loosened: no warning"
