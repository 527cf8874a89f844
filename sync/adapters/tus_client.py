"""The client side of tus 1.0 core + creation, for content-addressed attachments.

Why not ``tuspy``: it calls module-level ``requests.post/patch/head``, so
the injected session (verified TLS, the device token) cannot be used; it
sets no timeouts; it raises exceptions instead of returning outcomes; it
pulls in aiohttp and tinydb; its checksums are SHA-1 only. Core tus is
three requests (HEAD, POST, PATCH), small enough to own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sync.adapters.http_exchange import HttpExchange, Reply, failure_of, not_json
from sync.adapters.outcomes import Failure, MalformedResponse, NotFound, Rejected
from sync.adapters.service import AttachmentSource
from sync.protocol.messages import UploadState
from sync.protocol.tus import OFFSET_MEDIA_TYPE, TUS_VERSION, UPLOADS_PATH, encode_metadata
from sync.protocol.wire import whole_number

DEFAULT_CHUNK_BYTES = 1024 * 1024
_MAX_RESYNCS = 3


def _header_int(reply: Reply, name: str) -> int | None:
    return whole_number(reply.headers.get(name, "").strip())


class TusUploader:
    def __init__(
        self,
        exchange: HttpExchange,
        clock: Callable[[], dt.datetime],
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    ) -> None:
        self._exchange = exchange
        self._clock = clock
        self.chunk_bytes = chunk_bytes

    def _call(
        self, method: str, sha256: str | None, headers: dict[str, str], data: bytes | None = None
    ) -> Reply | Failure:
        path = UPLOADS_PATH if sha256 is None else f"{UPLOADS_PATH}/{sha256}"
        return self._exchange.call(
            method, path, data=data, headers={"Tus-Resumable": TUS_VERSION, **headers}
        )

    def offset(self, sha256: str) -> UploadState | NotFound | Failure:
        """How many bytes of this file the server holds (HEAD)."""
        reply = self._call("HEAD", sha256, {})
        if not isinstance(reply, Reply):
            return reply
        if reply.status != 200:
            return failure_of(reply, self._clock())
        offset, length = _header_int(reply, "Upload-Offset"), _header_int(reply, "Upload-Length")
        if offset is None or length is None or offset > length:
            return (
                not_json(reply)
                if reply.media_type == "text/html"
                else MalformedResponse("HEAD without a usable Upload-Offset and Upload-Length")
            )
        return UploadState(sha256, offset, length)

    def _create(self, source: AttachmentSource) -> UploadState | Failure:
        metadata = {"sha256": source.sha256, "filename": source.filename}
        metadata["media_type"] = source.media_type
        if source.complaint_uuid is not None:
            metadata["complaint_uuid"] = source.complaint_uuid
        reply = self._call(
            "POST",
            None,
            {"Upload-Length": str(source.length), "Upload-Metadata": encode_metadata(metadata)},
        )
        if not isinstance(reply, Reply):
            return reply
        if reply.status != 201:
            failure = failure_of(reply, self._clock())
            return Rejected(404, "not-found", "") if isinstance(failure, NotFound) else failure
        offset = _header_int(reply, "Upload-Offset")
        return UploadState(source.sha256, offset or 0, source.length)

    def upload(self, source: AttachmentSource) -> UploadState | Failure:
        """Send what the server lacks, from its own offset; the final state or why it stopped.

        A connection lost mid-part is resumed at once from the offset the
        server reports, as long as each attempt got bytes through; a stalled
        link ends the call with its failure. An incomplete state comes back
        when ``source.cancelled`` turned true between parts.
        """
        state = self._announced(source)
        if not isinstance(state, UploadState):
            return state
        resyncs = 0
        while not state.complete and not source.cancelled():
            source.stream.seek(state.offset)
            chunk = source.stream.read(min(self.chunk_bytes, state.length - state.offset))
            if not chunk:
                return Rejected(0, "source-too-short", "the file ended before its length")
            reply = self._call(
                "PATCH",
                source.sha256,
                {"Content-Type": OFFSET_MEDIA_TYPE, "Upload-Offset": str(state.offset)},
                chunk,
            )
            if not isinstance(reply, Reply):
                found = self.offset(source.sha256)
                if not isinstance(found, UploadState) or found.offset <= state.offset:
                    return reply  # nothing got through: the link is down, not flaky
                state = found
                continue
            if reply.status in (409, 404) and resyncs < _MAX_RESYNCS:
                # Another offset (a part that arrived after all), or an upload that
                # expired meanwhile: ask again, announcing it anew if it is gone.
                resyncs += 1
                found = self._announced(source)
                if not isinstance(found, UploadState):
                    return found
                state = found
                continue
            if reply.status != 204:
                failure = failure_of(reply, self._clock())
                return Rejected(404, "not-found", "") if isinstance(failure, NotFound) else failure
            offset = _header_int(reply, "Upload-Offset")
            if offset is None or not state.offset < offset <= state.offset + len(chunk):
                return MalformedResponse("PATCH answered without a plausible Upload-Offset")
            state = UploadState(source.sha256, offset, state.length)
        return state

    def _announced(self, source: AttachmentSource) -> UploadState | Failure:
        """The server's state of this upload, created first if it holds none."""
        state = self.offset(source.sha256)
        if isinstance(state, NotFound):
            state = self._create(source)
        if isinstance(state, UploadState) and state.length != source.length:
            return Rejected(409, "length-mismatch", "the server expects another length")
        return state
