"""Offline bundles at the national service, over real loopback HTTP with real keys and tus."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sync.bundles.envelope import parse_envelope, raw_public, x25519_key_id
from sync.protocol.codec import decode_batch_response, decode_changes_page
from sync.protocol.messages import Accepted, Conflict, Duplicate, ItemResult
from sync.protocol.receipts import ReceiptVerifier, key_id
from sync.reference_server import RunningServer
from sync.reference_server.cli import trust_desk
from sync.reference_server.desk_keys import DeskKeys
from sync.reference_server.keys import BUNDLE_KEY_CONTEXT, BUNDLE_KEY_FILE
from sync.reference_server.schema import open_engine
from sync.reference_server.upload_records import UploadRecords
from tests.support.bundle_calls import bundle_routes
from tests.support.bundle_desk import BundleDesk, CarriedFile, auth, follow_up, relay, upload
from tests.support.clock import FakeClock
from tests.support.reference_server import (
    OTHER_OFFICE,
    SUSPENDED_OFFICE,
    admin_headers,
    raw_item,
    running_reference_server,
    sample_item,
)

RELAY = OTHER_OFFICE
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(tmp_path: Path, clock: FakeClock) -> Iterator[RunningServer]:
    with running_reference_server(tmp_path / "server", clock=clock) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


@pytest.fixture
def desk(server: RunningServer, session: requests.Session) -> BundleDesk:
    registered = BundleDesk()
    assert registered.register(server, session).status_code == 200
    return registered


def _problem(reply: requests.Response, status: int, code: str) -> dict[str, object]:
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/problem+json")
    body: dict[str, object] = reply.json()
    assert body["code"] == code and body["detail"]
    return body


def _batch(
    desk: BundleDesk, reply: requests.Response
) -> tuple[tuple[ItemResult, ...], dict[str, Any]]:
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"] == "application/octet-stream"
    assert reply.headers["X-Return-Sha256"] == hashlib.sha256(reply.content).hexdigest()
    payload = desk.open_return(reply.content)
    return decode_batch_response(payload["batch"]).results, payload


def test_the_bundle_key_is_vouched_for_by_the_receipt_key(
    server: RunningServer, session: requests.Session, tmp_path: Path
) -> None:
    body = session.get(server.url + "/v1/bundle-key", headers=auth(server, "2104")).json()
    public = server.state.bundle_key.public_key()
    raw = base64.b64decode(body["key"])
    assert raw == raw_public(public) and body["key_id"] == x25519_key_id(public)
    assert body["signing_key_id"] == server.state.signer.key_id
    server.public_key.verify(base64.b64decode(body["signature"]), BUNDLE_KEY_CONTEXT + raw)
    key_file = tmp_path / "server" / BUNDLE_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert session.get(server.url + "/v1/bundle-key").status_code == 401


def test_desk_keys_register_once_per_office(
    server: RunningServer, session: requests.Session
) -> None:
    desk = BundleDesk()
    first, again = desk.register(server, session), desk.register(server, session)
    assert (first.json()["outcome"], again.json()["outcome"]) == ("registered", "unchanged")
    taken = session.put(
        server.url + "/v1/device-keys", json=desk.keys_body(), headers=auth(server, RELAY)
    )
    _problem(taken, 409, "desk-key-taken")
    bad = session.put(
        server.url + "/v1/device-keys",
        json={"signing_key": "AAAA", "sealing_key": "AAAA"},
        headers=auth(server, "2104"),
    )
    _problem(bad, 400, "malformed-request")
    held = server.state.desk_keys.find(first.json()["key_id"])
    assert held is not None and held.office_code == "2104"


def test_a_relayed_bundle_is_applied_under_its_office_and_answered_with_receipts(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    photo = os.urandom(50_000)
    photo_sha = hashlib.sha256(photo).hexdigest()
    first = sample_item(attachments=(photo_sha,))
    second = sample_item(title="Lampu jalan mati di Daik")
    message = follow_up(first.client_uuid)
    envelope = desk.outbound(
        server,
        [first, second],
        files=[CarriedFile(first.client_uuid, photo)],
        follow_ups=[message],
    )
    reply = relay(server, session, envelope)
    results, payload = _batch(desk, reply)
    assert reply.headers["X-Bundle-Id"] == parse_envelope(envelope).header.bundle_id
    accepted = [r for r in results if isinstance(r, Accepted)]
    assert len(accepted) == len(results) == 2
    verifier = ReceiptVerifier([server.public_key])
    assert all(verifier.verify(r.receipt) for r in accepted)
    for item, result in zip((first, second), accepted, strict=True):
        held = server.state.store.lookup(item.client_uuid)
        assert held is not None and held.office_code == "2104"  # the origin, not the relay
        assert held.tracking_id == result.tracking_id
    answer = parse_envelope(reply.content).header
    assert (answer.kind, answer.in_reply_to, answer.origin_office) == (
        "return",
        parse_envelope(envelope).header.bundle_id,
        "2104",
    )
    assert answer.sender_key_id == server.state.signer.key_id
    assert payload["uploads"] == [
        {
            "sha256": photo_sha,
            "complaint_uuid": first.client_uuid,
            "outcome": "stored",
            "reason": None,
        }
    ]
    assert (server.state.blobs_dir / photo_sha).read_bytes() == photo
    record = UploadRecords(server.state.store.engine, server.state.store.lock).find(photo_sha)
    assert record is not None and record.complete and record.office_code == "2104"
    assert [f["outcome"] for f in payload["follow_ups"]] == ["accepted"]
    assert payload["follow_up_refusals"] == []


def test_the_same_bundle_again_from_another_relay_gives_the_same_receipts_and_one_copy(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    item = sample_item()
    message = follow_up(item.client_uuid)
    photo = os.urandom(1000)
    envelope = desk.outbound(
        server, [item], files=[CarriedFile(item.client_uuid, photo)], follow_ups=[message]
    )
    first, _ = _batch(desk, relay(server, session, envelope, office=RELAY))
    again, payload = _batch(desk, relay(server, session, envelope, office="2104"))
    assert isinstance(first[0], Accepted) and isinstance(again[0], Duplicate)
    assert again[0].tracking_id == first[0].tracking_id
    assert again[0].receipt == first[0].receipt
    assert server.state.store.copies_of(item.client_uuid) == 1
    assert [f["outcome"] for f in payload["follow_ups"]] == ["duplicate"]
    assert [u["outcome"] for u in payload["uploads"]] == ["stored"]
    seen = session.get(server.url + "/_admin/bundles", headers=admin_headers(server)).json()
    assert [(b["origin_office"], b["times"]) for b in seen["bundles"]] == [("2104", 2)]


def test_a_bundle_from_an_unknown_desk_is_refused_and_nothing_is_stored(
    server: RunningServer, session: requests.Session
) -> None:
    stranger = BundleDesk()
    item = sample_item()
    reply = relay(server, session, stranger.outbound(server, [item]))
    _problem(reply, 403, "unknown-desk")
    assert server.state.store.lookup(item.client_uuid) is None


def test_a_bundle_claiming_another_office_is_refused(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    item = sample_item()
    reply = relay(server, session, desk.outbound(server, [item], origin_office=RELAY))
    _problem(reply, 403, "wrong-office")
    assert server.state.store.lookup(item.client_uuid) is None


def test_a_bundle_of_a_suspended_office_is_refused(
    server: RunningServer, session: requests.Session
) -> None:
    suspended = BundleDesk(office=SUSPENDED_OFFICE)
    server.state.desk_keys.register(SUSPENDED_OFFICE, **_keys(suspended), now=server.state.now())
    item = sample_item()
    _problem(relay(server, session, suspended.outbound(server, [item])), 403, "forbidden")
    assert server.state.store.lookup(item.client_uuid) is None


def _keys(desk: BundleDesk) -> dict[str, str]:
    body = desk.keys_body()
    return {"signing_key_b64": body["signing_key"], "sealing_key_b64": body["sealing_key"]}


def test_a_bundle_sealed_to_another_key_is_not_for_this_service(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    elsewhere = X25519PrivateKey.generate().public_key()
    envelope = desk.outbound(server, [sample_item()], recipient=elsewhere)
    _problem(relay(server, session, envelope), 422, "not-for-this-service")


def test_an_edited_complaint_in_an_old_bundle_is_the_online_conflict(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    sent = sample_item()
    online = session.post(
        server.url + "/v1/complaints:batch",
        json={"items": [raw_item(sent)]},
        headers=auth(server, "2104"),
    ).json()["results"][0]
    edited = sample_item(client_uuid=sent.client_uuid, title="Judul yang diubah")
    results, _ = _batch(desk, relay(server, session, desk.outbound(server, [edited])))
    conflict = results[0]
    assert isinstance(conflict, Conflict)
    assert conflict.tracking_id == online["tracking_id"]
    assert conflict.server_content_hash == sent.content_hash
    held = server.state.store.lookup(sent.client_uuid)
    assert held is not None and held.content_hash == sent.content_hash


def test_an_attachment_whose_bytes_do_not_match_its_sha256_is_refused(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    item = sample_item()
    claimed = hashlib.sha256(b"the real photo").hexdigest()
    bad = CarriedFile(item.client_uuid, b"other bytes", sha256=claimed)
    _, payload = _batch(desk, relay(server, session, desk.outbound(server, [item], files=[bad])))
    assert payload["uploads"] == [
        {
            "sha256": claimed,
            "complaint_uuid": item.client_uuid,
            "outcome": "refused",
            "reason": "checksum-mismatch",
        }
    ]
    assert not (server.state.blobs_dir / claimed).exists()


def test_a_follow_up_is_applied_once_and_one_on_an_unknown_complaint_is_refused(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    item = sample_item()
    message, orphan = follow_up(item.client_uuid), follow_up(str(uuid.uuid4()))
    envelope = desk.outbound(server, [item], follow_ups=[message, orphan])
    _, first = _batch(desk, relay(server, session, envelope))
    _, second = _batch(desk, relay(server, session, envelope))
    outcomes = [[r["outcome"] for r in p["follow_ups"]] for p in (first, second)]
    assert outcomes == [["accepted"], ["duplicate"]]
    assert first["follow_up_refusals"] == [
        {"message_uuid": orphan["message_uuid"], "reason": "not-found"}
    ]
    received = [r["received_at"] for p in (first, second) for r in p["follow_ups"]]
    assert received[0] == received[1]


def test_the_return_carries_the_changes_since_the_carried_cursor(
    server: RunningServer, session: requests.Session, desk: BundleDesk, clock: FakeClock
) -> None:
    item = sample_item()
    _, first = _batch(desk, relay(server, session, desk.outbound(server, [item])))
    assert decode_changes_page(first["changes"]).changes == ()
    clock.advance(hours=2)
    _, later = _batch(desk, relay(server, session, desk.outbound(server)))
    page = decode_changes_page(later["changes"])
    assert page.changes and {c.client_uuid for c in page.changes} == {item.client_uuid}
    assert not page.has_more
    carried = desk.outbound(server, cursor=page.next_cursor)
    _, after = _batch(desk, relay(server, session, carried))
    assert decode_changes_page(after["changes"]).changes == ()


def test_the_latest_return_can_be_fetched_again(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    envelope = desk.outbound(server, [sample_item()])
    bundle_id = parse_envelope(envelope).header.bundle_id
    missing = session.get(
        server.url + f"/v1/bundles/{bundle_id}/return", headers=auth(server, RELAY)
    )
    _problem(missing, 404, "not-found")
    relay(server, session, envelope)
    latest = relay(server, session, envelope)
    fetched = session.get(
        server.url + f"/v1/bundles/{bundle_id}/return", headers=auth(server, RELAY)
    )
    assert fetched.status_code == 200 and fetched.content == latest.content
    assert fetched.headers["X-Return-Sha256"] == hashlib.sha256(latest.content).hexdigest()
    _problem(
        session.get(server.url + "/v1/bundles/..%2F..%2Fx/return", headers=auth(server, RELAY)),
        404,
        "not-found",
    )


@pytest.mark.parametrize("where", ["sealed", "header"])
def test_a_tampered_envelope_is_refused_and_nothing_is_applied(
    server: RunningServer, session: requests.Session, desk: BundleDesk, where: str
) -> None:
    item = sample_item()
    envelope = bytearray(desk.outbound(server, [item]))
    at = len(envelope) - 10 if where == "sealed" else 40
    envelope[at] ^= 0x01
    body = _problem(relay(server, session, bytes(envelope)), 422, "bundle-damaged")
    assert body["bundle_problem"] in ("damaged", "bad_signature", "not_a_bundle")
    assert server.state.store.lookup(item.client_uuid) is None


def test_a_bundle_not_uploaded_and_a_reused_bundle_id_are_refused(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    unknown = hashlib.sha256(b"nothing").hexdigest()
    reply = session.post(
        server.url + "/v1/bundles", json={"sha256": unknown}, headers=auth(server, RELAY)
    )
    _problem(reply, 409, "bundle-not-uploaded")
    bundle_id = str(uuid.uuid4())
    relay(server, session, desk.outbound(server, [sample_item()], bundle_id=bundle_id))
    other = sample_item()
    reused = desk.outbound(server, [other], bundle_id=bundle_id)
    _problem(relay(server, session, reused), 409, "bundle-id-reused")
    assert server.state.store.lookup(other.client_uuid) is None


def test_a_bundle_can_be_posted_before_its_bytes_are_uploaded_by_this_relay(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    envelope = desk.outbound(server, [sample_item()])
    sha256 = upload(server, session, RELAY, envelope)
    reply = session.post(
        server.url + "/v1/bundles", json={"sha256": sha256}, headers=auth(server, "2104")
    )
    assert reply.status_code == 200


def test_an_operator_trusts_a_desk_by_hand(tmp_path: Path, clock: FakeClock) -> None:
    desk = BundleDesk()
    body = desk.keys_body()
    argv = ["--data-dir", str(tmp_path / "server"), "--office", "2104"]
    argv += ["--signing-key", body["signing_key"], "--sealing-key", body["sealing_key"]]
    assert trust_desk(argv) == 0
    assert trust_desk(argv) == 0
    taken = [a if a != "2104" else RELAY for a in argv]
    assert trust_desk(taken) == 1
    with (
        running_reference_server(tmp_path / "server", clock=clock) as server,
        requests.Session() as session,
    ):
        results, _ = _batch(desk, relay(server, session, desk.outbound(server, [sample_item()])))
        assert isinstance(results[0], Accepted)


def test_the_bundle_routes_answer_as_docs_openapi_yaml_says(
    server: RunningServer, session: requests.Session
) -> None:
    from tests.test_protocol_openapi import SPEC, _Checker

    call = _Checker(server, session)
    bundle_routes(call, call.seen, server, session)
    documented = {
        (method, path)
        for path, item in SPEC["paths"].items()
        for method in item
        if "bundle" in path or "device-keys" in path
    }
    assert {(m, p) for m, p, status in call.seen if status < 300} == documented
    assert {status for _, _, status in call.seen} >= {200, 400, 401, 403, 404, 409, 422}


def test_the_command_line_trusts_a_desk_and_prints_the_bundle_key(tmp_path: Path) -> None:
    data_dir, desk = tmp_path / "cli", BundleDesk()
    keys = desk.keys_body()
    module = [sys.executable, "-m", "sync.reference_server"]
    trust = ["trust-desk", "--data-dir", str(data_dir), "--office", "2104", "--lang", "en"]
    trust += ["--signing-key", keys["signing_key"], "--sealing-key", keys["sealing_key"]]
    trusted = subprocess.run(
        [*module, *trust],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert trusted.returncode == 0, trusted.stderr
    assert "is trusted for office 2104" in trusted.stdout
    process = subprocess.Popen(
        [*module, "--port", "0", "--data-dir", str(data_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = [process.stdout.readline() for _ in range(3)] if process.stdout else []
        info = json.loads((data_dir / "server.json").read_text(encoding="utf-8"))
        tokens = json.loads(Path(info["tokens_file"]).read_text(encoding="utf-8"))
        token = next(t["token"] for t in tokens if t["office_code"] == "2104")
        with requests.Session() as session:
            served = session.get(
                info["url"] + "/v1/bundle-key", headers={"Authorization": f"Bearer {token}"}
            ).json()
        assert (served["key"], served["key_id"]) == (info["bundle_key"], info["bundle_key_id"])
        assert info["bundle_key"] in banner[2] and info["bundle_key_id"] in banner[2]
        held = DeskKeys(open_engine(data_dir / "reference.sqlite3"), threading.Lock())
        assert held.find(key_id(desk.signing.public_key())) is not None
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr


def test_a_bundle_id_that_is_no_uuid_never_becomes_a_file_name(
    server: RunningServer, session: requests.Session, desk: BundleDesk, tmp_path: Path
) -> None:
    item = sample_item()
    envelope = desk.outbound(server, [item], bundle_id="../../../escaped")
    body = _problem(relay(server, session, envelope), 422, "bundle-damaged")
    assert body["bundle_problem"] == "not_a_bundle"
    assert server.state.store.lookup(item.client_uuid) is None
    assert not list(tmp_path.rglob("escaped*"))


def test_an_answer_lost_after_the_commit_is_fetched_again(
    server: RunningServer, session: requests.Session, desk: BundleDesk
) -> None:
    item = sample_item()
    envelope = desk.outbound(server, [item])
    server.set_faults(error_500_after_commit_rate=1.0)
    assert relay(server, session, envelope).status_code == 500
    server.set_faults(error_500_after_commit_rate=0.0)
    bundle_id = parse_envelope(envelope).header.bundle_id
    fetched = session.get(
        server.url + f"/v1/bundles/{bundle_id}/return", headers=auth(server, RELAY)
    )
    results, _ = _batch(desk, fetched)
    held = server.state.store.lookup(item.client_uuid)
    assert isinstance(results[0], Accepted) and held is not None
    assert results[0].tracking_id == held.tracking_id
