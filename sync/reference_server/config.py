"""Everything the reference server can be told at start: limits, workflow pace, faults, tokens."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lapor_desktop.reference.dataset import ReferenceDataset

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ServerLimits:
    max_body_bytes: int = 4 * 1024 * 1024
    """Request bodies as sent (compressed or not); beyond it: 413."""
    max_decoded_bytes: int = 16 * 1024 * 1024
    """A gzip body once inflated; beyond it: 413 (no zip bombs)."""
    max_batch_items: int = 1000
    """More items in one batch: 422."""
    max_upload_bytes: int = 200 * 1024 * 1024
    default_changes_page: int = 100
    max_changes_page: int = 1000
    incomplete_upload_lifetime: dt.timedelta = dt.timedelta(days=7)
    """An unfinished upload untouched this long expires (tus expiration): its bytes are freed."""


@dataclass(frozen=True)
class WorkflowTimings:
    """How long the simulated national desk takes for each step."""

    verify_after: dt.timedelta
    forward_after: dt.timedelta
    respond_after: dt.timedelta
    finish_after: dt.timedelta

    @classmethod
    def training(cls) -> WorkflowTimings:
        """Seconds: front-desk staff see a whole lifecycle during one practice session."""
        seconds = dt.timedelta(seconds=1)
        return cls(20 * seconds, 40 * seconds, 90 * seconds, 180 * seconds)

    @classmethod
    def realistic(cls) -> WorkflowTimings:
        """Days, near the published deadlines (3 to forward, 5 to follow up, 10 to close)."""
        day = dt.timedelta(days=1)
        return cls(1 * day, 2 * day, 5 * day, 10 * day)

    @classmethod
    def uniform(cls, step: dt.timedelta) -> WorkflowTimings:
        return cls(step, step, step, step)


@dataclass(frozen=True)
class Faults:
    """App-level fault modes; link faults (bandwidth, resets) belong to ``sync.faultproxy``."""

    error_500_rate: float = 0.0
    error_503_rate: float = 0.0
    error_429_rate: float = 0.0
    error_500_after_commit_rate: float = 0.0
    """That share of writes (batches, follow-ups) is stored, then answered with 500."""
    retry_after_seconds: int = 2
    captive_portal: bool = False
    deduplicate: bool = True
    """False is the non-deduplicating mode: a retried submission is stored twice."""
    clock_offset_seconds: float = 0.0
    revoked_tokens: bool = False
    latency_ms: int = 0

    def updated(self, changes: Mapping[str, object]) -> Faults:
        """A copy with ``changes`` applied; ValueError names a bad field or value."""
        kinds = {f.name: f.type for f in dataclasses.fields(self)}
        values: dict[str, object] = {}
        for name, value in changes.items():
            kind = kinds.get(name)
            if kind is None:
                raise ValueError(f"unknown fault {name!r}")
            values[name] = _checked(name, kind, value)
        return dataclasses.replace(self, **values)  # type: ignore[arg-type]


def _checked(name: str, kind: object, value: object) -> object:
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if kind == "int":
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number, 0 or more")
        return value
    if name.endswith("_rate") and not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1")
    return float(value)


@dataclass(frozen=True)
class DeviceToken:
    token: str
    office_code: str
    label: str = ""


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path
    limits: ServerLimits = field(default_factory=ServerLimits)
    timings: WorkflowTimings = field(default_factory=WorkflowTimings.training)
    faults: Faults = field(default_factory=Faults)
    tokens: tuple[DeviceToken, ...] = ()
    """Extra tokens to accept; the server also keeps (and writes to ``tokens.json``) its own."""
    suspended_offices: frozenset[str] = frozenset()
    """Offices whose tokens are valid but who may do nothing: 403."""
    reference: ReferenceDataset | None = None
    """None: the bundled set (regions of the whole country, villages of Kepulauan Riau)."""
    clock: Clock = system_clock
    seed: int | None = None
    """Seeds the error-rate faults, so a failing run can be replayed."""
    fault_injection: bool = False
    """Whether ``/_admin`` (faults, the request record) answers at all; off, it is a 404."""
    admin_token: str | None = None
    """What ``/_admin`` callers must send in ``X-Admin-Token``; None: drawn at start."""
