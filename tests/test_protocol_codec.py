"""The protocol's messages: every type survives a JSON round trip, bad shapes are typed errors."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.protocol import codec
from sync.protocol.messages import (
    Accepted,
    BatchRequest,
    BatchResponse,
    Change,
    ChangeKind,
    ChangesPage,
    ComplaintRecord,
    Conflict,
    Duplicate,
    FollowUp,
    FollowUpOutcome,
    FollowUpResult,
    ItemRejected,
    Problem,
    ServerClock,
)
from sync.protocol.receipts import (
    ReceiptSigner,
    ReceiptVerifier,
    public_key_from_text,
    public_key_text,
    receipt_payload,
)
from sync.protocol.tus import decode_metadata, encode_metadata
from sync.protocol.wire import ProtocolError, dump_json, format_time, load_json, parse_time
from tests.support.reference_server import sample_item

NOW = dt.datetime(2026, 11, 27, 2, 30, 0, 123456, tzinfo=dt.UTC)
SIGNER = ReceiptSigner(Ed25519PrivateKey.generate())


def _through_json(obj: object) -> object:
    return load_json(dump_json(obj))


def _receipt(client_uuid: str, tracking_id: str = "1000001") -> object:
    return SIGNER.sign(client_uuid, "a" * 64, tracking_id, NOW)


def test_a_batch_request_round_trips() -> None:
    request = BatchRequest((sample_item(), sample_item()))
    raw = _through_json(codec.encode_batch_request(request))
    assert isinstance(raw, dict)
    decoded = tuple(codec.decode_submission_item(item, i) for i, item in enumerate(raw["items"]))
    assert decoded == request.items
    assert [dict(d.content) for d in decoded] == [dict(i.content) for i in request.items]


def test_a_batch_response_with_every_outcome_round_trips() -> None:
    uuids = [str(uuid.uuid4()) for _ in range(4)]
    response = BatchResponse(
        NOW,
        (
            Accepted(0, uuids[0], "1000001", _receipt(uuids[0])),  # type: ignore[arg-type]
            Duplicate(1, uuids[1], "1000002", _receipt(uuids[1], "1000002")),  # type: ignore[arg-type]
            Conflict(2, uuids[2], "1000003", "b" * 64, "Versi lain sudah diterima."),
            ItemRejected(3, None, "malformed", "Bentuknya salah.", "content"),
        ),
    )
    raw = _through_json(codec.encode_batch_response(response))
    assert codec.decode_batch_response(raw, expected_items=4) == response
    with pytest.raises(ProtocolError, match="one result per item"):
        codec.decode_batch_response(raw, expected_items=5)


def test_the_other_messages_round_trip() -> None:
    client_uuid = str(uuid.uuid4())
    record = ComplaintRecord(
        client_uuid,
        "a" * 64,
        "1000001",
        "forwarded",
        NOW,
        _receipt(client_uuid),
        NOW,  # type: ignore[arg-type]
    )
    assert codec.decode_complaint_record(_through_json(codec.encode_complaint_record(record))) == (
        record
    )
    message = FollowUp(str(uuid.uuid4()), "Foto terlampir.", NOW)
    assert codec.decode_follow_up(_through_json(codec.encode_follow_up(message))) == message
    result = FollowUpResult(message.message_uuid, FollowUpOutcome.DUPLICATE, NOW, NOW)
    encoded = codec.encode_follow_up_result(result)
    assert codec.decode_follow_up_result(_through_json(encoded)) == result
    page = ChangesPage(
        NOW,
        (
            Change(
                "7",
                client_uuid,
                "1000001",
                ChangeKind.AGENCY_RESPONSE,
                "followed_up",
                "Sudah diperbaiki.",
                "2104-DPUPR",
                NOW,
            ),
        ),
        "YzE6Nw",
        False,
    )
    assert codec.decode_changes_page(_through_json(codec.encode_changes_page(page))) == page
    clock = ServerClock(NOW, "v1", "2104")
    assert codec.decode_server_clock(_through_json(codec.encode_server_clock(clock))) == clock
    problem = Problem(
        "/v1/problems/rate-limited",
        "Too many requests",
        429,
        "Nanti.",
        "rate-limited",
        5,
        NOW,
        {"max_items": 3},
    )
    assert codec.decode_problem(_through_json(codec.encode_problem(problem))) == problem


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"client_uuid": "A0000000-0000-4000-8000-000000000000"}, "client_uuid"),
        ({"client_uuid": "not a uuid"}, "client_uuid"),
        ({"tracking_id": 1000001}, "tracking_id"),
        ({"tracking_id": ""}, "tracking_id"),
        ({"occurred_at": "2026-11-27 02:30:00"}, "occurred_at"),
        ({"occurred_at": "2026-11-27T02:30:00+07:00"}, "occurred_at"),
        ({"kind": "gossip"}, "kind"),
        ({"status": "draft"}, "status"),
        ({"text": None}, "text"),
        ({"agency_code": 7}, "agency_code"),
    ],
)
def test_a_malformed_change_is_a_protocol_error_naming_the_field(
    change: dict[str, object], path: str
) -> None:
    good = codec.encode_changes_page(
        ChangesPage(
            NOW,
            (Change("1", str(uuid.uuid4()), "1", ChangeKind.STATUS, "verified", "", None, NOW),),
            "c",
            True,
        )
    )
    good["changes"][0].update(change)  # type: ignore[index]
    with pytest.raises(ProtocolError) as caught:
        codec.decode_changes_page(good)
    assert caught.value.path == f"changes[0].{path}"


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b'{"a": NaN}', b'{"a": Infinity}', b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000],
)
def test_bodies_that_are_not_strict_json_are_protocol_errors(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        load_json(body)


@pytest.mark.parametrize("obj", [None, [], "text", 3, {"has_more": True}])
def test_wrong_shapes_are_protocol_errors(obj: object) -> None:
    for decoder in (codec.decode_changes_page, codec.decode_complaint_record, codec.decode_problem):
        with pytest.raises(ProtocolError):
            decoder(obj)


def test_booleans_are_not_integers_and_integers_are_not_booleans() -> None:
    with pytest.raises(ProtocolError):
        codec.decode_problem({"type": "about:blank", "title": "x", "status": True})
    page = {"server_time": format_time(NOW), "changes": [], "next_cursor": "c", "has_more": 1}
    with pytest.raises(ProtocolError):
        codec.decode_changes_page(page)


def test_times_keep_microseconds_and_must_be_utc() -> None:
    assert parse_time(format_time(NOW)) == NOW
    assert parse_time("2026-11-27T02:30:00Z") == NOW.replace(microsecond=0)
    with pytest.raises(ValueError):
        format_time(dt.datetime(2026, 11, 27))


def test_a_receipt_signs_exactly_its_four_fields() -> None:
    client_uuid = str(uuid.uuid4())
    receipt = SIGNER.sign(client_uuid, "c" * 64, "1000001", NOW)
    verifier = ReceiptVerifier([public_key_from_text(public_key_text(SIGNER.public_key))])
    assert verifier.verify(receipt)
    payload = json.loads(receipt_payload(client_uuid, "c" * 64, "1000001", NOW))
    assert payload == ["lapor-receipt/1", client_uuid, "c" * 64, "1000001", format_time(NOW)]
    later = NOW + dt.timedelta(microseconds=1)
    assert not verifier.verify(replace(receipt, server_time=later))
    assert not verifier.verify(replace(receipt, signature="not base64!"))
    assert not verifier.verify(replace(receipt, key_id="0" * 16))


def test_public_keys_are_read_from_base64_or_pem() -> None:
    pem = SIGNER.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    assert public_key_text(public_key_from_text(pem)) == public_key_text(SIGNER.public_key)
    for bad in ("", "abc", "AAAA"):
        with pytest.raises(ValueError):
            public_key_from_text(bad)


def test_tus_metadata_round_trips() -> None:
    metadata = {"sha256": "d" * 64, "filename": "foto jalan, Daik.jpg", "media_type": "image/jpeg"}
    assert decode_metadata(encode_metadata(metadata)) == metadata
    assert decode_metadata("sha256") == {"sha256": ""}  # tus allows a key without a value
    for bad in ("sha256 !!!", "a YQ==,a Yg==", "bad key Zm9v", "k\u00e9y YQ=="):
        with pytest.raises(ValueError):
            decode_metadata(bad)
