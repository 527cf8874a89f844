"""A PostgreSQL server of one test's own, to kill with SIGKILL and start again.

The session's shared server must stay up for every other test; this one is
started on its own data folder and port, so a test can kill its postmaster
and backends in the middle of a save or a replay, as a power cut on the
office's database PC does, and start it again on the same data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.postgres import _free_port, find_bindir


class PrivateServer:
    def __init__(self, bindir: Path, workdir: Path, settings: dict[str, str] | None = None) -> None:
        self._bindir, self._workdir = bindir, workdir
        self._settings = dict(settings or {})
        self._datadir = workdir / "data"
        self._user = "postgres" if os.geteuid() == 0 else None
        self.port = _free_port()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://lapor@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: object, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [str(a) for a in args],
            user=self._user,
            capture_output=True,
            cwd=self._workdir,
            check=check,
        )

    def create(self) -> None:
        self._run(
            self._bindir / "initdb", "-D", self._datadir, "-U", "lapor", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self._workdir} -c listen_addresses=127.0.0.1 -c fsync=on"
        options += "".join(f" -c {name}={value}" for name, value in self._settings.items())
        self._run(
            self._bindir / "pg_ctl", "-D", self._datadir, "-o", options,
            "-l", self._workdir / "server.log", "-w", "-t", "60", "start",
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend at once: nothing is flushed or said."""
        pid_file = self._datadir / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        family = [postmaster] + [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent(int(entry.name)) == postmaster
        ]
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(_state(pid) not in ("Z", "gone") for pid in family):
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL processes still alive after SIGKILL: {family}")
            time.sleep(0.01)
        # A zombie postmaster nobody reaps here would still own the lock file; after a real
        # power cut its PID is gone, so the lock file is what a reboot leaves behind: stale.
        pid_file.unlink()
        for stale in self._workdir.glob(".s.PGSQL.*"):  # the socket and its lock, likewise
            stale.unlink()

    @property
    def log(self) -> Path:
        """The server's log (``log_lock_waits`` lines land here, for the load bench)."""
        return self._workdir / "server.log"

    def stop(self) -> None:
        self._run(self._bindir / "pg_ctl", "-D", self._datadir, "-m", "immediate", "-w",
                  "stop", check=False)  # fmt: skip


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


@contextlib.contextmanager
def private_server(settings: dict[str, str] | None = None) -> Iterator[PrivateServer]:
    """``settings``: server settings (``-c name=value``) beyond the port, socket and fsync."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    workdir = Path(tempfile.mkdtemp(prefix="lapor-pg-own-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres")
    server = PrivateServer(bindir, workdir, settings)
    server.create()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
