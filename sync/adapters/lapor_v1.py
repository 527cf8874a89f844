"""``LaporV1Adapter``: the ``NationalService`` over the project's own v1 protocol.

Besides decoding, it checks what a server must not get wrong: one result
per item, each receipt about the item it answers, and each receipt signed
by a key from the desk's configuration. Anything else is a typed failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.services.audit_anchors import Countersigned
from sync.adapters.anchor_route import AnchorCalls
from sync.adapters.bundle_route import (
    BundleCalls,
    NationalBundleKey,
    ReturnEnvelope,
    no_404,
)
from sync.adapters.http_exchange import HttpExchange, Reply, decode_json, failure_of
from sync.adapters.outcomes import Failure, MalformedResponse, NotFound, UntrustedReceipt
from sync.adapters.service import AttachmentSource, NationalService, ServerTimeSample
from sync.adapters.tus_client import DEFAULT_CHUNK_BYTES, TusUploader
from sync.protocol.codec import (
    decode_batch_response,
    decode_changes_page,
    decode_complaint_record,
    decode_follow_up_result,
    decode_reference_data,
    decode_server_clock,
    encode_batch_request,
    encode_follow_up,
)
from sync.protocol.messages import (
    Accepted,
    BatchRequest,
    BatchResponse,
    ChangesPage,
    ComplaintRecord,
    Conflict,
    Duplicate,
    FollowUp,
    FollowUpResult,
    ItemRejected,
    Receipt,
    ReferenceData,
    ReferenceNotModified,
    ServerClock,
    SubmissionItem,
    UploadState,
)
from sync.protocol.receipts import ReceiptVerifier
from sync.protocol.wire import ProtocolError, parse_time


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LaporV1Adapter:
    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        trusted_keys: Iterable[Ed25519PublicKey],
        token: str | None = None,
        clock: Callable[[], dt.datetime] = _system_clock,
        timeout: tuple[float, float] = (10.0, 60.0),
        language: str = "id",
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    ) -> None:
        """``token`` may be left out when the injected session already sends it."""
        self._clock = clock
        trusted_keys = tuple(trusted_keys)
        self._verifier = ReceiptVerifier(trusted_keys)
        self._http = HttpExchange(
            session, base_url, clock=clock, token=token, timeout=timeout, language=language
        )
        self._tus = TusUploader(self._http, clock, chunk_bytes)
        self._bundles = BundleCalls(self._http, clock, trusted_keys)
        self._anchors = AnchorCalls(self._http, clock, trusted_keys)

    @property
    def last_server_time(self) -> ServerTimeSample | None:
        return self._http.last_server_time

    @property
    def bytes_sent(self) -> int:
        return self._http.bytes_sent

    def _ok(self, reply: Reply | Failure, status: int = 200) -> Reply | Failure | NotFound:
        if not isinstance(reply, Reply) or reply.status == status:
            return reply
        return failure_of(reply, self._clock())

    def submit_batch(self, items: Sequence[SubmissionItem]) -> BatchResponse | Failure:
        body = encode_batch_request(BatchRequest(tuple(items)))
        reply = self._ok(self._http.call("POST", "/v1/complaints:batch", json_body=body))
        if not isinstance(reply, Reply):
            return no_404(reply)
        response = decode_json(reply, lambda o: decode_batch_response(o, expected_items=len(items)))
        if not isinstance(response, BatchResponse):
            return response
        return self._checked_batch(items, response)

    def _checked_batch(
        self, items: Sequence[SubmissionItem], response: BatchResponse
    ) -> BatchResponse | Failure:
        for result in response.results:
            sent = items[result.index]
            if isinstance(result, ItemRejected):
                if result.client_uuid not in (None, sent.client_uuid):
                    return MalformedResponse(f"result {result.index} names another UUID")
                continue
            if result.client_uuid != sent.client_uuid:
                return MalformedResponse(f"result {result.index} names another UUID")
            if isinstance(result, Conflict):
                continue
            assert isinstance(result, Accepted | Duplicate)
            problem = self._receipt_problem(
                result.receipt, sent.client_uuid, sent.content_hash, result.tracking_id
            )
            if problem is not None:
                return problem
        return response

    def _receipt_problem(
        self, receipt: Receipt, client_uuid: str, content_hash: str, tracking_id: str
    ) -> UntrustedReceipt | None:
        if (receipt.client_uuid, receipt.content_hash, receipt.tracking_id) != (
            client_uuid,
            content_hash,
            tracking_id,
        ):
            return UntrustedReceipt(client_uuid, "the receipt is about another record")
        if not self._verifier.verify(receipt):
            return UntrustedReceipt(client_uuid, "the signature does not verify")
        return None

    def lookup(self, client_uuid: str) -> ComplaintRecord | NotFound | Failure:
        reply = self._ok(self._http.call("GET", f"/v1/complaints/{client_uuid}"))
        if not isinstance(reply, Reply):
            return reply
        record = decode_json(reply, decode_complaint_record)
        if not isinstance(record, ComplaintRecord):
            return record
        if record.client_uuid != client_uuid:
            return MalformedResponse("the lookup answered about another UUID")
        problem = self._receipt_problem(
            record.receipt, client_uuid, record.content_hash, record.tracking_id
        )
        return record if problem is None else problem

    def post_message(
        self, client_uuid: str, message: FollowUp
    ) -> FollowUpResult | NotFound | Failure:
        path = f"/v1/complaints/{client_uuid}/messages"
        reply = self._ok(self._http.call("POST", path, json_body=encode_follow_up(message)))
        if not isinstance(reply, Reply):
            return reply
        result = decode_json(reply, decode_follow_up_result)
        if isinstance(result, FollowUpResult) and result.message_uuid != message.message_uuid:
            return MalformedResponse("the answer is about another message")
        return result

    def changes(self, cursor: str | None, limit: int) -> ChangesPage | Failure:
        params = {"limit": str(limit)}
        if cursor:
            params["cursor"] = cursor
        reply = self._ok(self._http.call("GET", "/v1/changes", params=params))
        if not isinstance(reply, Reply):
            return no_404(reply)
        return decode_json(reply, lambda o: decode_changes_page(o, limit=limit))

    def reference_data(self, etag: str | None) -> ReferenceData | ReferenceNotModified | Failure:
        headers = {} if etag is None else {"If-None-Match": etag}
        raw = self._http.call("GET", "/v1/reference-data", headers=headers)
        if isinstance(raw, Reply) and raw.status == 304:
            try:
                server_time = parse_time(raw.headers.get("X-Server-Time", "").strip())
            except ProtocolError as error:
                return MalformedResponse(str(error))
            return ReferenceNotModified(raw.headers.get("ETag", etag), server_time)
        reply = self._ok(raw)
        if not isinstance(reply, Reply):
            return no_404(reply)
        new_etag = reply.headers.get("ETag")
        return decode_json(reply, lambda o: decode_reference_data(o, new_etag))

    def upload_offset(self, sha256: str) -> UploadState | NotFound | Failure:
        return self._tus.offset(sha256)

    def upload_attachment(self, source: AttachmentSource) -> UploadState | Failure:
        return self._tus.upload(source)

    def server_time(self) -> ServerClock | Failure:
        reply = self._ok(self._http.call("GET", "/v1/time"))
        if not isinstance(reply, Reply):
            return no_404(reply)
        return decode_json(reply, decode_server_clock)

    # -- offline bundles (sync/adapters/bundle_route.py) ------------------------------------

    def bundle_key(self) -> NationalBundleKey | Failure:
        return self._bundles.bundle_key()

    def register_device_keys(self, signing_key: str, sealing_key: str) -> Failure | None:
        return self._bundles.register_device_keys(signing_key, sealing_key)

    def post_bundle(self, sha256: str) -> ReturnEnvelope | Failure:
        return self._bundles.post_bundle(sha256)

    def fetch_return(self, bundle_id: str) -> ReturnEnvelope | NotFound | Failure:
        return self._bundles.fetch_return(bundle_id)

    # -- audit anchors (sync/engine/anchoring.py) ---------------------------------------------

    def countersign_audit_head(self, entry_id: int, entry_hash: str) -> Countersigned | Failure:
        return self._anchors.countersign_audit_head(entry_id, entry_hash)


if TYPE_CHECKING:  # mypy proves the adapter offers everything the engine relies on

    def _conforms(adapter: LaporV1Adapter) -> NationalService:
        return adapter
