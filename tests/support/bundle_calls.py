"""Every answer of the bundle routes, for the contract test of docs/openapi.yaml.

``call`` is that test's checker (it validates JSON and problem answers against the
document and notes each method, path and status in ``seen``); the sealed envelopes it
cannot read as JSON are checked here and noted the same way.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import requests

from sync.reference_server import RunningServer
from tests.support.bundle_desk import BundleDesk, auth, upload
from tests.support.reference_server import OTHER_OFFICE, sample_item

Call = Callable[..., requests.Response]


def _envelope(reply: requests.Response, seen: set[tuple[str, str, int]], key: str) -> None:
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"] == "application/octet-stream"
    assert reply.headers["X-Return-Sha256"] == hashlib.sha256(reply.content).hexdigest()
    assert "X-Server-Time" in reply.headers and "Date" in reply.headers
    uuid.UUID(reply.headers["X-Bundle-Id"])
    method, path = key.split(" ")
    seen.add((method, path, 200))


def bundle_routes(
    call: Call, seen: set[tuple[str, str, int]], server: RunningServer, session: requests.Session
) -> None:
    mine, relay = auth(server, "2104"), auth(server, OTHER_OFFICE)
    call("GET", "/v1/bundle-key", headers=mine)
    call("GET", "/v1/bundle-key")
    desk = BundleDesk()
    keys: dict[str, Any] = dict(desk.keys_body())
    call("PUT", "/v1/device-keys", json=keys, headers=mine)
    call("PUT", "/v1/device-keys", json=keys, headers=relay)
    call("PUT", "/v1/device-keys", json={"signing_key": "x"}, headers=mine)
    call("PUT", "/v1/device-keys", data=b"keys", headers=mine)
    envelope = desk.outbound(server, [sample_item()])
    sha256 = hashlib.sha256(envelope).hexdigest()
    call("POST", "/v1/bundles", json={"sha256": sha256}, headers=relay)
    upload(server, session, OTHER_OFFICE, envelope)
    posted = session.post(server.url + "/v1/bundles", json={"sha256": sha256}, headers=relay)
    _envelope(posted, seen, "post /v1/bundles")
    call("POST", "/v1/bundles", json={"sha256": 7}, headers=relay)
    stranger = BundleDesk().outbound(server, [sample_item()])
    call(
        "POST",
        "/v1/bundles",
        json={"sha256": upload(server, session, OTHER_OFFICE, stranger)},
        headers=relay,
    )
    damaged = bytearray(desk.outbound(server, [sample_item()]))
    damaged[-5] ^= 1
    damaged_sha = upload(server, session, OTHER_OFFICE, bytes(damaged))
    call("POST", "/v1/bundles", json={"sha256": damaged_sha}, headers=relay)
    template = "/v1/bundles/{bundle_id}/return"
    bundle_id = posted.headers["X-Bundle-Id"]
    fetched = session.get(server.url + f"/v1/bundles/{bundle_id}/return", headers=relay)
    _envelope(fetched, seen, f"get {template}")
    call("GET", template, f"/v1/bundles/{uuid.uuid4()}/return", headers=relay)
    call("GET", template, f"/v1/bundles/{bundle_id}/return")
