"""Running sync passes in the background: triggers, probes while offline, state for listeners.

``SyncRunner`` owns one thread; ``DeskLink`` connects it to a desk. Used by
``lapor-desktop sync --watch`` and, through a Qt bridge, by the desk window.
"""

from sync.runner.link import DeskLink, ProbeResult, Reachable, SyncLink
from sync.runner.runner import (
    Listener,
    RunnerConfig,
    RunnerState,
    RunnerStatus,
    SyncRunner,
    Trigger,
)

__all__ = [
    "DeskLink",
    "Listener",
    "ProbeResult",
    "Reachable",
    "RunnerConfig",
    "RunnerState",
    "RunnerStatus",
    "SyncLink",
    "SyncRunner",
    "Trigger",
]
