"""A throwaway PostgreSQL server for the test session (Debian's package, started here).

PostgreSQL refuses to run as root, so when the tests run as root (as CI
does) the server runs as the ``postgres`` system user that the Debian
package creates. ``LAPOR_TEST_POSTGRES_URL`` points the tests at an
existing server instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def find_bindir() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """Start a server on a free loopback port; yield an admin URL; stop and delete it after."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    user = "postgres" if os.geteuid() == 0 else None
    workdir = Path(tempfile.mkdtemp(prefix="lapor-pg-"))
    datadir = workdir / "data"
    if user:
        shutil.chown(workdir, user=user)
    port = _free_port()
    run = {"user": user, "check": True, "capture_output": True, "cwd": workdir}
    subprocess.run(
        [
            bindir / "initdb",
            "-D",
            datadir,
            "-U",
            "lapor",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        **run,  # type: ignore[arg-type]
    )
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            bindir / "pg_ctl",
            "-D",
            datadir,
            "-o",
            options,
            "-l",
            workdir / "server.log",
            "-w",
            "-t",
            "60",
            "start",
        ],
        **run,  # type: ignore[arg-type]
    )
    try:
        yield f"postgresql+psycopg://lapor@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [bindir / "pg_ctl", "-D", datadir, "-m", "immediate", "-w", "stop"],
            user=user,
            capture_output=True,
            cwd=workdir,
            check=False,
        )
        shutil.rmtree(workdir, ignore_errors=True)
