"""Running one check as a pytest test: a fresh service per check, a desk only when needed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lapor_desktop.desk import Desk
from lapor_desktop.services.context import Actor
from tests.adapter_conformance.checks import ADAPTER_CHECKS
from tests.adapter_conformance.engine_checks import ENGINE_CHECKS
from tests.adapter_conformance.harness import Check, NotApplicable, OpenService, run_check
from tests.support.clock import FakeClock

ALL_CHECKS: tuple[Check, ...] = (*ADAPTER_CHECKS, *ENGINE_CHECKS)


def conform(
    open_service: OpenService, check: Check, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Skips with "not applicable: ..." when the adapter declares it lacks what the check needs."""
    clock: FakeClock = request.getfixturevalue("clock")

    def advance(delta: dt.timedelta) -> None:
        clock.advance(seconds=delta.total_seconds())

    def desk() -> tuple[Desk, Actor]:
        return request.getfixturevalue("sqlite_desk"), request.getfixturevalue("sqlite_clerk")

    with open_service(tmp_path / "service", clock) as service:
        try:
            run_check(check, service, clock, advance, desk)
        except NotApplicable as reason:
            pytest.skip(f"not applicable: {reason}")
