"""The log of the window and the command line, with the sync engine's token redactor.

It lives in ``sync`` because the redactor does: the core's logging knows no token.
The redactor comes from its own module, so the log loads no keyring or crypto.
"""

from __future__ import annotations

from lapor_desktop.logs import configure_logging
from lapor_desktop.paths import DataPaths
from sync.token_redactor import REDACTOR


def start_logging(paths: DataPaths) -> None:
    """Rotating log in ``<data>/logs``; a device token never reaches it."""
    configure_logging(paths, extra_filters=[REDACTOR])
