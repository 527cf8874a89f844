"""The sync log: one line per pass in ``<data>/logs/sync.log``, for IT staff reading it later.

Counts, outcome kinds, durations and the clock offset, never a name, a NIK,
a phone number, a complaint's text or the device token: the lines are built
from numbers and type names only, and the device-token redactor filters
them as a last guard. The file rotates (5 files of 2 MB), so a desk that is
offline for months never fills its disk.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from lapor_desktop.logs import OwnerOnlyRotatingFileHandler
from sync.device_token import REDACTOR
from sync.engine import (
    PassOutcome,
    SyncSummary,
)

LOG_NAME = "sync.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5


def outcome_detail(outcome: PassOutcome) -> str:
    """The failure's type and HTTP status, e.g. ``RetryLater 429``; never its free text."""
    failure = getattr(outcome, "failure", None)
    if failure is None:
        return "-"
    status = getattr(failure, "status", None)
    return type(failure).__name__ if status is None else f"{type(failure).__name__} {status}"


class SyncLog:
    """A private logger (not in ``logging``'s registry), so two desks never share a file."""

    def __init__(self, logs_dir: Path) -> None:
        logs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = logs_dir / LOG_NAME
        self._handler = OwnerOnlyRotatingFileHandler(
            self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._handler.addFilter(REDACTOR)
        self._logger = logging.Logger("lapor.sync.passes", logging.INFO)
        self._logger.addHandler(self._handler)

    def record_pass(
        self,
        summary: SyncSummary,
        *,
        trigger: str,
        started_at: dt.datetime,
        duration: dt.timedelta,
    ) -> None:
        offset = summary.clock_offset
        retry_at = getattr(summary.outcome, "retry_at", None)
        retry_in = "-"
        if isinstance(retry_at, dt.datetime):
            retry_in = f"{max(0.0, (retry_at - started_at - duration).total_seconds()):.1f}"
        self._logger.info(
            "%s pass trigger=%s outcome=%s detail=%s sent=%d present=%d rejected=%d "
            "conflicts=%d updates=%d duration_ms=%d clock_offset_s=%s retry_in_s=%s",
            _stamp(started_at),
            trigger,
            summary.outcome.kind,
            outcome_detail(summary.outcome).replace(" ", "_"),
            summary.sent,
            summary.already_present,
            summary.rejected,
            summary.conflicts,
            summary.status_updates,
            round(duration.total_seconds() * 1000),
            "-" if offset is None else f"{offset.total_seconds():.3f}",
            retry_in,
        )

    def record_event(self, event: str, *, at: dt.datetime) -> None:
        """A state change between passes: ``network_returned``, ``not_configured``, ``stopped``."""
        self._logger.info("%s %s", _stamp(at), event)

    def close(self) -> None:
        self._logger.removeHandler(self._handler)
        self._handler.close()


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
