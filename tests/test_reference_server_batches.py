"""Submitting complaints over real loopback HTTP: dedupe, conflict, rejects, receipts, limits."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lapor_desktop.domain.canonical import content_hash
from sync.adapters import (
    Forbidden,
    LaporV1Adapter,
    NotFound,
    Rejected,
    TooLarge,
    Unauthorized,
    UntrustedReceipt,
)
from sync.protocol.messages import (
    Accepted,
    BatchResponse,
    ComplaintRecord,
    Conflict,
    Duplicate,
    ItemRejected,
)
from sync.protocol.receipts import ReceiptVerifier
from sync.reference_server import RunningServer, ServerLimits
from tests.support.clock import FakeClock
from tests.support.reference_server import (
    OTHER_OFFICE,
    SUSPENDED_OFFICE,
    adapter_for,
    raw_item,
    running_reference_server,
    sample_item,
)


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    limits = ServerLimits(max_body_bytes=200_000, max_batch_items=20)
    with running_reference_server(tmp_path / "server", clock=clock, limits=limits) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


@pytest.fixture
def adapter(server: RunningServer, session: requests.Session) -> LaporV1Adapter:
    return adapter_for(server, session)


def _submitted(adapter: LaporV1Adapter, *items: object) -> BatchResponse:
    response = adapter.submit_batch(items)  # type: ignore[arg-type]
    assert isinstance(response, BatchResponse), response
    return response


def test_same_uuid_and_hash_twice_is_one_record_with_the_original_tracking_id(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    item = sample_item()
    first = _submitted(adapter, item).results[0]
    again = _submitted(adapter, item).results[0]
    assert isinstance(first, Accepted)
    assert isinstance(again, Duplicate)
    assert again.tracking_id == first.tracking_id
    assert again.receipt == first.receipt
    assert server.state.store.copies_of(item.client_uuid) == 1


def test_same_uuid_twice_in_one_batch_is_stored_once(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    item = sample_item()
    results = _submitted(adapter, item, item).results
    assert [type(r) for r in results] == [Accepted, Duplicate]
    assert server.state.store.copies_of(item.client_uuid) == 1


def test_same_uuid_with_other_content_is_a_conflict_and_keeps_the_first(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    original = sample_item()
    edited = sample_item(client_uuid=original.client_uuid, title="Jalan rusak parah di Daik")
    first = _submitted(adapter, original).results[0]
    conflict = _submitted(adapter, edited).results[0]
    assert isinstance(first, Accepted)
    assert isinstance(conflict, Conflict)
    assert conflict.tracking_id == first.tracking_id
    assert conflict.server_content_hash == original.content_hash
    [(_, stored_hash, _)] = server.state.store.stored_contents()
    assert stored_hash == original.content_hash


def test_an_invalid_item_is_rejected_and_the_rest_of_the_batch_is_kept(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    good_before, good_after = sample_item(), sample_item()
    unknown_agency = sample_item()
    content = dict(unknown_agency.content, agency_code="9999-TIDAK-ADA")
    invalid = dataclasses.replace(
        unknown_agency, content=content, content_hash=content_hash(content)
    )
    results = _submitted(adapter, good_before, invalid, good_after).results
    assert isinstance(results[0], Accepted)
    assert isinstance(results[2], Accepted)
    rejected = results[1]
    assert isinstance(rejected, ItemRejected)
    assert (rejected.code, rejected.field, rejected.client_uuid) == (
        "invalid-field",
        "agency_code",
        invalid.client_uuid,
    )
    assert "9999-TIDAK-ADA" in rejected.reason
    assert len(server.state.store.stored_contents()) == 2


def test_a_wrong_hash_and_a_malformed_item_are_rejected_without_failing_the_batch(
    server: RunningServer, session: requests.Session
) -> None:
    good = sample_item()
    wrong_hash = dict(raw_item(sample_item()), content_hash="0" * 64)
    body = {"items": [raw_item(good), wrong_hash, {"client_uuid": "not-a-uuid"}, 42]}
    reply = session.post(
        f"{server.url}/v1/complaints:batch",
        json=body,
        headers={"Authorization": f"Bearer {server.tokens['2104']}", "Accept-Language": "en"},
    )
    assert reply.status_code == 200
    results = reply.json()["results"]
    assert [r["outcome"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert [r["code"] for r in results[1:]] == ["hash-mismatch", "malformed", "malformed"]
    assert results[1]["client_uuid"] == wrong_hash["client_uuid"]
    assert results[2]["client_uuid"] is None


def test_lookup_after_the_fact_finds_what_arrived_and_404_for_what_did_not(
    adapter: LaporV1Adapter,
) -> None:
    item = sample_item()
    accepted = _submitted(adapter, item).results[0]
    assert isinstance(accepted, Accepted)
    record = adapter.lookup(item.client_uuid)
    assert isinstance(record, ComplaintRecord)
    assert (record.tracking_id, record.content_hash, record.status) == (
        accepted.tracking_id,
        item.content_hash,
        "sent",
    )
    assert record.receipt == accepted.receipt
    assert isinstance(adapter.lookup(str(uuid.uuid4())), NotFound)


def test_receipts_verify_with_the_servers_key_and_fail_when_tampered(
    server: RunningServer, adapter: LaporV1Adapter
) -> None:
    accepted = _submitted(adapter, sample_item()).results[0]
    assert isinstance(accepted, Accepted)
    verifier = ReceiptVerifier([server.public_key])
    assert verifier.verify(accepted.receipt)
    for tampered in (
        dataclasses.replace(accepted.receipt, tracking_id="1000999"),
        dataclasses.replace(accepted.receipt, content_hash="f" * 64),
        dataclasses.replace(accepted.receipt, signature=accepted.receipt.signature[::-1]),
    ):
        assert not verifier.verify(tampered)
    assert not ReceiptVerifier([Ed25519PrivateKey.generate().public_key()]).verify(accepted.receipt)


def test_an_adapter_configured_with_another_key_does_not_trust_the_answer(
    server: RunningServer, session: requests.Session
) -> None:
    impostor_key = Ed25519PrivateKey.generate().public_key()
    adapter = LaporV1Adapter(
        session, server.url, trusted_keys=[impostor_key], token=server.tokens["2104"]
    )
    outcome = adapter.submit_batch([sample_item()])
    assert isinstance(outcome, UntrustedReceipt)


def test_gzip_request_bodies_are_accepted(
    server: RunningServer, adapter: LaporV1Adapter, session: requests.Session
) -> None:
    items = [sample_item() for _ in range(5)]
    response = _submitted(adapter, *items)
    assert all(isinstance(r, Accepted) for r in response.results)
    [recorded] = [r for r in server.requests() if r.path == "/v1/complaints:batch"]
    assert recorded.header("Content-Encoding") == "gzip"
    assert recorded.header("Authorization") == "<redacted>"
    body = gzip.compress(json.dumps({"items": [raw_item(sample_item())]}).encode())
    reply = session.post(
        f"{server.url}/v1/complaints:batch",
        data=body,
        headers={
            "Authorization": f"Bearer {server.tokens['2104']}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
    )
    assert reply.json()["results"][0]["outcome"] == "accepted"


def test_a_body_over_the_byte_limit_is_413_problem_json(
    server: RunningServer, adapter: LaporV1Adapter, session: requests.Session
) -> None:
    noise = uuid.uuid4().hex * 8000  # 256 kB that gzip cannot shrink much below the limit
    reply = session.post(
        f"{server.url}/v1/complaints:batch",
        data=json.dumps({"items": [], "noise": noise}).encode(),
        headers={
            "Authorization": f"Bearer {server.tokens['2104']}",
            "Content-Type": "application/json",
        },
    )
    assert reply.status_code == 413
    assert reply.headers["Content-Type"] == "application/problem+json"
    problem = reply.json()
    assert (problem["status"], problem["code"], problem["max_bytes"]) == (
        413,
        "payload-too-large",
        200_000,
    )
    assert isinstance(problem["detail"], str) and problem["type"].startswith("/v1/problems/")
    gzip_bomb = gzip.compress(json.dumps({"items": [], "pad": " " * 20_000_000}).encode())
    reply = session.post(
        f"{server.url}/v1/complaints:batch",
        data=gzip_bomb,
        headers={
            "Authorization": f"Bearer {server.tokens['2104']}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
    )
    assert reply.status_code == 413


def test_too_many_items_is_422_and_the_adapter_reports_it(adapter: LaporV1Adapter) -> None:
    outcome = adapter.submit_batch([sample_item() for _ in range(21)])
    assert outcome == Rejected(422, "too-many-items", outcome.detail)  # type: ignore[union-attr]


def test_an_oversized_batch_through_the_adapter_is_too_large(
    tmp_path: Path, clock: FakeClock, session: requests.Session
) -> None:
    limits = ServerLimits(max_body_bytes=20_000)
    with running_reference_server(tmp_path / "tight", clock=clock, limits=limits) as server:
        adapter = adapter_for(server, session)
        assert isinstance(adapter.submit_batch([sample_item()]), BatchResponse)
        noisy = [
            sample_item(description=base64.b64encode(os.urandom(6000)).decode()) for _ in range(5)
        ]
        outcome = adapter.submit_batch(noisy)
        assert outcome == TooLarge(max_bytes=20_000)


def test_a_bad_token_is_401_and_a_suspended_office_is_403(
    server: RunningServer, session: requests.Session
) -> None:
    for token in ("wrong-token", ""):
        adapter = LaporV1Adapter(session, server.url, trusted_keys=[], token=token)
        assert isinstance(adapter.submit_batch([sample_item()]), Unauthorized)
    reply = session.get(f"{server.url}/v1/time")
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert reply.json()["code"] == "unauthorized"
    suspended = adapter_for(server, session, SUSPENDED_OFFICE)
    assert isinstance(suspended.submit_batch([sample_item()]), Forbidden)
    assert server.state.store.stored_contents() == []


def test_another_office_may_not_read_or_message_a_complaint(
    server: RunningServer, adapter: LaporV1Adapter, session: requests.Session
) -> None:
    item = sample_item()
    _submitted(adapter, item)
    other = adapter_for(server, session, OTHER_OFFICE)
    assert isinstance(other.lookup(item.client_uuid), Forbidden)


def test_every_answer_carries_the_server_time(
    server: RunningServer, session: requests.Session, clock: FakeClock
) -> None:
    for path in ("/v1/time", "/v1/changes", "/no/such/path"):
        reply = session.get(server.url + path)
        assert reply.headers["X-Server-Time"] == "2026-11-27T02:30:00.000000Z"
        assert reply.headers["Date"] == "Fri, 27 Nov 2026 02:30:00 GMT"
