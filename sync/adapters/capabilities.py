"""What an adapter's service can do, declared, so nothing is marked received without proof.

Not every national route has every call: the old ``addstream`` endpoint takes
one report and answers a tracking ID, nothing else. An adapter says so in
``capabilities``; the calls it lacks still answer (``NationalService`` has no
optional methods) but with a refusal that never passes for a success: a
follow-up or a file is set aside for a person, a look-up stops the pass for a
person (a blind resend could be a second complaint at LAPOR!).
"""

from __future__ import annotations

from dataclasses import dataclass

from lapor_desktop.i18n import N_, Message
from sync.adapters.outcomes import Forbidden, Rejected

NOT_OFFERED = "not-offered"
"""The ``Rejected.code`` of a call the adapter's service does not have."""
UNSIGNED_KEY_ID = "unsigned"
"""``Receipt.key_id`` of a receipt built from a service's answer that carries no signature."""


@dataclass(frozen=True)
class Capabilities:
    """The defaults are the v1 protocol's: everything, any batch size the server accepts."""

    max_batch_items: int | None = None
    """At most this many complaints per ``submit_batch``; None: the service's limit (413/422)."""
    deduplicates: bool = True
    """The same client UUID and content again is answered ``Duplicate`` with the first ID."""
    detects_conflicts: bool = True
    """The same client UUID with other content is answered ``Conflict``."""
    lookup: bool = True
    follow_ups: bool = True
    changes_feed: bool = True
    uploads: bool = True
    reference_data: bool = True
    server_time: bool = True
    signed_receipts: bool = True
    """Receipts are signed by a configured key; else ``key_id`` is ``UNSIGNED_KEY_ID``."""


FULL = Capabilities()


def capabilities_of(service: object) -> Capabilities:
    """The adapter's declaration; an adapter that declares nothing claims the whole protocol."""
    declared = getattr(service, "capabilities", FULL)
    return declared if isinstance(declared, Capabilities) else FULL


def not_offered(what: str) -> Rejected:
    """A call the service lacks: the lanes set its entry aside with ``what`` as the reason."""
    return Rejected(501, NOT_OFFERED, what)


@dataclass(frozen=True)
class CannotLookUp(Forbidden):
    """No look-up on this route: a Forbidden, so the entry keeps its place and a person decides.

    A look-up is asked only when a complaint may already be at LAPOR!; answering
    ``NotFound`` would send it again, and the route cannot tell a retry from a
    new complaint.
    """

    adapter: str = ""

    @property
    def message(self) -> Message:
        return Message(
            N_(
                "The national route of this desk ({adapter}) cannot check whether a complaint "
                "already reached LAPOR!. Check on the LAPOR! website before it is sent again."
            ),
            {"adapter": self.adapter},
        )
