"""Every answer of ``POST /v1/audit-anchors``, for the contract test of docs/openapi.yaml."""

from __future__ import annotations

from collections.abc import Callable

import requests

Call = Callable[..., requests.Response]
PATH = "/v1/audit-anchors"


def anchor_routes(call: Call, auth: dict[str, str]) -> None:
    head = {"entry_id": 7, "entry_hash": "ab" * 32}
    signed = call("POST", PATH, json=head, headers=auth)
    assert signed.status_code == 200 and signed.json()["entry_id"] == 7
    assert call("POST", PATH, json=head).status_code == 401
    assert call("POST", PATH, json={"entry_id": 0}, headers=auth).status_code == 400
    assert call("POST", PATH, data=b"x", headers=auth).status_code == 415
