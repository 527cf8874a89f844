"""The audit anchor message: a desk's chain head, countersigned by the service's receipt key.

``POST /v1/audit-anchors`` with ``{"entry_id", "entry_hash"}`` answers the same two fields
with ``server_time``, ``algorithm``, ``key_id`` and ``signature``: Ed25519 over the bytes
of :func:`lapor_desktop.services.audit_anchors.anchor_payload`, the one definition both
sides use (docs/protocol.md, "Audit anchors").
"""

from __future__ import annotations

import datetime as dt
import re

from lapor_desktop.services.audit_anchors import Countersigned, anchor_payload
from sync.protocol.receipts import ReceiptSigner
from sync.protocol.wire import ProtocolError, format_time, parse_time

ALGORITHM = "Ed25519"
_HASH = re.compile(r"[0-9a-f]{64}")


def decode_head(body: object) -> tuple[int, str]:
    """The request: a positive entry id and a lower-case SHA-256 hex hash."""
    if not isinstance(body, dict):
        raise ProtocolError("", "an audit anchor request is an object")
    entry_id, entry_hash = body.get("entry_id"), body.get("entry_hash")
    if not isinstance(entry_id, int) or isinstance(entry_id, bool) or entry_id < 1:
        raise ProtocolError("entry_id", "a positive whole number")
    if not isinstance(entry_hash, str) or not _HASH.fullmatch(entry_hash):
        raise ProtocolError("entry_hash", "64 lower-case hexadecimal digits")
    return entry_id, entry_hash


def countersign(
    signer: ReceiptSigner, entry_id: int, entry_hash: str, now: dt.datetime
) -> dict[str, object]:
    """The service's answer: the head with its time, signed by the receipt key."""
    server_time = format_time(now)
    return {
        "entry_id": entry_id,
        "entry_hash": entry_hash,
        "server_time": server_time,
        "algorithm": ALGORITHM,
        "key_id": signer.key_id,
        "signature": signer.sign_bytes(anchor_payload(entry_id, entry_hash, server_time)),
    }


def decode_countersigned(body: object) -> Countersigned:
    """The answer as the desk reads it (the signature is checked by the caller)."""
    entry_id, entry_hash = decode_head(body)
    assert isinstance(body, dict)
    fields: dict[str, str] = {}
    for name in ("server_time", "algorithm", "key_id", "signature"):
        value = body.get(name)
        if not isinstance(value, str):
            raise ProtocolError(name, "a string")
        fields[name] = value
    if fields["algorithm"] != ALGORITHM:
        raise ProtocolError("algorithm", f"only {ALGORITHM}")
    parse_time(fields["server_time"], "server_time")
    return Countersigned(
        entry_id, entry_hash, fields["server_time"], fields["key_id"], fields["signature"]
    )
