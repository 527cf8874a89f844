"""The reference LAPOR! v1 server: a faithful stand-in for the national service.

Used by the tests, for demonstrations and for training mode. A real HTTP
server (Flask on werkzeug) with its own SQLite store; it never imports
``ui``. Start it with ``python -m sync.reference_server`` or, in-process,
with :func:`start_in_thread`.
"""

from sync.reference_server.config import (
    DeviceToken,
    Faults,
    ServerConfig,
    ServerLimits,
    WorkflowTimings,
)
from sync.reference_server.running import RunningServer, start_in_thread

__all__ = [
    "DeviceToken",
    "Faults",
    "RunningServer",
    "ServerConfig",
    "ServerLimits",
    "WorkflowTimings",
    "start_in_thread",
]


def main(argv: list[str] | None = None) -> int:
    """The command line, for ``lapor-desktop reference-server``."""
    from sync.reference_server.cli import main as cli_main

    return cli_main(argv)
