"""How the sync commands get a desk, handed in by the composition root.

``sync`` may not import the core's command-line session (it reaches the
composition root, which may load the GUI), so ``app.run_sync_command``
passes in the two ways to open a desk: signed in as a person, or
unattended on this computer's machine key.
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
    """What the sync commands use of ``app.Desk``."""

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
