"""The parts of tus 1.0 (core and its extensions) that both sides need to agree on.

Attachments are content-addressed: the upload resource is
``/v1/uploads/{sha256}``, so a desk that lost everything but the file can
still ask the server how many bytes it holds and continue from there.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
TUS_CHECKSUM_ALGORITHMS = "sha256"
OFFSET_MEDIA_TYPE = "application/offset+octet-stream"
UPLOADS_PATH = "/v1/uploads"
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}", re.ASCII)


def encode_metadata(metadata: Mapping[str, str]) -> str:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    pairs = []
    for key, value in metadata.items():
        if not _KEY.fullmatch(key):
            raise ValueError(f"unusable metadata key {key!r}")
        pairs.append(f"{key} {base64.b64encode(value.encode()).decode('ascii')}")
    return ",".join(pairs)


def decode_metadata(header: str) -> dict[str, str]:
    """The pairs of an ``Upload-Metadata`` header; ValueError when it is malformed."""
    metadata: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        if not _KEY.fullmatch(key) or key in metadata:
            raise ValueError("bad metadata key")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise ValueError("bad metadata value") from error
    return metadata


def checksum_header(digest: bytes) -> str:
    """``Upload-Checksum`` for a chunk: the algorithm, then the base64 digest."""
    return f"sha256 {base64.b64encode(digest).decode('ascii')}"


def parse_checksum_header(header: str) -> tuple[str, bytes]:
    algorithm, _, encoded = header.strip().partition(" ")
    try:
        return algorithm.lower(), base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as error:
        raise ValueError("bad checksum") from error
