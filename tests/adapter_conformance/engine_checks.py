"""The checks that run the real sync engine and a real desk over the adapter, and the token check.

What an office cares about in the end: every complaint the service holds is
recorded with the tracking ID the service gave it, nothing is marked
received that the service did not confirm, an ambiguous failure never turns
into a second copy, and the device token never reaches a log or a message.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse

from lapor_desktop.domain.status import SyncState
from sync.adapters.outcomes import FAILURE_TYPES
from sync.connection import fitted_config
from sync.engine import Backoff, Done, EngineConfig, SyncEngine
from tests.adapter_conformance.checks import oversized_item
from tests.adapter_conformance.harness import Check, CheckContext, Fault, faulted
from tests.support.reference_server import sample_item
from tests.support.sync_engine import queue, seen, store_for

AFTER_BACKOFF = dt.timedelta(hours=2)


def _engine(ctx: CheckContext) -> SyncEngine:
    """As ``sync.connection`` builds it: batches no larger than the adapter declares."""
    assert ctx.desk is not None
    config = fitted_config(EngineConfig(backoff=Backoff(random=lambda: 0.5)), ctx.adapter)
    store = store_for(ctx.desk, ctx.clock)  # type: ignore[arg-type]
    return SyncEngine(ctx.adapter, store, clock=ctx.clock, config=config)


def _queued(ctx: CheckContext, count: int) -> list[str]:
    assert ctx.desk is not None and ctx.clerk is not None
    return [
        queue(ctx.desk, ctx.clerk, title=f"Jalan rusak di Daik, ruas {n + 1}") for n in range(count)
    ]


def every_complaint_gets_the_tracking_id_the_service_holds(ctx: CheckContext) -> None:
    assert ctx.desk is not None
    uuids = _queued(ctx, 3)
    summary = _engine(ctx).run_once()
    assert isinstance(summary.outcome, Done), summary.outcome
    held = ctx.service.held()
    recorded = [seen(ctx.desk, u) for u in uuids]
    assert len(held) == 3, held
    assert sorted(str(r.tracking_id) for r in recorded) == sorted(held), (recorded, held)
    assert all(r.sync_state == SyncState.SENT.value for r in recorded), recorded


def nothing_is_marked_received_without_proof(ctx: CheckContext) -> None:
    """Stored, answer lost: not sent yet; then found by look-up, or left for a person."""
    assert ctx.desk is not None
    (complaint,) = _queued(ctx, 1)
    engine = _engine(ctx)
    with faulted(ctx.service, Fault.STORED_THEN_DROPPED):
        first = engine.run_once()
    assert not isinstance(first.outcome, Done), first.outcome
    after_first = seen(ctx.desk, complaint)
    assert after_first.tracking_id is None and after_first.sync_state != SyncState.SENT.value
    assert len(ctx.service.held()) == 1
    ctx.advance(AFTER_BACKOFF)
    second = engine.run_once()
    after = seen(ctx.desk, complaint)
    held = ctx.service.held()
    assert len(held) == 1, f"a complaint that was already there was sent again: {held}"
    if ctx.capabilities.lookup:
        assert after.tracking_id == held[0], after
    else:
        assert after.tracking_id is None and after.needs_lookup, after
        assert second.needs_person, "without a look-up a person must decide"


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


def the_token_stays_out_of_logs_and_failures(ctx: CheckContext) -> None:
    """Every logger at DEBUG (urllib3 logs each request line) while the adapter works and fails."""
    collected = _Collected()
    root = logging.getLogger()
    level = root.level
    root.addHandler(collected)
    root.setLevel(logging.DEBUG)
    answers: list[object] = []
    try:
        answers.append(ctx.adapter.submit_batch([sample_item()]))
        for fault in (Fault.UNAUTHORIZED, Fault.SERVER_ERROR, Fault.STORED_THEN_DROPPED):
            with faulted(ctx.service, fault):
                answers.append(ctx.adapter.submit_batch([sample_item()]))
        with faulted(ctx.service, Fault.TOO_LARGE):
            answers.append(ctx.adapter.submit_batch([oversized_item()]))
        answers += [ctx.adapter.lookup(sample_item().client_uuid), ctx.adapter.changes(None, 10)]
    finally:
        root.removeHandler(collected)
        root.setLevel(level)
    texts = [*collected.texts, repr(ctx.adapter), str(ctx.adapter)]
    for answer in answers:
        texts += [repr(answer), str(answer)]
        if isinstance(answer, FAILURE_TYPES):
            texts += [answer.message.render("id"), answer.message.render("en")]
    secret = ctx.service.token
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    leaks = [text for text in texts if any(form in text for form in forms)]
    assert not leaks, f"the device token appears in: {leaks[:3]}"


ENGINE_CHECKS: tuple[Check, ...] = (
    Check(
        "every_complaint_gets_the_tracking_id_the_service_holds",
        every_complaint_gets_the_tracking_id_the_service_holds,
        uses_desk=True,
    ),
    Check(
        "nothing_is_marked_received_without_proof",
        nothing_is_marked_received_without_proof,
        uses_desk=True,
    ),
    Check("the_token_stays_out_of_logs_and_failures", the_token_stays_out_of_logs_and_failures),
)
