"""The bundle routes: the national bundle key, desk keys, relayed bundles and their returns.

A relay uploads the sealed envelope with tus (``/v1/uploads``, no complaint), then posts
its SHA-256 here. The service checks who signed it and for whom it is sealed, opens it,
applies every record under the office that wrote it, and answers with a return bundle
signed by the receipt key and sealed to the writing desk, which only that desk can read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from flask import Flask, Response

from lapor_desktop.i18n import N_, Message
from sync.bundles.envelope import (
    NOT_A_BUNDLE,
    Envelope,
    b64,
    open_envelope,
    parse_envelope,
    raw_public,
    seal_envelope,
    x25519_key_id,
)
from sync.bundles.problems import BundleProblem
from sync.protocol.codec import encode_batch_response, encode_changes_page, encode_problem
from sync.protocol.messages import BatchResponse, ChangesPage, Problem
from sync.protocol.problems import PROBLEM_MEDIA_TYPE, ProblemCode, problem_type
from sync.protocol.wire import Fields, ProtocolError, canonical_uuid, dump_json, format_time
from sync.reference_server.api import authenticate, decode_cursor, encode_cursor
from sync.reference_server.bundle_apply import (
    Applied,
    BundleApplier,
    PayloadUnreadable,
    read_payload,
)
from sync.reference_server.bundle_ledger import BundleLedger
from sync.reference_server.desk_keys import Registration
from sync.reference_server.faults import fail_after_commit
from sync.reference_server.keys import sign_bundle_key
from sync.reference_server.recorder import ADMIN_PREFIX
from sync.reference_server.responses import ProblemRaised, json_response, language, read_json
from sync.reference_server.state import ServerState
from sync.reference_server.upload_records import UploadRecords
from sync.reference_server.uploads import UploadFiles

RETURN_CHANGES_MAX = 5000
"""Changes carried back at most; ``has_more`` says the desk gets the rest online or next trip."""
BUNDLE_ID_HEADER = "X-Bundle-Id"
RETURN_ID_HEADER = "X-Return-Bundle-Id"
RETURN_SHA256_HEADER = "X-Return-Sha256"
OCTETS = "application/octet-stream"

_TITLES = {
    ProblemCode.DESK_KEY_TAKEN: "Desk key taken",
    ProblemCode.BUNDLE_NOT_UPLOADED: "Bundle not uploaded",
    ProblemCode.BUNDLE_DAMAGED: "Bundle damaged",
    ProblemCode.UNKNOWN_DESK: "Unknown desk",
    ProblemCode.WRONG_OFFICE: "Wrong office",
    ProblemCode.NOT_FOR_THIS_SERVICE: "Not for this service",
    ProblemCode.BUNDLE_ID_REUSED: "Bundle ID reused",
    ProblemCode.FORBIDDEN: "Forbidden",
    ProblemCode.NOT_FOUND: "Not found",
    ProblemCode.MALFORMED_REQUEST: "Malformed request",
}


class BundleRefused(ProblemRaised):
    """A problem of the bundle routes, answered by this module's handler with its own titles
    (``responses._TITLES`` does not know the bundle codes)."""


def _refused(status: int, code: ProblemCode, text: str, **values: object) -> BundleRefused:
    return BundleRefused(status, code, Message(text, values))


def _damaged(problem: BundleProblem) -> BundleRefused:
    refused = BundleRefused(422, ProblemCode.BUNDLE_DAMAGED, problem.message)
    refused.extras["bundle_problem"] = problem.code
    return refused


def _octets(data: bytes, bundle_id: str, return_id: str | None = None) -> Response:
    response = Response(data, mimetype=OCTETS)
    response.headers[BUNDLE_ID_HEADER] = bundle_id
    if return_id is not None:
        response.headers[RETURN_ID_HEADER] = return_id
    response.headers[RETURN_SHA256_HEADER] = hashlib.sha256(data).hexdigest()
    response.headers["Content-Encoding"] = "identity"  # sealed bytes do not compress
    return response


def register_bundles(app: Flask, state: ServerState, files: UploadFiles) -> None:
    ledger = BundleLedger(state.store.engine, state.store.lock, state.config.data_dir)
    applier = BundleApplier(state, files)
    records = UploadRecords(state.store.engine, state.store.lock)
    limits = state.config.limits

    @app.errorhandler(BundleRefused)
    def _bundle_problem(error: BundleRefused) -> Response:
        problem = Problem(
            type=problem_type(error.code),
            title=_TITLES[error.code],
            status=error.status,
            detail=error.detail.render(language()),
            code=error.code.value,
            retry_after=None,
            server_time=state.now(),
            extras=error.extras,
        )
        body = dump_json(encode_problem(problem))
        return Response(body, status=error.status, mimetype=PROBLEM_MEDIA_TYPE)

    @app.get("/v1/bundle-key", provide_automatic_options=False)
    def bundle_key() -> Response:
        authenticate(state)
        public = state.bundle_key.public_key()
        return json_response(
            {
                "key": b64(raw_public(public)),
                "key_id": x25519_key_id(public),
                "signature": sign_bundle_key(state.signing_key, public),
                "signing_key_id": state.signer.key_id,
                "server_time": format_time(state.now()),
            }
        )

    @app.put("/v1/device-keys", provide_automatic_options=False)
    def device_keys() -> Response:
        office = authenticate(state)
        body = read_json(limits)
        fields = body if isinstance(body, dict) else {}
        signing, sealing = fields.get("signing_key"), fields.get("sealing_key")
        if not isinstance(signing, str) or not isinstance(sealing, str):
            raise _refused(
                400,
                ProblemCode.MALFORMED_REQUEST,
                N_("The request cannot be read: {problem}."),
                problem="signing_key and sealing_key are needed",
            )
        try:
            outcome, kid = state.desk_keys.register(office, signing, sealing, now=state.now())
        except ValueError as error:
            raise _refused(
                400,
                ProblemCode.MALFORMED_REQUEST,
                N_("The request cannot be read: {problem}."),
                problem="each key is base64 of 32 raw bytes",
            ) from error
        if outcome is Registration.TAKEN:
            raise _refused(
                409,
                ProblemCode.DESK_KEY_TAKEN,
                N_("This desk key is registered to another office."),
            )
        return json_response(
            {
                "key_id": kid,
                "office_code": office,
                "outcome": outcome.value,
                "server_time": format_time(state.now()),
            }
        )

    @app.post("/v1/bundles", provide_automatic_options=False)
    def post_bundle() -> Response:
        authenticate(state)  # any active office may relay; the bundle says whose it is
        body = read_json(limits)
        try:
            sha256 = Fields(body).sha256("sha256")
        except ProtocolError as error:
            raise _refused(
                400,
                ProblemCode.MALFORMED_REQUEST,
                N_("The request cannot be read: {problem}."),
                problem="the envelope's sha256 is needed",
            ) from error
        envelope = _trusted(_uploaded(sha256))
        try:
            carried = read_payload(open_envelope(envelope, state.bundle_key))
        except BundleProblem as problem:
            raise _damaged(problem) from problem
        except PayloadUnreadable as error:
            raise _refused(
                422,
                ProblemCode.BUNDLE_DAMAGED,
                N_("The bundle opened but what it holds cannot be read: {problem}."),
                problem=str(error),
            ) from error
        header, now = envelope.header, state.now()
        sighting = ledger.note(
            header.bundle_id,
            envelope.sha256,
            origin_office=header.origin_office,
            sequence=header.sequence,
            now=now,
        )
        if sighting.reused:
            raise _refused(
                409,
                ProblemCode.BUNDLE_ID_REUSED,
                N_("Another bundle with this ID was received before; this one is not applied."),
            )
        applied = applier.apply(header.origin_office, carried, now=now, language=language())
        answer, return_id = _answer(envelope, applied, carried.cursor, now)
        ledger.keep_return(header.bundle_id, answer)
        fail_after_commit(state.faults)
        return _octets(answer, header.bundle_id, return_id)

    @app.get("/v1/bundles/<bundle_id>/return", provide_automatic_options=False)
    def bundle_return(bundle_id: str) -> Response:
        authenticate(state)
        answer = ledger.return_for(bundle_id)
        if answer is None:
            raise _refused(
                404, ProblemCode.NOT_FOUND, N_("No return bundle is held for this bundle.")
            )
        return _octets(answer, bundle_id)

    @app.get(f"{ADMIN_PREFIX}/bundles", provide_automatic_options=False)
    def bundles_seen() -> Response:
        seen = [
            {k: format_time(v) if isinstance(v, dt.datetime) else v for k, v in row.items()}
            for row in ledger.summary()
        ]
        return json_response({"bundles": seen})

    def _uploaded(sha256: str) -> bytes:
        record = records.find(sha256)
        blob = files.blob(sha256)
        if record is None or not record.complete or not blob.exists():
            raise _refused(
                409,
                ProblemCode.BUNDLE_NOT_UPLOADED,
                N_("The bundle's bytes are not on the server yet: upload them first."),
            )
        return blob.read_bytes()

    def _trusted(data: bytes) -> Envelope:
        """The envelope, once it is whole, signed by a desk we know, and sealed for us."""
        try:
            envelope = parse_envelope(data)
        except BundleProblem as problem:
            raise _damaged(problem) from problem
        header = envelope.header
        try:
            canonical_uuid(header.bundle_id)
        except ProtocolError as error:
            raise _damaged(BundleProblem("not_a_bundle", Message(NOT_A_BUNDLE))) from error
        desk = state.desk_keys.find(header.sender_key_id)
        if desk is None or desk.signing_key != header.sender_signing_key:
            raise _refused(
                403,
                ProblemCode.UNKNOWN_DESK,
                N_("This bundle is signed by a desk LAPOR! does not know."),
            )
        if desk.office_code != header.origin_office:
            raise _refused(
                403,
                ProblemCode.WRONG_OFFICE,
                N_("This bundle says it comes from office {claimed}, but its desk is of {office}."),
                claimed=header.origin_office,
                office=desk.office_code,
            )
        if not desk.office_active:
            raise _refused(
                403,
                ProblemCode.FORBIDDEN,
                N_("The office that made this bundle may not send to LAPOR! now."),
            )
        ours = header.recipient_kind == "national" and header.recipient_key_id == x25519_key_id(
            state.bundle_key.public_key()
        )
        if not ours or header.kind != "outbound":
            raise _refused(
                422,
                ProblemCode.NOT_FOR_THIS_SERVICE,
                N_("This bundle is not addressed to this LAPOR! service."),
            )
        return envelope

    def _answer(
        envelope: Envelope, applied: Applied, cursor: str, now: dt.datetime
    ) -> tuple[bytes, str]:
        """The return bundle: the same sequence as the bundle it answers ("B0007-balasan")."""
        header = envelope.header
        office = header.origin_office
        state.store.advance(now)
        after = decode_cursor(cursor) if cursor else 0
        if after is None or after > state.store.last_change_seq():
            after = 0  # as online: an unknown cursor means starting again from the beginning
        page, more = state.store.changes_after(office, after, RETURN_CHANGES_MAX)
        last = page[-1][0] if page else after
        changes = ChangesPage(now, tuple(c for _, c in page), encode_cursor(last), more)
        payload: dict[str, object] = {
            "bundle_id": header.bundle_id,
            "batch": encode_batch_response(BatchResponse(now, applied.complaints)),
            "uploads": applied.uploads,
            "follow_ups": applied.follow_ups,
            "follow_up_refusals": applied.follow_up_refusals,
            "changes": encode_changes_page(changes),
        }
        return_id = str(uuid.uuid4())
        answer = seal_envelope(
            payload,
            bundle_id=return_id,
            kind="return",
            sequence=header.sequence,
            origin_office=office,
            created_at=now,
            signer=state.signing_key,
            sealing_public=state.bundle_key.public_key(),
            recipient=envelope.sealing_key,
            recipient_kind="office",
            recipient_office=office,
            in_reply_to=header.bundle_id,
            counts={
                "complaints": len(applied.complaints),
                "attachments": len(applied.uploads),
                "follow_ups": len(applied.follow_ups) + len(applied.follow_up_refusals),
                "changes": len(page),
            },
        )
        return answer, return_id
