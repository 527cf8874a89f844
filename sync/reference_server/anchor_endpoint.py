"""``POST /v1/audit-anchors``: countersign a desk's audit chain head with the receipt key.

The desk keeps the answer; a later ``audit verify`` finds a cut or recomputed log by it.
The service keeps nothing here: the desk's copy (and its backups) carry the anchors.
"""

from __future__ import annotations

from flask import Flask, Response

from sync.protocol.anchors import countersign, decode_head
from sync.protocol.wire import ProtocolError
from sync.reference_server.api import authenticate
from sync.reference_server.responses import json_response, malformed, read_json
from sync.reference_server.state import ServerState


def register_anchors(app: Flask, state: ServerState) -> None:
    @app.post("/v1/audit-anchors", provide_automatic_options=False)
    def countersign_head() -> Response:
        authenticate(state)
        try:
            entry_id, entry_hash = decode_head(read_json(state.config.limits))
        except ProtocolError as error:
            raise malformed(str(error)) from error
        return json_response(countersign(state.signer, entry_id, entry_hash, state.now()))
