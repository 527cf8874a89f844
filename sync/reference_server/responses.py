"""Answers and request bodies: JSON, problem+json, gzip, size limits, the caller's language."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import IO

from flask import Request, Response, request

from lapor_desktop.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Message
from sync.protocol.codec import encode_problem
from sync.protocol.messages import Problem
from sync.protocol.problems import PROBLEM_MEDIA_TYPE, ProblemCode, problem_type
from sync.protocol.wire import ProtocolError, dump_json, load_json
from sync.reference_server.config import ServerLimits

_TITLES = {
    ProblemCode.UNAUTHORIZED: "Unauthorized",
    ProblemCode.FORBIDDEN: "Forbidden",
    ProblemCode.NOT_FOUND: "Not found",
    ProblemCode.METHOD_NOT_ALLOWED: "Method not allowed",
    ProblemCode.MALFORMED_REQUEST: "Malformed request",
    ProblemCode.UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
    ProblemCode.PAYLOAD_TOO_LARGE: "Content too large",
    ProblemCode.TOO_MANY_ITEMS: "Too many items",
    ProblemCode.INVALID_CURSOR: "Invalid cursor",
    ProblemCode.MESSAGE_CONFLICT: "Message conflict",
    ProblemCode.UPLOAD_OFFSET_MISMATCH: "Upload offset mismatch",
    ProblemCode.UPLOAD_BUSY: "Upload busy",
    ProblemCode.CHECKSUM_MISMATCH: "Checksum mismatch",
    ProblemCode.TUS_VERSION: "Unsupported tus version",
    ProblemCode.RATE_LIMITED: "Too many requests",
    ProblemCode.UNAVAILABLE: "Service unavailable",
    ProblemCode.INTERNAL_ERROR: "Internal server error",
}


class ProblemRaised(Exception):
    """Raised inside a handler; the app turns it into a problem+json answer."""

    def __init__(
        self,
        status: int,
        code: ProblemCode,
        detail: Message,
        *,
        headers: dict[str, str] | None = None,
        retry_after: int | None = None,
        extras: dict[str, object] | None = None,
    ) -> None:
        super().__init__(code.value)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.retry_after = retry_after
        self.extras = extras or {}


def language(req: Request | None = None) -> str:
    chosen = (req or request).accept_languages.best_match(LANGUAGES)
    return chosen or DEFAULT_LANGUAGE


def json_response(body: dict[str, object], status: int = 200) -> Response:
    return Response(dump_json(body), status=status, mimetype="application/json")


def problem_response(error: ProblemRaised, now: dt.datetime) -> Response:
    problem = Problem(
        type=problem_type(error.code),
        title=_TITLES[error.code],
        status=error.status,
        detail=error.detail.render(language()),
        code=error.code.value,
        retry_after=error.retry_after,
        server_time=now,
        extras=error.extras,
    )
    response = Response(
        dump_json(encode_problem(problem)), status=error.status, mimetype=PROBLEM_MEDIA_TYPE
    )
    for name, value in error.headers.items():
        response.headers[name] = value
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def too_large(limit: int) -> ProblemRaised:
    return ProblemRaised(
        413,
        ProblemCode.PAYLOAD_TOO_LARGE,
        Message(N_("The request is larger than the {limit} bytes allowed."), {"limit": limit}),
        extras={"max_bytes": limit},
    )


def malformed(problem: str) -> ProblemRaised:
    return ProblemRaised(
        400,
        ProblemCode.MALFORMED_REQUEST,
        Message(N_("The request cannot be read: {problem}."), {"problem": problem}),
    )


def read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Up to ``limit`` bytes of a stream (``limit + 1`` read tells an oversized body)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(65536, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def read_body(limits: ServerLimits) -> bytes:
    """The request body, inflated if it was sent with ``Content-Encoding: gzip``."""
    length = request.content_length
    if length is not None and length > limits.max_body_bytes:
        raise too_large(limits.max_body_bytes)
    raw = read_at_most(request.stream, limits.max_body_bytes + 1)
    if len(raw) > limits.max_body_bytes:
        raise too_large(limits.max_body_bytes)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding != "gzip":
        raise ProblemRaised(
            415,
            ProblemCode.UNSUPPORTED_MEDIA_TYPE,
            Message(N_("Only gzip is accepted as a content encoding.")),
        )
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, limits.max_decoded_bytes + 1)
    except zlib.error as error:
        raise malformed("gzip") from error
    if len(data) > limits.max_decoded_bytes:
        raise too_large(limits.max_decoded_bytes)
    if not inflater.eof:
        raise malformed("gzip")
    return data


def read_json(limits: ServerLimits) -> object:
    if request.mimetype != "application/json":
        raise ProblemRaised(
            415,
            ProblemCode.UNSUPPORTED_MEDIA_TYPE,
            Message(N_("The request body must be JSON (Content-Type: application/json).")),
        )
    try:
        return load_json(read_body(limits))
    except ProtocolError as error:
        raise malformed("JSON") from error
