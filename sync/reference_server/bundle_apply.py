"""Applying what a bundle carries, with exactly the rules of an online sync.

Complaints go through the batch path (``check_item``, then ``Store.submit`` in one
transaction), attachments end as a finished tus upload would leave them, follow-ups go
through ``Store.add_follow_up``; all under the office that wrote them, never the relay's.
A repeated bundle is therefore harmless: the same UUID and content get the same receipt,
other content under a held UUID is the online conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from lapor_desktop import durable_files
from sync.protocol.codec import decode_follow_up, encode_follow_up_result
from sync.protocol.messages import FollowUpResult, ItemResult
from sync.protocol.wire import ProtocolError, canonical_uuid, check_sha256, format_time
from sync.reference_server.api import submit_items
from sync.reference_server.state import ServerState
from sync.reference_server.store import FollowUpRefused
from sync.reference_server.upload_records import UploadRecords
from sync.reference_server.uploads import UploadFiles


class PayloadUnreadable(ValueError):
    """The payload opened but is not shaped like an outbound bundle's: nothing is applied."""


@dataclass(frozen=True)
class CarriedAttachment:
    complaint_uuid: str | None
    sha256: str
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Carried:
    """An outbound payload, read whole before anything is applied."""

    complaints: list[object]
    """Raw items, judged one by one as online (a bad one is rejected, the rest go on)."""
    attachments: list[CarriedAttachment | str]
    """A readable attachment, or the SHA-256 (or "") of one that is not."""
    follow_ups: list[object]
    cursor: str


@dataclass(frozen=True)
class Applied:
    complaints: tuple[ItemResult, ...]
    uploads: list[dict[str, object]]
    follow_ups: list[dict[str, object]]
    follow_up_refusals: list[dict[str, object]]


def _list(payload: dict[str, object], name: str) -> list[object]:
    value = payload.get(name, [])
    if not isinstance(value, list):
        raise PayloadUnreadable(f"{name} is not a list")
    return value


def _attachment(raw: object) -> CarriedAttachment | str:
    if not isinstance(raw, dict):
        return ""
    sha256, data = raw.get("sha256"), raw.get("data")
    complaint = raw.get("complaint_uuid")
    filename, media_type = raw.get("filename", ""), raw.get("media_type")
    try:
        check_sha256(sha256 if isinstance(sha256, str) else "")
        if complaint is not None:
            canonical_uuid(complaint if isinstance(complaint, str) else "")
    except ProtocolError:
        return sha256 if isinstance(sha256, str) else ""
    if not isinstance(data, bytes) or not isinstance(filename, str):
        return str(sha256)
    return CarriedAttachment(
        complaint_uuid=complaint if isinstance(complaint, str) else None,
        sha256=str(sha256),
        filename=filename[:255],
        media_type=(media_type if isinstance(media_type, str) else "application/octet-stream")[
            :127
        ],
        data=data,
    )


def read_payload(payload: dict[str, object]) -> Carried:
    manifest = payload.get("manifest", {})
    if not isinstance(manifest, dict):
        raise PayloadUnreadable("the manifest is not an object")
    cursor = manifest.get("cursor") or ""
    if not isinstance(cursor, str):
        raise PayloadUnreadable("the cursor is not text")
    return Carried(
        complaints=_list(payload, "complaints"),
        attachments=[_attachment(a) for a in _list(payload, "attachments")],
        follow_ups=_list(payload, "follow_ups"),
        cursor=cursor,
    )


def _written_at(value: object) -> str | None:
    """The desk's informative time in the protocol's one form; dropped when unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return format_time(moment) if moment.tzinfo is not None else None


class BundleApplier:
    def __init__(self, state: ServerState, files: UploadFiles) -> None:
        self._state = state
        self._files = files
        self._records = UploadRecords(state.store.engine, state.store.lock)

    def apply(self, office: str, carried: Carried, *, now: dt.datetime, language: str) -> Applied:
        return Applied(
            self._complaints(office, carried.complaints, now, language),
            [self._attachment(office, a, now) for a in carried.attachments],
            *self._follow_ups(office, carried.follow_ups, now),
        )

    def _complaints(
        self, office: str, items: list[object], now: dt.datetime, language: str
    ) -> tuple[ItemResult, ...]:
        return submit_items(self._state, office, items, now=now, language=language)

    def _attachment(
        self, office: str, carried: CarriedAttachment | str, now: dt.datetime
    ) -> dict[str, object]:
        if isinstance(carried, str):
            return _upload(carried, None, "malformed")
        reason = self._store_blob(office, carried, now)
        return _upload(carried.sha256, carried.complaint_uuid, reason)

    def _store_blob(self, office: str, carried: CarriedAttachment, now: dt.datetime) -> str | None:
        """None when the file is held now (as a completed upload); else why not."""
        if hashlib.sha256(carried.data).hexdigest() != carried.sha256:
            return "checksum-mismatch"
        if len(carried.data) > self._state.config.limits.max_upload_bytes:
            return "too-large"
        sha256, records = carried.sha256, self._records
        record = records.create(
            sha256,
            len(carried.data),
            office,
            complaint_uuid=carried.complaint_uuid,
            filename=carried.filename,
            media_type=carried.media_type,
            now=now,
        )
        if record.office_code != office:
            return "forbidden"
        if record.complete:
            return None
        if not self._files.take(sha256, office):
            return "busy"
        try:
            durable_files.write_bytes(self._files.blob(sha256), carried.data)
            self._files.discard(sha256)
            records.complete(sha256, now)
        finally:
            self._files.leave(sha256)
        return None

    def _follow_ups(
        self, office: str, raws: list[object], now: dt.datetime
    ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        results: list[dict[str, object]] = []
        refusals: list[dict[str, object]] = []
        for raw in raws:
            fields = raw if isinstance(raw, dict) else {}
            given = fields.get("message_uuid")
            message_uuid = given if isinstance(given, str) else None
            try:
                complaint_uuid = canonical_uuid(str(fields.get("complaint_uuid", "")))
                message = decode_follow_up(
                    {
                        "message_uuid": message_uuid,
                        "text": fields.get("text"),
                        "written_at": _written_at(fields.get("written_at")),
                    }
                )
            except ProtocolError:
                refusals.append({"message_uuid": message_uuid, "reason": "malformed"})
                continue
            try:
                outcome, received_at = self._state.store.add_follow_up(
                    office, complaint_uuid, message, now
                )
            except FollowUpRefused as refused:
                refusals.append({"message_uuid": message.message_uuid, "reason": refused.reason})
                continue
            result = FollowUpResult(message.message_uuid, outcome, received_at, now)
            results.append(encode_follow_up_result(result))
        return results, refusals


def _upload(sha256: str, complaint_uuid: str | None, reason: str | None) -> dict[str, object]:
    return {
        "sha256": sha256,
        "complaint_uuid": complaint_uuid,
        "outcome": "stored" if reason is None else "refused",
        "reason": reason,
    }
