"""After a pass that reached the service: have the audit chain's head countersigned, and keep it.

``POST /v1/audit-anchors`` (docs/protocol.md, "Audit anchors"). The answer is kept only when
it is about the head that was sent and a trusted receipt key signed it, so an impostor
cannot plant an anchor. A route without the call, an empty log, a head already anchored
or an answer that does not check out changes nothing and never fails a pass.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from lapor_desktop.services.audit_anchors import AuditAnchors, Countersigned
from sync.adapters.outcomes import Failure


@runtime_checkable
class AnchorRoute(Protocol):
    def countersign_audit_head(self, entry_id: int, entry_hash: str) -> Countersigned | Failure: ...


def anchor_route(service: object) -> AnchorRoute | None:
    """The service's anchor call, or None when its route has none (the LAPOR! addstream)."""
    return service if isinstance(service, AnchorRoute) else None


def anchor(service: object, anchors: AuditAnchors) -> Countersigned | None:
    """Countersign and keep the current head; None when nothing new was anchored."""
    route = anchor_route(service)
    head = anchors.head()
    if route is None or head is None or head.entry_id == anchors.latest():
        return None
    signed = route.countersign_audit_head(head.entry_id, head.entry_hash)
    if not isinstance(signed, Countersigned):
        return None
    anchors.keep(signed)
    return signed
