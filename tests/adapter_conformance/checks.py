"""The adapter-level checks: each one a promise the sync engine relies on.

Every check talks to the simulated service over real HTTP and compares what
the adapter said with what the service holds (``held``). A check that needs a
capability the adapter declares it lacks does not apply; the ``lacks`` checks
then prove that the missing call refuses instead of faking a success.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import uuid

from sync.adapters.capabilities import UNSIGNED_KEY_ID
from sync.adapters.outcomes import (
    FAILURE_TYPES,
    CaptivePortal,
    Forbidden,
    NotFound,
    Rejected,
    RetryLater,
    ServerError,
    TooLarge,
    Unauthorized,
    Unreachable,
)
from sync.adapters.service import AttachmentSource
from sync.protocol.messages import (
    Accepted,
    BatchResponse,
    ChangesPage,
    ComplaintRecord,
    Conflict,
    Duplicate,
    FollowUp,
    FollowUpOutcome,
    FollowUpResult,
    SubmissionItem,
    UploadState,
)
from tests.adapter_conformance.harness import Check, CheckContext, Fault, faulted
from tests.support.reference_server import sample_item


def _accepted(ctx: CheckContext, item: SubmissionItem) -> Accepted:
    response = ctx.adapter.submit_batch([item])
    assert isinstance(response, BatchResponse), response
    assert len(response.results) == 1, response
    result = response.results[0]
    assert isinstance(result, Accepted), result
    return result


def oversized_item() -> SubmissionItem:
    """About 64 KB that no compression can shrink much: too large for any sane limit."""
    item = sample_item()
    content = {**item.content, "description": os.urandom(32 * 1024).hex()}
    return SubmissionItem(item.client_uuid, item.content_hash, content)


def tracking_id_is_the_services_proof(ctx: CheckContext) -> None:
    item = sample_item()
    result = _accepted(ctx, item)
    held = ctx.service.held()
    assert held == [result.tracking_id], (held, result)
    receipt = result.receipt
    assert (receipt.client_uuid, receipt.content_hash, receipt.tracking_id) == (
        item.client_uuid,
        item.content_hash,
        result.tracking_id,
    )
    signed = receipt.key_id != UNSIGNED_KEY_ID
    assert signed == ctx.capabilities.signed_receipts, "capabilities.signed_receipts is wrong"


def resubmission_is_idempotent(ctx: CheckContext) -> None:
    item = sample_item()
    first = _accepted(ctx, item)
    again = ctx.adapter.submit_batch([item])
    assert isinstance(again, BatchResponse), again
    result = again.results[0]
    assert isinstance(result, Duplicate), result
    assert result.tracking_id == first.tracking_id
    assert ctx.service.held() == [first.tracking_id]


def other_content_under_a_uuid_is_a_conflict(ctx: CheckContext) -> None:
    item = sample_item()
    first = _accepted(ctx, item)
    edited = sample_item(client_uuid=item.client_uuid, title="Jalan rusak parah di Daik")
    answer = ctx.adapter.submit_batch([edited])
    assert isinstance(answer, BatchResponse), answer
    result = answer.results[0]
    assert isinstance(result, Conflict), result
    assert result.tracking_id == first.tracking_id
    assert ctx.service.held() == [first.tracking_id]


def lookup_after_an_ambiguous_failure_finds_the_record(ctx: CheckContext) -> None:
    item = sample_item()
    with faulted(ctx.service, Fault.STORED_THEN_ERROR):
        answer = ctx.adapter.submit_batch([item])
    assert not isinstance(answer, BatchResponse), "a 500 answer passed for a success"
    assert isinstance(answer, ServerError), answer
    held = ctx.service.held()
    assert len(held) == 1, held
    found = ctx.adapter.lookup(item.client_uuid)
    assert isinstance(found, ComplaintRecord), found
    assert (found.content_hash, found.tracking_id) == (item.content_hash, held[0])
    assert isinstance(ctx.adapter.lookup(str(uuid.uuid4())), NotFound)


def an_ambiguous_failure_is_never_a_success(ctx: CheckContext) -> None:
    """Stored but unheard: a retryable failure that says it may have arrived."""
    item = sample_item()
    with faulted(ctx.service, Fault.STORED_THEN_DROPPED):
        dropped = ctx.adapter.submit_batch([item])
    assert isinstance(dropped, Unreachable), dropped
    assert dropped.maybe_delivered, "a request that reached the service must count as maybe sent"
    with faulted(ctx.service, Fault.STORED_THEN_ERROR):
        failed = ctx.adapter.submit_batch([sample_item()])
    assert isinstance(failed, FAILURE_TYPES) and failed.retryable, failed
    assert len(ctx.service.held()) == 2


def without_lookup_a_lookup_refuses(ctx: CheckContext) -> None:
    """Never ``NotFound``: that would send a complaint that may already be there again."""
    item = sample_item()
    _accepted(ctx, item)
    for client_uuid in (item.client_uuid, str(uuid.uuid4())):
        answer = ctx.adapter.lookup(client_uuid)
        assert not isinstance(answer, NotFound | ComplaintRecord), answer
        assert isinstance(answer, FAILURE_TYPES) and not answer.retryable, answer


STATUS_FAULTS = {
    Fault.UNAUTHORIZED: Unauthorized,
    Fault.FORBIDDEN: Forbidden,
    Fault.TOO_LARGE: TooLarge,
    Fault.RATE_LIMITED: RetryLater,
    Fault.UNAVAILABLE: RetryLater,
    Fault.SERVER_ERROR: ServerError,
    Fault.CAPTIVE_PORTAL: CaptivePortal,
}


def _refused_with(fault: Fault) -> Check:
    expected = STATUS_FAULTS[fault]

    def check(ctx: CheckContext) -> None:
        item = oversized_item() if fault is Fault.TOO_LARGE else sample_item()
        with faulted(ctx.service, fault):
            answer = ctx.adapter.submit_batch([item])
        assert isinstance(answer, expected), (fault, answer)
        if isinstance(answer, RetryLater):
            assert answer.retry_after is not None, "Retry-After was not read"
        assert ctx.service.held() == [], "the service stored what it refused"

    return Check(f"{fault.name.lower()}_is_{expected.__name__}", check)


def declared_batch_limit_is_kept(ctx: CheckContext) -> None:
    limit = ctx.capabilities.max_batch_items
    assert limit is not None
    answer = ctx.adapter.submit_batch([sample_item() for _ in range(limit + 1)])
    shrinkable = isinstance(answer, TooLarge) or (
        isinstance(answer, Rejected) and answer.code == "too-many-items"
    )
    assert shrinkable, f"the engine can shrink only on TooLarge or too-many-items: {answer}"
    assert ctx.service.held() == []


def follow_ups_are_idempotent(ctx: CheckContext) -> None:
    item = sample_item()
    _accepted(ctx, item)
    message = FollowUp(str(uuid.uuid4()), "Sudah diperbaiki sebagian, mohon dicek lagi.")
    first = ctx.adapter.post_message(item.client_uuid, message)
    again = ctx.adapter.post_message(item.client_uuid, message)
    assert isinstance(first, FollowUpResult) and first.outcome is FollowUpOutcome.ACCEPTED, first
    assert isinstance(again, FollowUpResult) and again.outcome is FollowUpOutcome.DUPLICATE, again


def attachments_upload_and_report_their_offset(ctx: CheckContext) -> None:
    data = os.urandom(3000)
    sha256 = hashlib.sha256(data).hexdigest()
    item = sample_item(attachments=(sha256,))
    _accepted(ctx, item)
    source = AttachmentSource(sha256, len(data), io.BytesIO(data), item.client_uuid, "foto.jpg")
    state = ctx.adapter.upload_attachment(source)
    assert isinstance(state, UploadState) and state.complete, state
    offset = ctx.adapter.upload_offset(sha256)
    assert offset == UploadState(sha256, len(data), len(data)), offset


def the_feed_brings_status_changes_once(ctx: CheckContext) -> None:
    item = sample_item()
    result = _accepted(ctx, item)
    assert ctx.service.let_national_desk_act(), "capabilities.changes_feed, but nothing changes"
    ctx.advance(dt.timedelta(hours=1))
    page = ctx.adapter.changes(None, 100)
    assert isinstance(page, ChangesPage), page
    mine = [c for c in page.changes if c.client_uuid == item.client_uuid]
    assert mine and all(c.tracking_id == result.tracking_id for c in mine), page
    later = ctx.adapter.changes(page.next_cursor, 100)
    assert isinstance(later, ChangesPage), later
    seen = {c.change_id for c in page.changes}
    assert not seen & {c.change_id for c in later.changes}, "a change came twice"


def missing_calls_refuse_and_invent_nothing(ctx: CheckContext) -> None:
    """Each call the adapter lacks answers a non-retryable refusal, or (feed) nothing at all."""
    caps = ctx.capabilities
    item = sample_item()
    _accepted(ctx, item)
    refusals: list[object] = []
    if not caps.follow_ups:
        refusals.append(
            ctx.adapter.post_message(item.client_uuid, FollowUp(str(uuid.uuid4()), "x"))
        )
    if not caps.uploads:
        source = AttachmentSource("0" * 64, 1, io.BytesIO(b"x"))
        refusals += [ctx.adapter.upload_attachment(source), ctx.adapter.upload_offset("0" * 64)]
    for answer in refusals:
        assert isinstance(answer, FAILURE_TYPES) and not answer.retryable, answer
    if not caps.changes_feed:
        page = ctx.adapter.changes(None, 100)
        if isinstance(page, ChangesPage):
            assert page.changes == () and not page.has_more, page


ADAPTER_CHECKS: tuple[Check, ...] = (
    Check("tracking_id_is_the_services_proof", tracking_id_is_the_services_proof),
    Check("resubmission_is_idempotent", resubmission_is_idempotent, needs=("deduplicates",)),
    Check(
        "other_content_under_a_uuid_is_a_conflict",
        other_content_under_a_uuid_is_a_conflict,
        needs=("detects_conflicts",),
    ),
    Check(
        "lookup_after_an_ambiguous_failure_finds_the_record",
        lookup_after_an_ambiguous_failure_finds_the_record,
        needs=("lookup",),
    ),
    Check("an_ambiguous_failure_is_never_a_success", an_ambiguous_failure_is_never_a_success),
    Check("without_lookup_a_lookup_refuses", without_lookup_a_lookup_refuses, lacks=("lookup",)),
    *(_refused_with(fault) for fault in STATUS_FAULTS),
    Check("declared_batch_limit_is_kept", declared_batch_limit_is_kept, needs=("max_batch_items",)),
    Check("follow_ups_are_idempotent", follow_ups_are_idempotent, needs=("follow_ups",)),
    Check(
        "attachments_upload_and_report_their_offset",
        attachments_upload_and_report_their_offset,
        needs=("uploads",),
    ),
    Check(
        "the_feed_brings_status_changes_once",
        the_feed_brings_status_changes_once,
        needs=("changes_feed",),
    ),
    Check(
        "missing_calls_refuse_and_invent_nothing",
        missing_calls_refuse_and_invent_nothing,
        lacks=("follow_ups", "uploads", "changes_feed"),
    ),
)
