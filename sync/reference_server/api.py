"""The v1 routes (uploads aside): batches, lookup, follow-ups, changes, reference data, time."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from flask import Flask, Response, request

from lapor_desktop.i18n import N_, Message
from sync.protocol.codec import (
    decode_follow_up,
    encode_batch_response,
    encode_changes_page,
    encode_complaint_record,
    encode_follow_up_result,
    encode_server_clock,
)
from sync.protocol.messages import (
    API_VERSION,
    BatchResponse,
    ChangesPage,
    ComplaintRecord,
    FollowUpResult,
    ItemResult,
    ServerClock,
    SubmissionItem,
)
from sync.protocol.problems import ProblemCode
from sync.protocol.wire import ProtocolError, canonical_uuid, whole_number
from sync.reference_server.faults import fail_after_commit
from sync.reference_server.intake import check_item
from sync.reference_server.responses import (
    ProblemRaised,
    json_response,
    language,
    malformed,
    read_json,
)
from sync.reference_server.state import ServerState
from sync.reference_server.store import FollowUpRefused, StoredComplaint

_CURSOR_PREFIX = "c1:"


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    """The position a cursor stands for; None when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not text.startswith(_CURSOR_PREFIX):
        return None
    return whole_number(text.removeprefix(_CURSOR_PREFIX))


def authenticate(state: ServerState) -> str:
    """The office of the bearer token; 401 for a bad or revoked token, 403 for a barred office."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    device = None
    if scheme.lower() == "bearer" and token.strip() and not state.faults.current.revoked_tokens:
        device = state.devices.find(token.strip())
    if device is None:
        raise ProblemRaised(
            401,
            ProblemCode.UNAUTHORIZED,
            Message(N_("The device token is missing, unknown or revoked.")),
            headers={"WWW-Authenticate": 'Bearer realm="LAPOR!", error="invalid_token"'},
        )
    if not device.office_active:
        raise _forbidden()
    return device.office_code


def _forbidden() -> ProblemRaised:
    return ProblemRaised(
        403,
        ProblemCode.FORBIDDEN,
        Message(N_("This office is not allowed to do this.")),
    )


def _not_found() -> ProblemRaised:
    return ProblemRaised(
        404, ProblemCode.NOT_FOUND, Message(N_("No complaint with this UUID is held."))
    )


def _record(held: StoredComplaint, state: ServerState) -> ComplaintRecord:
    return ComplaintRecord(
        client_uuid=held.client_uuid,
        content_hash=held.content_hash,
        tracking_id=held.tracking_id,
        status=held.status,
        received_at=held.received_at,
        receipt=held.receipt,
        server_time=state.now(),
    )


def _held_by(state: ServerState, office: str, client_uuid: str) -> StoredComplaint:
    try:
        canonical_uuid(client_uuid)
    except ProtocolError as error:
        raise _not_found() from error
    held = state.store.lookup(client_uuid)
    if held is None:
        raise _not_found()
    if held.office_code != office:
        raise _forbidden()
    return held


def submit_items(
    state: ServerState, office: str, items: list[object], *, now: dt.datetime, language: str
) -> tuple[ItemResult, ...]:
    """Each item checked alone, the valid ones stored in one transaction: the one rule of
    submission, for an online batch and for the complaints a bundle carries alike."""
    checked = [
        check_item(raw, i, codes=state.codes, now=now, language=language)
        for i, raw in enumerate(items)
    ]
    conflict = Message(N_("Another version of this complaint was received before."))
    stored = state.store.submit(
        office,
        [(i, item) for i, item in enumerate(checked) if isinstance(item, SubmissionItem)],
        now=now,
        signer=state.signer,
        deduplicate=state.faults.current.deduplicate,
        conflict_detail=conflict.render(language),
    )
    return tuple(
        stored[i] if isinstance(item, SubmissionItem) else item for i, item in enumerate(checked)
    )


def register_api(app: Flask, state: ServerState) -> None:
    limits = state.config.limits

    @app.post("/v1/complaints:batch", provide_automatic_options=False)
    def submit_batch() -> Response:
        office = authenticate(state)
        body = read_json(limits)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise malformed("a batch is an object with a list of items")
        if len(items) > limits.max_batch_items:
            raise ProblemRaised(
                422,
                ProblemCode.TOO_MANY_ITEMS,
                Message(
                    N_("A batch may hold at most {limit} items; {count} were sent."),
                    {"limit": limits.max_batch_items, "count": len(items)},
                ),
                extras={"max_items": limits.max_batch_items},
            )
        now = state.now()
        results = submit_items(state, office, items, now=now, language=language())
        fail_after_commit(state.faults)
        return json_response(encode_batch_response(BatchResponse(now, results)))

    @app.get("/v1/complaints/<client_uuid>", provide_automatic_options=False)
    def lookup(client_uuid: str) -> Response:
        office = authenticate(state)
        state.store.advance(state.now())
        return json_response(
            encode_complaint_record(_record(_held_by(state, office, client_uuid), state))
        )

    @app.post("/v1/complaints/<client_uuid>/messages", provide_automatic_options=False)
    def post_message(client_uuid: str) -> Response:
        office = authenticate(state)
        _held_by(state, office, client_uuid)
        try:
            message = decode_follow_up(read_json(limits))
        except ProtocolError as error:
            raise malformed(str(error)) from error
        now = state.now()
        try:
            outcome, received_at = state.store.add_follow_up(office, client_uuid, message, now)
        except FollowUpRefused as refused:
            if refused.reason == "conflict":
                raise ProblemRaised(
                    409,
                    ProblemCode.MESSAGE_CONFLICT,
                    Message(N_("A different message was already received under this UUID.")),
                ) from refused
            raise _not_found() if refused.reason == "not-found" else _forbidden() from refused
        fail_after_commit(state.faults)
        result = FollowUpResult(message.message_uuid, outcome, received_at, now)
        return json_response(encode_follow_up_result(result))

    @app.get("/v1/changes", provide_automatic_options=False)
    def changes() -> Response:
        office = authenticate(state)
        cursor = request.args.get("cursor", "")
        after = decode_cursor(cursor) if cursor else 0
        now = state.now()
        state.store.advance(now)
        if after is None or after > state.store.last_change_seq():
            raise ProblemRaised(
                400,
                ProblemCode.INVALID_CURSOR,
                Message(N_("The cursor is not valid here; start again without one.")),
            )
        limit = whole_number(request.args.get("limit", str(limits.default_changes_page)))
        if limit is None or not 1 <= limit <= limits.max_changes_page:
            raise malformed(f"limit must be between 1 and {limits.max_changes_page}")
        page, more = state.store.changes_after(office, after, limit)
        last = page[-1][0] if page else after
        body = ChangesPage(now, tuple(c for _, c in page), encode_cursor(last), more)
        return json_response(encode_changes_page(body))

    @app.get("/v1/reference-data", provide_automatic_options=False)
    def reference_data() -> Response:
        authenticate(state)
        payload = state.reference
        if request.if_none_match.contains_weak(payload.etag.strip('"')):
            response = Response(status=304)
        else:
            response = Response(payload.body(state.now()), mimetype="application/json")
        response.headers["ETag"] = payload.etag
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.get("/v1/time", provide_automatic_options=False)
    def server_time() -> Response:
        office = authenticate(state)
        clock = ServerClock(state.now(), API_VERSION, office)
        return json_response(encode_server_clock(clock))
