"""The status lifecycle: local states, then the national service's.

Local states belong to this desk (draft, queued, sent). Once the national
service has the complaint its status is authoritative, so national states
may follow each other in any order the server reports; only moves *into*
the local states are restricted.
"""

from __future__ import annotations

import enum

from lapor_desktop.i18n import N_


class Status(enum.StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    SENT = "sent"
    VERIFIED = "verified"
    DEFERRED = "deferred"
    FORWARDED = "forwarded"
    FOLLOWED_UP = "followed_up"
    FINISHED = "finished"
    ARCHIVED = "archived"
    NOT_OUR_AUTHORITY = "not_our_authority"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_local(self) -> bool:
        return self in LOCAL_STATES

    @property
    def is_closed(self) -> bool:
        return is_closed(self.value)


LOCAL_STATES = frozenset({Status.DRAFT, Status.QUEUED, Status.SENT})
NATIONAL_STATES = frozenset(set(Status) - LOCAL_STATES)
CLOSED_STATES = frozenset(
    {Status.FINISHED, Status.ARCHIVED, Status.NOT_OUR_AUTHORITY, Status.REJECTED}
)
CLOSED_VALUES = frozenset(s.value for s in CLOSED_STATES)
"""The stored spellings of the closed states, for SQL filters (``status NOT IN``)."""


def is_closed(status: str) -> bool:
    """The one closed rule, for a status as stored: closed by the national service.

    A spelling this desk does not know (a newer server's state) is not closed,
    so its deadlines keep running rather than vanish.
    """
    return status in CLOSED_VALUES


_LABELS = {
    Status.DRAFT: N_("Draft"),
    Status.QUEUED: N_("Waiting to be sent"),
    Status.SENT: N_("Sent to LAPOR!"),
    Status.VERIFIED: N_("Verified"),
    Status.DEFERRED: N_("Deferred"),
    Status.FORWARDED: N_("Forwarded to the agency"),
    Status.FOLLOWED_UP: N_("Followed up by the agency"),
    Status.FINISHED: N_("Finished"),
    Status.ARCHIVED: N_("Archived"),
    Status.NOT_OUR_AUTHORITY: N_("Not our authority"),
    Status.REJECTED: N_("Rejected"),
}

_LOCAL_MOVES: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.DRAFT, Status.QUEUED}),
    Status.QUEUED: frozenset({Status.SENT} | NATIONAL_STATES),
    Status.SENT: NATIONAL_STATES,
}


class InvalidTransition(ValueError):
    """A move the lifecycle forbids: a bug in the caller, not user input."""


def can_move(current: Status, new: Status) -> bool:
    """Whether a complaint in ``current`` may move to ``new``."""
    if current in _LOCAL_MOVES:
        return new in _LOCAL_MOVES[current]
    # Already national: the server is authoritative between national states.
    return new in NATIONAL_STATES


def check_move(current: Status, new: Status) -> None:
    if not can_move(current, new):
        raise InvalidTransition(f"cannot move a complaint from {current} to {new}")


class SyncState(enum.StrEnum):
    """Where a complaint stands with the national service, as the desk shows it."""

    NOT_QUEUED = "not_queued"
    PENDING = "pending"
    SENT = "sent"
    QUARANTINED = "quarantined"

    @property
    def label(self) -> str:
        return _SYNC_LABELS[self]


_SYNC_LABELS = {
    SyncState.NOT_QUEUED: N_("Not queued (draft)"),
    SyncState.PENDING: N_("Waiting for the network"),
    SyncState.SENT: N_("Received by LAPOR!"),
    SyncState.QUARANTINED: N_("Needs attention"),
}
