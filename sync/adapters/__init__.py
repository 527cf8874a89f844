"""Adapters between the sync engine and a national service's wire format.

The engine depends only on :class:`~sync.adapters.service.NationalService`
and the outcome types; ``LaporV1Adapter`` speaks the project's v1 protocol.
"""

from sync.adapters.lapor_v1 import LaporV1Adapter
from sync.adapters.outcomes import (
    CaptivePortal,
    CertificateProblem,
    Failure,
    Forbidden,
    MalformedResponse,
    NotFound,
    Rejected,
    RetryLater,
    ServerError,
    TooLarge,
    Unauthorized,
    Unreachable,
    UntrustedReceipt,
)
from sync.adapters.service import AttachmentSource, NationalService, ServerTimeSample

__all__ = [
    "AttachmentSource",
    "CaptivePortal",
    "CertificateProblem",
    "Failure",
    "Forbidden",
    "LaporV1Adapter",
    "MalformedResponse",
    "NationalService",
    "NotFound",
    "Rejected",
    "RetryLater",
    "ServerError",
    "ServerTimeSample",
    "TooLarge",
    "Unauthorized",
    "Unreachable",
    "UntrustedReceipt",
]
