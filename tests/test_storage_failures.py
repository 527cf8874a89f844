"""A full disk, a read-only data folder and a locked database give clear messages; nothing is lost.

The full disk is a real file-size limit (``RLIMIT_FSIZE``, with ``SIGXFSZ``
ignored) on a real ``lapor-desktop import`` subprocess: the kernel refuses
the write exactly where a full disk would.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from lapor_desktop.cli.exit_codes import ExitCode, classify
from lapor_desktop.desk import Desk
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.context import Actor
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.problems import ProblemKind, storage_problem
from tests.support import accounts
from tests.support.cli import CLERK, ROOT, open_desk, set_up_desk
from tests.support.samples import LINGGA_DISTRICT, valid_form

resource = pytest.importorskip("resource", reason="file-size limits are POSIX only")

HEADER = (
    "klasifikasi;judul;isi_laporan;tanggal_kejadian;kode_wilayah;lokasi;instansi;kanal;"
    "anonim;rahasia;nama;nik;no_hp;email;alamat"
)


def _integrity(database: Path) -> str:
    with closing(sqlite3.connect(database)) as c:
        return str(c.execute("PRAGMA integrity_check").fetchone()[0])


def _titles(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as c:
        return {t for (t,) in c.execute("SELECT title FROM complaints")}


def _register(path: Path, rows: int) -> Path:
    day = (dt.date.today() - dt.timedelta(days=7)).strftime("%d/%m/%Y")
    lines = [HEADER] + [
        f"pengaduan;Jalan rusak nomor {n};{'Jalan utama berlubang besar sejak lama. ' * 40};"
        f"{day};{LINGGA_DISTRICT};Jalan Pelabuhan;2104-DPUPR;;tidak;tidak;Siti Aminah;"
        f"2104014508900001;081234567890;;Jl. Merdeka No. 5"
        for n in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _limited_cli(data_dir: Path, limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``lapor-desktop`` as the clerk, unable to grow any file beyond ``limit`` bytes."""

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    environment = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    environment.update(
        {
            MACHINE_KEY_FILE_ENV: os.environ[MACHINE_KEY_FILE_ENV],
            "LAPOR_USER": CLERK,
            "LAPOR_PASSWORD": accounts.PASSWORD,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir), "--lang", "en", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit_file_size,
        timeout=300,
        check=False,
    )


def _save(desk: Desk, clerk: Actor, title: str) -> None:
    saved = desk.intake.submit(valid_form(title=title), actor=clerk)
    assert saved.queued, saved.issues


def test_a_full_disk_during_a_save_gives_a_clear_message_and_keeps_what_was_saved(
    tmp_path: Path,
) -> None:
    data_dir = set_up_desk(tmp_path)
    desk = open_desk(data_dir)
    clerk = accounts.sign_in(desk, CLERK, accounts.PASSWORD).actor
    for n in range(3):
        _save(desk, clerk, f"Tersimpan sebelumnya {n}")
    desk.close()
    database = data_dir / "lapor.sqlite3"
    largest = max(p.stat().st_size for p in data_dir.rglob("*") if p.is_file())
    register = _register(tmp_path / "register.csv", rows=400)

    full = _limited_cli(data_dir, largest + 256 * 1024, "import", str(register))

    assert full.returncode == ExitCode.DATABASE, full.stderr
    assert "The disk is full" in full.stderr and "What was saved before is safe" in full.stderr
    assert "Traceback" not in full.stderr
    assert _integrity(database) == "ok"
    titles = _titles(database)
    assert {f"Tersimpan sebelumnya {n}" for n in range(3)} <= titles
    imported = [t for t in titles if t.startswith("Jalan rusak nomor")]
    assert len(imported) < 400  # the disk filled up part-way
    checked = _limited_cli(data_dir, resource.RLIM_INFINITY, "db", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr  # each saved row is whole
    again = open_desk(data_dir)  # and the desk opens and works once there is room
    _save(again, accounts.sign_in(again, CLERK, accounts.PASSWORD).actor, "Setelah disk lega")
    again.close()


def test_the_same_import_without_a_limit_succeeds(tmp_path: Path) -> None:
    """The limit, not the register, is what made the import above fail."""
    data_dir = set_up_desk(tmp_path)
    register = _register(tmp_path / "register.csv", rows=400)

    done = _limited_cli(data_dir, resource.RLIM_INFINITY, "import", str(register))

    assert done.returncode == 0, done.stderr


def _read_only_desk(desk: Desk) -> None:
    """Point the desk at its own file opened read-only, as on a read-only share."""
    url = f"sqlite:///file:{desk.paths.database}?mode=ro&uri=true"
    desk.context.database.dispose()
    desk.context.database = Database(url)


def test_a_read_only_database_gives_a_clear_message_and_keeps_what_was_saved(
    sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    _save(sqlite_desk, sqlite_clerk, "Tersimpan sebelumnya")
    _read_only_desk(sqlite_desk)

    with pytest.raises(Exception) as failed:
        _save(sqlite_desk, sqlite_clerk, "Tidak bisa disimpan")

    problem = storage_problem(failed.value, sqlite_desk.paths.root)
    assert problem is not None and problem.kind is ProblemKind.READ_ONLY
    assert str(sqlite_desk.paths.root) in problem.message.render("en")
    assert classify(failed.value, sqlite_desk.paths.root) == (ExitCode.DATABASE, problem.message)
    assert _titles(sqlite_desk.paths.database) == {"Tersimpan sebelumnya"}


@contextmanager
def _immutable(*paths: Path) -> Iterator[None]:
    """``chattr +i``: what stops root too, where chmod does not."""
    done: list[Path] = []
    try:
        for path in paths:
            result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            if result.returncode != 0:
                pytest.skip(f"chattr +i is not supported here: {result.stderr!r}")
            done.append(path)
        yield
    finally:
        for path in done:
            subprocess.run(["chattr", "-i", str(path)], check=True)


def _locked_down(data_dir: Path) -> Any:
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("root ignores chmod, and chattr is not installed")
        return _immutable(data_dir / "lapor.sqlite3", data_dir)
    return _chmod_read_only(data_dir)


@contextmanager
def _chmod_read_only(data_dir: Path) -> Iterator[None]:
    database = data_dir / "lapor.sqlite3"
    database.chmod(0o444)
    data_dir.chmod(0o555)
    try:
        yield
    finally:
        data_dir.chmod(0o755)
        database.chmod(0o644)


def test_a_read_only_data_folder_gives_a_clear_message_on_the_command_line(
    tmp_path: Path,
) -> None:
    data_dir = set_up_desk(tmp_path)
    desk = open_desk(data_dir)
    _save(desk, accounts.sign_in(desk, CLERK, accounts.PASSWORD).actor, "Tersimpan sebelumnya")
    desk.close()
    register = _register(tmp_path / "register.csv", rows=2)

    with _locked_down(data_dir):
        refused = _limited_cli(data_dir, resource.RLIM_INFINITY, "import", str(register))

    assert refused.returncode == ExitCode.DATABASE, refused.stderr
    assert "cannot be written" in refused.stderr and str(data_dir) in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _integrity(data_dir / "lapor.sqlite3") == "ok"
    assert _titles(data_dir / "lapor.sqlite3") == {"Tersimpan sebelumnya"}


def test_a_locked_database_gives_a_clear_message_and_works_once_released(
    sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    _save(sqlite_desk, sqlite_clerk, "Tersimpan sebelumnya")
    engine = sqlite_desk.database.engine

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    engine.dispose()
    other = sqlite3.connect(sqlite_desk.paths.database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(Exception) as failed:
            _save(sqlite_desk, sqlite_clerk, "Menunggu kunci")
    finally:
        other.execute("ROLLBACK")
        other.close()
    _save(sqlite_desk, sqlite_clerk, "Setelah kunci dilepas")

    problem = storage_problem(failed.value, sqlite_desk.paths.root)
    assert problem is not None and problem.kind is ProblemKind.LOCKED
    assert "another program has held it" in problem.message.render("en")
    assert classify(failed.value)[0] is ExitCode.DATABASE
    assert _titles(sqlite_desk.paths.database) == {"Tersimpan sebelumnya", "Setelah kunci dilepas"}


def test_an_os_error_is_explained_only_where_it_concerns_the_data(tmp_path: Path) -> None:
    full = storage_problem(OSError(28, "No space left on device", str(tmp_path / "x")))
    elsewhere = storage_problem(PermissionError(13, "Permission denied", "/etc/shadow"), tmp_path)

    assert full is not None and full.kind is ProblemKind.DISK_FULL
    assert str(tmp_path) in full.message.render("en")
    assert elsewhere is None
    assert storage_problem(ValueError("bug")) is None
