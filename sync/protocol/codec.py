"""JSON encoding and strict decoding of every protocol message.

Both sides use the same functions: the adapter encodes requests and decodes
answers, the reference server does the reverse, so the two cannot drift.
Decoders raise :class:`~sync.protocol.wire.ProtocolError` and nothing else.
"""

from __future__ import annotations

from lapor_desktop.reference.dataset import ReferenceDataError, dataset_from_json
from sync.protocol.messages import (
    NATIONAL_STATUS_VALUES,
    RECORD_STATUS_VALUES,
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
    ItemOutcome,
    ItemRejected,
    ItemResult,
    Problem,
    Receipt,
    ReferenceData,
    ServerClock,
    SubmissionItem,
)
from sync.protocol.wire import Fields, ProtocolError, format_time

TRACKING_ID_MAX = 64
CURSOR_MAX = 200
FOLLOW_UP_MAX = 10_000
_KEY_ID_MAX = 64
_SIGNATURE_MAX = 200
_PROBLEM_KNOWN = frozenset({"type", "title", "status", "detail", "code", "retry_after"})


def encode_receipt(receipt: Receipt) -> dict[str, object]:
    return {
        "client_uuid": receipt.client_uuid,
        "content_hash": receipt.content_hash,
        "tracking_id": receipt.tracking_id,
        "server_time": format_time(receipt.server_time),
        "key_id": receipt.key_id,
        "algorithm": "Ed25519",
        "signature": receipt.signature,
    }


def decode_receipt(fields: Fields) -> Receipt:
    fields.choice("algorithm", ("Ed25519",))
    return Receipt(
        client_uuid=fields.uuid("client_uuid"),
        content_hash=fields.sha256("content_hash"),
        tracking_id=fields.text("tracking_id", max_length=TRACKING_ID_MAX, allow_empty=False),
        server_time=fields.time("server_time"),
        key_id=fields.text("key_id", max_length=_KEY_ID_MAX, allow_empty=False),
        signature=fields.text("signature", max_length=_SIGNATURE_MAX, allow_empty=False),
    )


def encode_batch_request(request: BatchRequest) -> dict[str, object]:
    return {
        "items": [
            {
                "client_uuid": item.client_uuid,
                "content_hash": item.content_hash,
                "content": dict(item.content),
            }
            for item in request.items
        ]
    }


def decode_submission_item(obj: object, index: int) -> SubmissionItem:
    """One item of a batch; the server decodes each alone so one bad item spoils nothing."""
    fields = Fields(obj, f"items[{index}]")
    content = fields.raw("content")
    if not isinstance(content, dict):
        raise ProtocolError(fields.where("content"), "expected an object")
    return SubmissionItem(
        client_uuid=fields.uuid("client_uuid"),
        content_hash=fields.sha256("content_hash"),
        content=content,
    )


def encode_item_result(result: ItemResult) -> dict[str, object]:
    match result:
        case Accepted() | Duplicate():
            outcome = (
                ItemOutcome.ACCEPTED if isinstance(result, Accepted) else ItemOutcome.DUPLICATE
            )
            return {
                "index": result.index,
                "client_uuid": result.client_uuid,
                "outcome": outcome.value,
                "tracking_id": result.tracking_id,
                "receipt": encode_receipt(result.receipt),
            }
        case Conflict():
            return {
                "index": result.index,
                "client_uuid": result.client_uuid,
                "outcome": ItemOutcome.CONFLICT.value,
                "tracking_id": result.tracking_id,
                "server_content_hash": result.server_content_hash,
                "detail": result.detail,
            }
        case ItemRejected():
            return {
                "index": result.index,
                "client_uuid": result.client_uuid,
                "outcome": ItemOutcome.REJECTED.value,
                "code": result.code,
                "reason": result.reason,
                "field": result.field,
            }


def decode_item_result(fields: Fields) -> ItemResult:
    outcome = ItemOutcome(fields.choice("outcome", [o.value for o in ItemOutcome]))
    index = fields.integer("index", minimum=0)
    if outcome is ItemOutcome.REJECTED:
        raw_uuid = fields.obj.get("client_uuid")
        return ItemRejected(
            index=index,
            client_uuid=None if raw_uuid is None else fields.uuid("client_uuid"),
            code=fields.text("code", max_length=64, allow_empty=False),
            reason=fields.text("reason", max_length=FOLLOW_UP_MAX),
            field=fields.optional_text("field", max_length=64),
        )
    client_uuid = fields.uuid("client_uuid")
    tracking_id = fields.text("tracking_id", max_length=TRACKING_ID_MAX, allow_empty=False)
    if outcome is ItemOutcome.CONFLICT:
        return Conflict(
            index=index,
            client_uuid=client_uuid,
            tracking_id=tracking_id,
            server_content_hash=fields.sha256("server_content_hash"),
            detail=fields.text("detail", max_length=FOLLOW_UP_MAX),
        )
    receipt = decode_receipt(fields.nested("receipt"))
    kind = Accepted if outcome is ItemOutcome.ACCEPTED else Duplicate
    return kind(index=index, client_uuid=client_uuid, tracking_id=tracking_id, receipt=receipt)


def encode_batch_response(response: BatchResponse) -> dict[str, object]:
    return {
        "server_time": format_time(response.server_time),
        "results": [encode_item_result(r) for r in response.results],
    }


def decode_batch_response(obj: object, *, expected_items: int | None = None) -> BatchResponse:
    fields = Fields(obj)
    raw_results = fields.array("results")
    results = tuple(
        decode_item_result(Fields(raw, f"results[{i}]")) for i, raw in enumerate(raw_results)
    )
    if expected_items is not None and sorted(r.index for r in results) != list(
        range(expected_items)
    ):
        raise ProtocolError("results", "not exactly one result per item sent")
    return BatchResponse(server_time=fields.time("server_time"), results=results)


def encode_complaint_record(record: ComplaintRecord) -> dict[str, object]:
    return {
        "client_uuid": record.client_uuid,
        "content_hash": record.content_hash,
        "tracking_id": record.tracking_id,
        "status": record.status,
        "received_at": format_time(record.received_at),
        "receipt": encode_receipt(record.receipt),
        "server_time": format_time(record.server_time),
    }


def decode_complaint_record(obj: object) -> ComplaintRecord:
    fields = Fields(obj)
    return ComplaintRecord(
        client_uuid=fields.uuid("client_uuid"),
        content_hash=fields.sha256("content_hash"),
        tracking_id=fields.text("tracking_id", max_length=TRACKING_ID_MAX, allow_empty=False),
        status=fields.choice("status", RECORD_STATUS_VALUES),
        received_at=fields.time("received_at"),
        receipt=decode_receipt(fields.nested("receipt")),
        server_time=fields.time("server_time"),
    )


def encode_follow_up(message: FollowUp) -> dict[str, object]:
    return {
        "message_uuid": message.message_uuid,
        "text": message.text,
        "written_at": None if message.written_at is None else format_time(message.written_at),
    }


def decode_follow_up(obj: object) -> FollowUp:
    fields = Fields(obj)
    return FollowUp(
        message_uuid=fields.uuid("message_uuid"),
        text=fields.text("text", max_length=FOLLOW_UP_MAX, allow_empty=False),
        written_at=fields.optional_time("written_at"),
    )


def encode_follow_up_result(result: FollowUpResult) -> dict[str, object]:
    return {
        "message_uuid": result.message_uuid,
        "outcome": result.outcome.value,
        "received_at": format_time(result.received_at),
        "server_time": format_time(result.server_time),
    }


def decode_follow_up_result(obj: object) -> FollowUpResult:
    fields = Fields(obj)
    return FollowUpResult(
        message_uuid=fields.uuid("message_uuid"),
        outcome=FollowUpOutcome(fields.choice("outcome", [o.value for o in FollowUpOutcome])),
        received_at=fields.time("received_at"),
        server_time=fields.time("server_time"),
    )


def encode_change(change: Change) -> dict[str, object]:
    return {
        "change_id": change.change_id,
        "client_uuid": change.client_uuid,
        "tracking_id": change.tracking_id,
        "kind": change.kind.value,
        "status": change.status,
        "text": change.text,
        "agency_code": change.agency_code,
        "occurred_at": format_time(change.occurred_at),
    }


def decode_change(fields: Fields) -> Change:
    return Change(
        change_id=fields.text("change_id", max_length=64, allow_empty=False),
        client_uuid=fields.uuid("client_uuid"),
        tracking_id=fields.text("tracking_id", max_length=TRACKING_ID_MAX, allow_empty=False),
        kind=ChangeKind(fields.choice("kind", [k.value for k in ChangeKind])),
        status=fields.choice("status", NATIONAL_STATUS_VALUES),
        text=fields.text("text", max_length=FOLLOW_UP_MAX),
        agency_code=fields.optional_text("agency_code", max_length=64),
        occurred_at=fields.time("occurred_at"),
    )


def encode_changes_page(page: ChangesPage) -> dict[str, object]:
    return {
        "server_time": format_time(page.server_time),
        "changes": [encode_change(c) for c in page.changes],
        "next_cursor": page.next_cursor,
        "has_more": page.has_more,
    }


def decode_changes_page(obj: object, *, limit: int | None = None) -> ChangesPage:
    fields = Fields(obj)
    raw = fields.array("changes", max_items=limit)
    return ChangesPage(
        server_time=fields.time("server_time"),
        changes=tuple(decode_change(Fields(c, f"changes[{i}]")) for i, c in enumerate(raw)),
        next_cursor=fields.text("next_cursor", max_length=CURSOR_MAX, allow_empty=False),
        has_more=fields.boolean("has_more"),
    )


def decode_reference_data(obj: object, etag: str | None) -> ReferenceData:
    fields = Fields(obj)
    server_time = fields.time("server_time")
    try:
        dataset = dataset_from_json(obj)
    except ReferenceDataError as error:
        raise ProtocolError("", f"unusable reference data: {error}") from error
    return ReferenceData(dataset=dataset, etag=etag, server_time=server_time)


def encode_server_clock(clock: ServerClock) -> dict[str, object]:
    return {
        "server_time": format_time(clock.server_time),
        "api_version": clock.api_version,
        "office_code": clock.office_code,
    }


def decode_server_clock(obj: object) -> ServerClock:
    fields = Fields(obj)
    return ServerClock(
        server_time=fields.time("server_time"),
        api_version=fields.text("api_version", max_length=16, allow_empty=False),
        office_code=fields.text("office_code", max_length=32, allow_empty=False),
    )


def encode_problem(problem: Problem) -> dict[str, object]:
    body: dict[str, object] = dict(problem.extras)
    body.update({"type": problem.type, "title": problem.title, "status": problem.status})
    if problem.detail:
        body["detail"] = problem.detail
    if problem.code:
        body["code"] = problem.code
    if problem.retry_after is not None:
        body["retry_after"] = problem.retry_after
    if problem.server_time is not None:
        body["server_time"] = format_time(problem.server_time)
    return body


def decode_problem(obj: object) -> Problem:
    fields = Fields(obj)
    extras = {k: v for k, v in fields.obj.items() if k not in _PROBLEM_KNOWN | {"server_time"}}
    return Problem(
        type=fields.text("type", max_length=500) if "type" in fields.obj else "about:blank",
        title=fields.text("title", max_length=500) if "title" in fields.obj else "",
        status=fields.integer("status", minimum=100, maximum=599),
        detail=fields.optional_text("detail", max_length=FOLLOW_UP_MAX) or "",
        code=fields.optional_text("code", max_length=64) or "",
        retry_after=fields.optional_integer("retry_after", minimum=0),
        server_time=fields.optional_time("server_time"),
        extras=extras,
    )
