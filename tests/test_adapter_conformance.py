"""The conformance suite for our two adapters, each against its simulated service.

What an adapter lacks is reported as skipped "not applicable"; the last test
pins which checks do not apply to each, so a capability cannot be lost quietly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.adapters.capabilities import capabilities_of
from tests.adapter_conformance.harness import Check, applicability, connect
from tests.adapter_conformance.reference_services import opener
from tests.adapter_conformance.runner import ALL_CHECKS, conform
from tests.support.clock import FakeClock

OURS = ("lapor-v1", "addstream")
TOKEN = "conformance-token-0123456789"


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.name)
@pytest.mark.parametrize("adapter_name", OURS)
def test_adapter_conforms(
    adapter_name: str, check: Check, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    conform(opener(adapter_name), check, tmp_path, request)


NOT_APPLICABLE = {
    "lapor-v1": {
        "without_lookup_a_lookup_refuses",
        "declared_batch_limit_is_kept",
        "missing_calls_refuse_and_invent_nothing",
    },
    "addstream": {
        "resubmission_is_idempotent",
        "other_content_under_a_uuid_is_a_conflict",
        "lookup_after_an_ambiguous_failure_finds_the_record",
        "follow_ups_are_idempotent",
        "attachments_upload_and_report_their_offset",
        "the_feed_brings_status_changes_once",
    },
}


@pytest.mark.parametrize("adapter_name", OURS)
def test_what_does_not_apply_is_exactly_what_the_adapter_declares_it_lacks(
    adapter_name: str, clock: FakeClock
) -> None:
    adapter = connect(adapter_name, "http://127.0.0.1:9", TOKEN, clock=clock)
    capabilities = capabilities_of(adapter)
    skipped = {c.name for c in ALL_CHECKS if applicability(c, capabilities) is not None}
    assert skipped == NOT_APPLICABLE[adapter_name]
