"""How the sync commands get a desk: signed in as a person, or unattended on the machine key.

``lapor_desktop.cli.run_sync_command`` passes both ways in, so the commands
and their tests choose how a desk is opened without knowing the session code.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from lapor_desktop.cli.output import Output
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import DeskContext
from lapor_desktop.services.intake import IntakeService


class OpenDesk(Protocol):
    """What the sync commands use of :class:`lapor_desktop.desk.Desk`."""

    @property
    def paths(self) -> DataPaths: ...

    @property
    def context(self) -> DeskContext: ...

    @property
    def intake(self) -> IntakeService: ...

    @property
    def unlocked(self) -> bool: ...

    def close(self) -> None: ...


SignedIn = Callable[
    [argparse.Namespace, Output], AbstractContextManager[tuple[OpenDesk, Principal]]
]
"""Opens the desk and signs a person in (exit 8 on a refusal); closes it afterwards."""
Unattended = Callable[[argparse.Namespace], OpenDesk]
"""Opens the desk without a sign-in; identities unlocked only if the machine key opens them."""


@dataclass(frozen=True)
class DeskAccess:
    signed_in: SignedIn
    unattended: Unattended
