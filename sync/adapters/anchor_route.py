"""The v1 protocol's audit-anchor call: ``POST /v1/audit-anchors`` (docs/protocol.md).

The answer is accepted only when it is about the head that was sent and a
trusted receipt key signed it, so an impostor cannot plant an anchor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.services.audit_anchors import Countersigned
from sync.adapters.http_exchange import HttpExchange, Reply, decode_json, failure_of
from sync.adapters.outcomes import Failure, MalformedResponse, NotFound, Rejected
from sync.protocol.anchors import decode_countersigned
from sync.protocol.receipts import key_id

PATH = "/v1/audit-anchors"


class AnchorCalls:
    """The v1 protocol's anchor call over an adapter's HTTP exchange, answers checked."""

    def __init__(
        self,
        http: HttpExchange,
        clock: Callable[[], dt.datetime],
        trusted_keys: Iterable[Ed25519PublicKey],
    ) -> None:
        self._http = http
        self._clock = clock
        self._trusted = {key_id(k): k for k in trusted_keys}

    def countersign_audit_head(self, entry_id: int, entry_hash: str) -> Countersigned | Failure:
        body = {"entry_id": entry_id, "entry_hash": entry_hash}
        reply = self._http.call("POST", PATH, json_body=body)
        if not isinstance(reply, Reply):
            return reply
        if reply.status != 200:
            failure = failure_of(reply, self._clock())
            return Rejected(404, "not-found", "") if isinstance(failure, NotFound) else failure
        signed = decode_json(reply, decode_countersigned)
        if not isinstance(signed, Countersigned):
            return signed
        if (signed.entry_id, signed.entry_hash) != (entry_id, entry_hash):
            return MalformedResponse("the countersigned head is not the head that was sent")
        key = self._trusted.get(signed.key_id)
        if key is None or not signed.signed_by(key):
            return MalformedResponse("the anchor is not signed by a trusted receipt key")
        return signed
