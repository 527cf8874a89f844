"""The standard PostgreSQL tools (``pg_dump``, ``pg_restore``): where they are, how they connect.

The tools are found in the folder ``LAPOR_PG_BINDIR`` names, else on the
workstation's ``PATH``, else in Debian's ``/usr/lib/postgresql/<version>/bin``
(newest version first: ``pg_dump`` must not be older than the server). They
connect with a libpq connection string built from the desk's database URL,
without the password: that goes in ``PGPASSWORD``, in the child's environment
only, so it never shows in a process list.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from lapor_desktop.i18n import N_, Message

from .copies import BackupFailed

BINDIR_ENV = "LAPOR_PG_BINDIR"
DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"
CONNECT_TIMEOUT_SECONDS = 10
_LIBPQ_QUERY_KEYS = frozenset(
    {"sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "target_session_attrs"}
)


class ToolMissing(BackupFailed):
    """The PostgreSQL client tool is not installed where the desk looks for it (nothing done)."""

    def __init__(self, tool: str) -> None:
        self.tool = tool
        super().__init__(
            Message(
                N_(
                    "{tool} was not found. Install the PostgreSQL client tools of the server's "
                    "version or newer (Debian/Ubuntu: apt install postgresql-client; Windows: the "
                    "PostgreSQL installer's Command Line Tools), or set LAPOR_PG_BINDIR to the "
                    "folder that holds {tool}; nothing was changed."
                ),
                {"tool": tool},
            )
        )


def find_tool(name: str) -> Path:
    """The program ``name``; raises :class:`ToolMissing` when it is nowhere to be found."""
    exe = name + (".exe" if os.name == "nt" else "")
    configured = os.environ.get(BINDIR_ENV)
    if configured:
        candidate = Path(configured).expanduser() / exe
        if candidate.is_file():
            return candidate
        raise ToolMissing(name)
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    for folder in sorted(glob.glob(DEBIAN_BINDIRS), key=_version, reverse=True):
        candidate = Path(folder) / exe
        if candidate.is_file():
            return candidate
    raise ToolMissing(name)


def _version(folder: str) -> int:
    part = Path(folder).parent.name
    return int(part) if part.isdigit() else 0


def connection(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection string of a SQLAlchemy URL (no password) and the child environment."""
    parsed = make_url(url)
    fields: dict[str, str] = {"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)}
    if parsed.host:
        fields["host"] = parsed.host
    if parsed.port:
        fields["port"] = str(parsed.port)
    if parsed.username:
        fields["user"] = parsed.username
    if parsed.database:
        fields["dbname"] = parsed.database
    for key, value in parsed.query.items():
        if key in _LIBPQ_QUERY_KEYS or (key == "host" and "host" not in fields):
            fields[key] = value if isinstance(value, str) else value[0]
    conninfo = " ".join(f"{key}={_quoted(value)}" for key, value in fields.items())
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return conninfo, env


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def run_tool(
    name: str, args: Sequence[str | os.PathLike[str]], *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a PostgreSQL tool to completion; its output and errors are captured, never shown."""
    tool = find_tool(name)
    return subprocess.run(
        [tool, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        check=False,
    )


def last_error(completed: subprocess.CompletedProcess[bytes]) -> str:
    """The tool's last line of complaint, for a message (never the connection string)."""
    lines = completed.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit status {completed.returncode}"
