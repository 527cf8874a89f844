"""What a failed exchange does to the entries it carried, and to the pass.

Shared by everything the engine sends (complaints, attachments, follow-ups):
certificate, token and permission problems and captive portals give the
leases back untried and need a person; everything else is counted as an
attempt with a backoff, remembering whether the request may have arrived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lapor_desktop.services.sync_store import SyncStore
from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Failure,
    Forbidden,
    MalformedResponse,
    RetryLater,
    ServerError,
    Unauthorized,
    Unreachable,
    UntrustedReceipt,
)
from sync.engine.backoff import Backoff
from sync.engine.outcomes import (
    AuthProblem,
    NeedsSignIn,
    Offline,
    PassOutcome,
    ServiceUnavailable,
)


def settle_failure(
    store: SyncStore,
    failure: Failure,
    entries: Sequence[tuple[int, int]],
    *,
    backoff: Backoff,
    now: dt.datetime,
) -> PassOutcome:
    """``entries`` are (outbox ID, attempts so far); returns the outcome that stops the pass."""
    ids = [outbox_id for outbox_id, _ in entries]
    if isinstance(failure, Unauthorized | Forbidden | CertificateProblem):
        store.release(ids)
        return AuthProblem(failure)
    if isinstance(failure, UntrustedReceipt):
        # The server answered, so it may hold them: look up once the key is fixed.
        store.defer(ids, "untrusted receipt", now, maybe_delivered=True)
        return AuthProblem(failure)
    if isinstance(failure, CaptivePortal):
        store.release(ids)
        return NeedsSignIn(failure)
    attempts = 1 + max((tries for _, tries in entries), default=0)
    retry_after = failure.retry_after if isinstance(failure, RetryLater) else None
    retry_at = now + backoff.delay(attempts, retry_after)
    # A 5xx or a garbled answer may come after the server stored the batch: look up first.
    maybe = isinstance(failure, MalformedResponse | ServerError) or (
        isinstance(failure, Unreachable) and failure.maybe_delivered
    )
    store.defer(ids, describe(failure), retry_at, maybe_delivered=maybe)
    return outcome_of(failure, retry_at)


def outcome_of(failure: Failure, retry_at: dt.datetime) -> PassOutcome:
    """The pass outcome of a failure, once the entries it concerned were dealt with."""
    if isinstance(failure, Unauthorized | Forbidden | CertificateProblem | UntrustedReceipt):
        return AuthProblem(failure)
    if isinstance(failure, CaptivePortal):
        return NeedsSignIn(failure)
    if isinstance(failure, Unreachable):
        return Offline(failure.reason, retry_at)
    return ServiceUnavailable(failure, retry_at)


def describe(failure: Failure) -> str:
    """A log-safe description: the failure's type and status, never personal data."""
    status = getattr(failure, "status", None)
    return type(failure).__name__ if status is None else f"{type(failure).__name__} {status}"
