"""``AddstreamAdapter``: the example adapter, for the old public LAPOR! ``addstream`` call.

UNVERIFIED against the live service; tested only against the simulated
endpoint of the reference server (``sync/reference_server/addstream_endpoint.py``).
The call takes one report and answers a tracking ID: no client UUID (so no
deduplication), no look-up, files, follow-ups or feed. ``capabilities`` says
so, and each missing call answers with a refusal that never passes for a
success (see ``sync.adapters.capabilities``). The device token travels in the
form body, never in the address, and never reaches a log or a failure's text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, TypeVar
from urllib.parse import urlencode

import requests

from sync.adapters.addstream_wire import Refused, Stored, parse_answer, report_fields
from sync.adapters.capabilities import (
    UNSIGNED_KEY_ID,
    CannotLookUp,
    Capabilities,
    not_offered,
)
from sync.adapters.http_exchange import SERVER_TIME_HEADER, HttpExchange, Reply, failure_of
from sync.adapters.outcomes import (
    CaptivePortal,
    Failure,
    Forbidden,
    MalformedResponse,
    NotFound,
    Rejected,
    ServerError,
    Unauthorized,
)
from sync.adapters.registry import AdapterContext
from sync.adapters.service import AttachmentSource, NationalService, ServerTimeSample
from sync.device_token import DeviceToken
from sync.protocol.messages import (
    Accepted,
    BatchResponse,
    ChangesPage,
    ComplaintRecord,
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
from sync.token_redactor import REDACTED

NAME = "addstream"
CALL_PATH = "/addstream"
XML_TYPES = frozenset({"application/xml", "text/xml"})
FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
NO_FOLLOW_UPS = "addstream cannot carry follow-up messages: add it on the LAPOR! website"
NO_FILES = "addstream cannot carry attachments: add the file on the LAPOR! website"
NO_CLOCK = "addstream has no call that tells the time"
_log = logging.getLogger(__name__)
T = TypeVar("T")


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AddstreamAdapter:
    capabilities: ClassVar[Capabilities] = Capabilities(
        max_batch_items=1,
        deduplicates=False,
        detects_conflicts=False,
        lookup=False,
        follow_ups=False,
        changes_feed=False,
        uploads=False,
        reference_data=False,
        server_time=False,
        signed_receipts=False,
    )

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        token: DeviceToken,
        clock: Callable[[], dt.datetime] = _system_clock,
        timeout: tuple[float, float] = (10.0, 60.0),
        language: str = "id",
    ) -> None:
        """``base_url`` is the address the call's name is appended to (``.../addstream``)."""
        self._token = token
        self._clock = clock
        self._http = HttpExchange(
            session, base_url, clock=clock, token=None, timeout=timeout, language=language
        )

    def __repr__(self) -> str:
        return f"AddstreamAdapter({self._http.base_url!r})"

    @property
    def last_server_time(self) -> ServerTimeSample | None:
        return self._http.last_server_time

    @property
    def bytes_sent(self) -> int:
        return self._http.bytes_sent

    def submit_batch(self, items: Sequence[SubmissionItem]) -> BatchResponse | Failure:
        """One report per call: a longer batch is refused before anything is sent."""
        if not items:
            return BatchResponse(self._clock(), ())
        if len(items) > 1:
            return Rejected(422, "too-many-items", "addstream takes one report per call")
        item = items[0]
        body = urlencode(report_fields(item.content, self._token.reveal())).encode("utf-8")
        headers = {"Content-Type": FORM_TYPE, "Accept": "application/xml, text/xml"}
        reply = self._http.call("POST", CALL_PATH, data=body, headers=headers)
        answer = self._answer(item, reply) if isinstance(reply, Reply) else reply
        if isinstance(answer, BatchResponse):
            return self._scrubbed_batch(answer)
        _log.info("addstream: report %s not sent: %s", item.client_uuid, type(answer).__name__)
        return self._scrubbed(answer)

    def _answer(self, item: SubmissionItem, reply: Reply) -> BatchResponse | Failure:
        if reply.status == 200 and reply.media_type not in XML_TYPES:
            return _not_xml(reply)
        parsed = parse_answer(reply.body) if reply.media_type in XML_TYPES else None
        if reply.status == 200:
            assert parsed is not None
            if isinstance(parsed, str):
                return MalformedResponse(parsed)
            if isinstance(parsed, Refused):
                return _FAILURE_CODES.get(parsed.code, self._refused)(item, parsed)
            return self._stored(item, parsed, reply)
        if reply.status in (400, 422) and isinstance(parsed, Refused):
            return self._refused(item, parsed)
        failure = failure_of(reply, self._clock())
        if isinstance(failure, NotFound):  # no such call at this address
            return Rejected(404, "not-found", "no addstream call at this address")
        detail = parsed.message if isinstance(parsed, Refused) else ""
        if detail and isinstance(failure, Unauthorized | Forbidden | Rejected | ServerError):
            return dataclasses.replace(failure, detail=detail)
        return failure

    def _stored(self, item: SubmissionItem, stored: Stored, reply: Reply) -> BatchResponse:
        """The tracking ID is the proof; the transaction ID is kept where a signature would be."""
        sample = self._http.last_server_time
        when = sample.server_time if sample and SERVER_TIME_HEADER in reply.headers else None
        when = when or self._clock()
        receipt = Receipt(
            client_uuid=item.client_uuid,
            content_hash=item.content_hash,
            tracking_id=stored.tracking_id,
            server_time=when,
            key_id=UNSIGNED_KEY_ID,
            signature=f"transaksiid:{stored.transaction_id}",
        )
        _log.info(
            "addstream: report %s stored as tracking ID %s (transaksiid %s)",
            item.client_uuid,
            stored.tracking_id,
            stored.transaction_id,
        )
        accepted = Accepted(0, item.client_uuid, stored.tracking_id, receipt)
        return BatchResponse(when, (accepted,))

    def _refused(self, item: SubmissionItem, refused: Refused) -> BatchResponse:
        code = refused.code or "refused"
        result = ItemRejected(0, item.client_uuid, code, refused.message or code, None)
        return BatchResponse(self._clock(), (result,))

    def _scrubbed(self, value: T) -> T:
        """The token out of every text of a failure (an echo of the form, a URL in an error)."""
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            return value
        secret = self._token.reveal()
        changes = {
            f.name: getattr(value, f.name).replace(secret, REDACTED)
            for f in dataclasses.fields(value)
            if isinstance(getattr(value, f.name), str) and secret in getattr(value, f.name)
        }
        return dataclasses.replace(value, **changes) if changes else value

    def _scrubbed_batch(self, response: BatchResponse) -> BatchResponse:
        results = tuple(self._scrubbed(result) for result in response.results)
        return dataclasses.replace(response, results=results)

    def lookup(self, client_uuid: str) -> ComplaintRecord | NotFound | Failure:
        return CannotLookUp("addstream has no look-up", adapter=NAME)

    def post_message(
        self, client_uuid: str, message: FollowUp
    ) -> FollowUpResult | NotFound | Failure:
        return not_offered(NO_FOLLOW_UPS)

    def changes(self, cursor: str | None, limit: int) -> ChangesPage | Failure:
        """No feed: an empty page, so a pass goes on (statuses are read on the website)."""
        return ChangesPage(self._clock(), (), cursor or "", has_more=False)

    def reference_data(self, etag: str | None) -> ReferenceData | ReferenceNotModified | Failure:
        """No reference data call: the desk keeps the set it has."""
        return ReferenceNotModified(etag, self._clock())

    def upload_offset(self, sha256: str) -> UploadState | NotFound | Failure:
        return not_offered(NO_FILES)

    def upload_attachment(self, source: AttachmentSource) -> UploadState | Failure:
        return not_offered(NO_FILES)

    def server_time(self) -> ServerClock | Failure:
        return not_offered(NO_CLOCK)


_FAILURE_CODES: dict[str, Callable[[SubmissionItem, Refused], BatchResponse | Failure]] = {
    "unauthorized": lambda _item, refused: Unauthorized(refused.message),
    "forbidden": lambda _item, refused: Forbidden(refused.message),
}
"""Error codes that concern the token or the office, not the report, even in a 200 answer."""


def _not_xml(reply: Reply) -> CaptivePortal | MalformedResponse:
    if reply.media_type in ("text/html", "application/xhtml+xml") or reply.body.lstrip()[
        :15
    ].lower().startswith((b"<!doctype html", b"<html")):
        return CaptivePortal(reply.status, reply.media_type)
    return MalformedResponse(f"expected XML, got {reply.media_type or 'no content type'}")


def build(context: AdapterContext) -> NationalService:
    """The entry point (``addstream``): the token goes into the form, as the call wants it."""
    return AddstreamAdapter(
        context.session,
        context.base_url,
        token=context.token,
        clock=context.clock,
        language=context.language,
    )


if TYPE_CHECKING:  # mypy proves the adapter offers everything the engine relies on

    def _conforms(adapter: AddstreamAdapter) -> NationalService:
        return adapter
