"""Photo metadata (EXIF with its GPS position, XMP, IPTC, comments) removed without re-encoding.

A photo from a phone says where and when it was taken and on which
device: for an anonim or rahasia complaint that can name the complainant.
Before such a file leaves the desk by hand (the website lane), these blocks
are cut out of the container; the image data itself is copied byte for
byte, so nothing is recompressed and the picture is exactly the same.
JPEG, PNG and WebP are handled; for any other kind the caller is told
that nothing could be removed, so it can warn the operator instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import filetype

from lapor_desktop.i18n import N_, Message

NOT_AN_IMAGE_WE_CLEAN = N_(
    "The desk cannot remove hidden data (such as where a photo was taken) from this file "
    "({kind}); check it before you hand it over, or leave it out."
)
DAMAGED = N_("The file looks damaged ({reason}); its hidden data could not be removed.")

_JPEG_DROPPED = {0xE1: "EXIF/XMP", 0xED: "IPTC", 0xFE: "comment"}
"""APP1 (Exif, XMP), APP13 (Photoshop/IPTC) and COM. APP0 (JFIF), APP2 (ICC colour) and
APP14 (Adobe colour transform) stay: they are needed to show the colours right."""
_PNG_DROPPED = {b"eXIf": "EXIF", b"tEXt": "text", b"zTXt": "text", b"iTXt": "XMP/text"}
_PNG_DROPPED_TIME = {b"tIME": "time"}
_WEBP_DROPPED = {b"EXIF": "EXIF", b"XMP ": "XMP"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Cleaned:
    """The file without its metadata; ``removed`` names what was found and cut (maybe nothing)."""

    data: bytes
    removed: tuple[str, ...]


@dataclass(frozen=True)
class NotCleaned:
    """Nothing was removed; ``message`` tells the operator why."""

    message: Message


def remove_metadata(data: bytes) -> Cleaned | NotCleaned:
    """``data`` without EXIF, GPS, XMP, IPTC or comments, when it is a JPEG, PNG or WebP."""
    try:
        if data.startswith(b"\xff\xd8"):
            return _jpeg(data)
        if data.startswith(_PNG_SIGNATURE):
            return _png(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
    except _Damaged as damaged:
        return NotCleaned(Message(DAMAGED, {"reason": str(damaged)}))
    return NotCleaned(Message(NOT_AN_IMAGE_WE_CLEAN, {"kind": _kind(data)}))


class _Damaged(ValueError):
    pass


def _jpeg(data: bytes) -> Cleaned:
    out, at = bytearray(b"\xff\xd8"), 2
    removed: list[str] = []
    while True:
        if at + 2 > len(data) or data[at] != 0xFF:
            raise _Damaged(f"no JPEG marker at byte {at}")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[at : at + 2]  # no length: EOI, RSTn, TEM
            at += 2
            if marker == 0xD9:
                return Cleaned(bytes(out + data[at:]), tuple(removed))
            continue
        if at + 4 > len(data):
            raise _Damaged("a JPEG segment is cut short")
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise _Damaged("a JPEG segment is longer than the file")
        if marker in _JPEG_DROPPED:
            removed.append(_JPEG_DROPPED[marker])
        else:
            out += data[at:end]
        at = end
        if marker == 0xDA:  # start of scan: the compressed image follows, copied as it is
            return Cleaned(bytes(out + data[at:]), tuple(dict.fromkeys(removed)))


def _png(data: bytes) -> Cleaned:
    out, at = bytearray(_PNG_SIGNATURE), len(_PNG_SIGNATURE)
    removed: list[str] = []
    dropped = _PNG_DROPPED | _PNG_DROPPED_TIME
    while at < len(data):
        if at + 8 > len(data):
            raise _Damaged("a PNG chunk is cut short")
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            raise _Damaged("a PNG chunk is longer than the file")
        if kind in dropped:
            removed.append(dropped[kind])
        else:
            out += data[at:end]
        at = end
        if kind == b"IEND":
            break
    return Cleaned(bytes(out), tuple(dict.fromkeys(removed)))


def _webp(data: bytes) -> Cleaned:
    chunks: list[bytearray] = []
    removed: list[str] = []
    at = 12
    (riff_size,) = struct.unpack("<I", data[4:8])
    stop = min(len(data), 8 + riff_size)
    while at < stop:
        if at + 8 > stop:
            raise _Damaged("a WebP chunk is cut short")
        kind = data[at : at + 4]
        (length,) = struct.unpack("<I", data[at + 4 : at + 8])
        end = at + 8 + length + (length & 1)
        if at + 8 + length > stop:
            raise _Damaged("a WebP chunk is longer than the file")
        if kind in _WEBP_DROPPED:
            removed.append(_WEBP_DROPPED[kind])
        else:
            chunks.append(bytearray(data[at:end]))
        at = end
    for chunk in chunks:
        if chunk[:4] == b"VP8X" and len(chunk) >= 9:
            chunk[8] &= ~0x0C & 0xFF  # the EXIF (0x08) and XMP (0x04) flags
    body = b"WEBP" + b"".join(chunks)
    return Cleaned(b"RIFF" + struct.pack("<I", len(body)) + body, tuple(dict.fromkeys(removed)))


def _kind(data: bytes) -> str:
    """The file's kind by its first bytes, as the operator knows it (HEIC, TIFF, PDF...)."""
    guessed = filetype.guess(data[:8192])
    return guessed.extension.upper() if guessed is not None else "?"
