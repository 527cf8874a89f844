"""The suite against an office's own adapter: name its ``OpenService`` in LAPOR_ADAPTER_SERVICE.

``LAPOR_ADAPTER_SERVICE=my_adapter.testing:open_service \\
    pytest tests/adapter_conformance/run_against.py -ra``
The adapter must be installed (its entry point registered) in the same environment.
Not collected by the desk's own test run (its name does not start with ``test_``).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from tests.adapter_conformance.harness import Check, OpenService
from tests.adapter_conformance.runner import ALL_CHECKS, conform

VARIABLE = "LAPOR_ADAPTER_SERVICE"


def _open_service() -> OpenService:
    named = os.environ.get(VARIABLE, "")
    module, _, attribute = named.partition(":")
    if not module or not attribute:
        pytest.fail(f"set {VARIABLE}=package.module:function (an OpenService)", pytrace=False)
    found: OpenService = getattr(importlib.import_module(module), attribute)
    return found


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.name)
def test_the_adapter_conforms(check: Check, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    conform(_open_service(), check, tmp_path, request)
