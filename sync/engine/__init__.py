"""The sync engine: sends the outbox up and pulls the national changes feed down.

``SyncEngine.run_once()`` is one pass; it returns a ``SyncSummary`` whose
``outcome`` says whether everything is done, the desk is offline (a normal
state) or a person must act; ``outcomes.py`` holds what each outcome means.
No Qt, no GUI: it runs the same headless.
"""

from sync.engine.backoff import Backoff
from sync.engine.batch_size import BatchSizer
from sync.engine.engine import EngineConfig, SyncEngine
from sync.engine.link_state import LinkState
from sync.engine.outcomes import (
    AuthProblem,
    Cancelled,
    Connection,
    Done,
    NeedsSignIn,
    Offline,
    PassOutcome,
    Retry,
    ServiceUnavailable,
    SyncOutcome,
    SyncSummary,
    Unconfigured,
    UnexpectedError,
)
from sync.engine.progress import Phase, Progress, ProgressSnapshot

__all__ = [
    "AuthProblem",
    "Backoff",
    "BatchSizer",
    "Cancelled",
    "Connection",
    "Done",
    "EngineConfig",
    "LinkState",
    "NeedsSignIn",
    "Offline",
    "PassOutcome",
    "Phase",
    "Progress",
    "ProgressSnapshot",
    "Retry",
    "ServiceUnavailable",
    "SyncEngine",
    "SyncOutcome",
    "SyncSummary",
    "Unconfigured",
    "UnexpectedError",
]
