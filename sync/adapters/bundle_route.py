"""The bundle calls of a national route: its sealing key, a desk's keys, and relaying a bundle.

A separate protocol from ``NationalService`` because not every route has them (the
LAPOR! ``addstream`` endpoint does not): the relay lane and the key enrolment ask
``bundle_route(service)`` and leave a bundle waiting, with the reason, where it is None.
The envelope itself travels by the tus upload of attachments (resumable), addressed by
its SHA-256; ``post_bundle`` then asks the service to open and apply it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync.adapters.http_exchange import HttpExchange, Reply, decode_json, failure_of
from sync.adapters.outcomes import Failure, MalformedResponse, NotFound, Rejected
from sync.bundles.envelope import x25519_from_text, x25519_key_id
from sync.protocol.receipts import BUNDLE_KEY_CONTEXT, key_id
from sync.protocol.wire import ProtocolError

ENVELOPE_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class NationalBundleKey:
    """The service's X25519 key, as base64, proven by a signature of a trusted receipt key."""

    key: str
    key_id: str


@dataclass(frozen=True)
class ReturnEnvelope:
    """The bytes the service answered a bundle with (a sealed return bundle)."""

    data: bytes


@runtime_checkable
class BundleRoute(Protocol):
    def bundle_key(self) -> NationalBundleKey | Failure: ...

    def register_device_keys(self, signing_key: str, sealing_key: str) -> Failure | None: ...

    def post_bundle(self, sha256: str) -> ReturnEnvelope | Failure: ...

    def fetch_return(self, bundle_id: str) -> ReturnEnvelope | NotFound | Failure: ...


def bundle_route(service: object) -> BundleRoute | None:
    """The service's bundle calls, or None when its route cannot carry bundles."""
    return service if isinstance(service, BundleRoute) else None


def _fields(obj: object) -> dict[str, str]:
    if not isinstance(obj, dict) or not all(
        isinstance(obj.get(k), str) for k in ("key", "signature")
    ):
        raise ProtocolError("", "a bundle key is an object with key and signature")
    return {k: v for k, v in obj.items() if isinstance(v, str)}


class BundleCalls:
    """The v1 protocol's bundle endpoints over the adapter's own HTTP exchange."""

    def __init__(
        self,
        http: HttpExchange,
        clock: Callable[[], dt.datetime],
        trusted_keys: Iterable[Ed25519PublicKey],
    ) -> None:
        self._http = http
        self._clock = clock
        self._trusted = {key_id(k): k for k in trusted_keys}

    def bundle_key(self) -> NationalBundleKey | Failure:
        reply = self._http.call("GET", "/v1/bundle-key")
        if not isinstance(reply, Reply):
            return reply
        if reply.status != 200:
            return no_404(failure_of(reply, self._clock()))
        decoded = decode_json(reply, _fields)
        if not isinstance(decoded, dict):
            return decoded
        return self._proven(decoded)

    def _proven(self, fields: dict[str, str]) -> NationalBundleKey | Failure:
        try:
            raw = base64.b64decode(fields["key"], validate=True)
            signature = base64.b64decode(fields["signature"], validate=True)
        except binascii.Error:
            return MalformedResponse("the bundle key is not base64")
        for public in self._trusted.values():
            try:
                public.verify(signature, BUNDLE_KEY_CONTEXT + raw)
            except InvalidSignature:
                continue
            try:
                key = x25519_from_text(fields["key"])
            except ValueError as error:
                return MalformedResponse(str(error))
            return NationalBundleKey(fields["key"], x25519_key_id(key))
        return MalformedResponse("the bundle key is not signed by a trusted receipt key")

    def register_device_keys(self, signing_key: str, sealing_key: str) -> Failure | None:
        body = {"signing_key": signing_key, "sealing_key": sealing_key}
        reply = self._http.call("PUT", "/v1/device-keys", json_body=body)
        if not isinstance(reply, Reply):
            return reply
        if reply.status in (200, 201, 204):
            return None
        return no_404(failure_of(reply, self._clock()))

    def post_bundle(self, sha256: str) -> ReturnEnvelope | Failure:
        reply = self._http.call(
            "POST", "/v1/bundles", json_body={"sha256": sha256}, headers={"Accept": ENVELOPE_TYPE}
        )
        return self._envelope(reply, allow_missing=False)  # type: ignore[return-value]

    def fetch_return(self, bundle_id: str) -> ReturnEnvelope | NotFound | Failure:
        reply = self._http.call(
            "GET", f"/v1/bundles/{bundle_id}/return", headers={"Accept": ENVELOPE_TYPE}
        )
        return self._envelope(reply, allow_missing=True)

    def _envelope(
        self, reply: Reply | Failure, *, allow_missing: bool
    ) -> ReturnEnvelope | NotFound | Failure:
        if not isinstance(reply, Reply):
            return reply
        if reply.status == 200 and reply.media_type == ENVELOPE_TYPE:
            return ReturnEnvelope(reply.body)
        failure = failure_of(reply, self._clock())
        return failure if allow_missing else no_404(failure)


def no_404(failure: Failure | NotFound) -> Failure:
    """Where 404 cannot be a normal answer, it means a wrong address: a refusal."""
    return Rejected(404, "not-found", "") if isinstance(failure, NotFound) else failure
