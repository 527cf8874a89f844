"""The protocol's problem types (RFC 9457), shared by the server and the adapter.

``type`` is a relative URI reference under ``/v1/problems/``, documented in
``docs/protocol.md``; clients branch on the HTTP status and on ``code``.
"""

from __future__ import annotations

import enum

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/v1/problems/"


class ProblemCode(enum.StrEnum):
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not-found"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    MALFORMED_REQUEST = "malformed-request"
    UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type"
    PAYLOAD_TOO_LARGE = "payload-too-large"
    TOO_MANY_ITEMS = "too-many-items"
    INVALID_CURSOR = "invalid-cursor"
    MESSAGE_CONFLICT = "message-conflict"
    UPLOAD_OFFSET_MISMATCH = "upload-offset-mismatch"
    UPLOAD_BUSY = "upload-busy"
    CHECKSUM_MISMATCH = "checksum-mismatch"
    TUS_VERSION = "tus-version-unsupported"
    RATE_LIMITED = "rate-limited"
    UNAVAILABLE = "unavailable"
    INTERNAL_ERROR = "internal-error"
    DESK_KEY_TAKEN = "desk-key-taken"
    BUNDLE_NOT_UPLOADED = "bundle-not-uploaded"
    BUNDLE_DAMAGED = "bundle-damaged"
    UNKNOWN_DESK = "unknown-desk"
    WRONG_OFFICE = "wrong-office"
    NOT_FOR_THIS_SERVICE = "not-for-this-service"
    BUNDLE_ID_REUSED = "bundle-id-reused"


def problem_type(code: ProblemCode) -> str:
    return PROBLEM_BASE + code.value
