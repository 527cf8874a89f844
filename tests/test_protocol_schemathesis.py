"""Schemathesis drives the running reference server from docs/openapi.yaml.

Every generated request (valid and invalid) must get an answer that the
document allows: no 5xx, a documented status code, a documented content
type and a body that matches its schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync.reference_server import RunningServer
from tests.support.clock import FakeClock
from tests.support.reference_server import running_reference_server

SPEC = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
schema = schemathesis.openapi.from_path(SPEC)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schemathesis.serializer("application/offset+octet-stream")
def _offset_bytes(_context: object, value: object) -> bytes:
    """tus PATCH bodies: whatever was generated, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    clock = FakeClock(dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC))
    with running_reference_server(tmp_path_factory.mktemp("server"), clock=clock) as running:
        yield running


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_server_keeps_the_documented_contract(
    case: schemathesis.Case, server: RunningServer
) -> None:
    headers = {"Authorization": f"Bearer {server.tokens['2104']}"}
    case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS)
