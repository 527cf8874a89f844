"""What a file really is, from its first bytes (never its name), against an allow-list.

The desk accepts evidence a citizen brings: photos, scans, PDFs, office
documents and, when the office allows them, recordings. Programs and
archives are refused with a reason the operator can read out. Plain text
has no signature: it is accepted only as a ``.txt`` file that is valid UTF-8
without control characters (WhatsApp "Export chat" files are common
evidence); :class:`TextCheck` verifies the whole file while it is stored.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from enum import StrEnum

import filetype

from lapor_desktop.i18n import N_, Message
from lapor_desktop.settings import AttachmentSettings

SNIFF_BYTES = 8192
"""How much of the start of a file ``filetype`` looks at."""
TEXT_SUFFIX = ".txt"
INVALID_TEXT = N_(
    "The file is not valid UTF-8 text; save it as UTF-8 or as a PDF and attach it again."
)


class Kind(StrEnum):
    IMAGE = "image"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"
    TEXT = "text"


@dataclass(frozen=True)
class FileType:
    """An accepted type: the media type recorded with the attachment and a usual extension."""

    media_type: str
    extension: str
    kind: Kind


def _types(kind: Kind, **media_types: str) -> dict[str, FileType]:
    return {ext: FileType(mime, ext, kind) for ext, mime in media_types.items()}


# Keyed by filetype's extension; media types are the registered ones, not filetype's x- names.
ALLOWED: dict[str, FileType] = {
    **_types(
        Kind.IMAGE,
        jpg="image/jpeg",
        png="image/png",
        gif="image/gif",
        webp="image/webp",
        heic="image/heic",
        avif="image/avif",
        tif="image/tiff",
        bmp="image/bmp",
    ),
    **_types(
        Kind.DOCUMENT,
        pdf="application/pdf",
        docx="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        xlsx="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        pptx="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        odt="application/vnd.oasis.opendocument.text",
        ods="application/vnd.oasis.opendocument.spreadsheet",
        odp="application/vnd.oasis.opendocument.presentation",
        doc="application/msword",
        xls="application/vnd.ms-excel",
        ppt="application/vnd.ms-powerpoint",
    ),
    **_types(
        Kind.AUDIO,
        mp3="audio/mpeg",
        m4a="audio/mp4",
        aac="audio/aac",
        wav="audio/wav",
        ogg="audio/ogg",
        amr="audio/amr",
        flac="audio/flac",
    ),
    **_types(
        Kind.VIDEO,
        mp4="video/mp4",
        m4v="video/mp4",
        mov="video/quicktime",
        webm="video/webm",
        mkv="video/x-matroska",
        avi="video/x-msvideo",
        **{"3gp": "video/3gpp"},
    ),
}
TEXT = FileType("text/plain", "txt", Kind.TEXT)

PROGRAMS = frozenset({"elf", "wasm", "crx", "swf", "nes", "deb", "rpm"})
ARCHIVES = frozenset({"zip", "rar", "7z", "tar", "cab", "ar"}) | frozenset(
    {"gz", "bz2", "xz", "zst", "lz", "lz4", "lzo", "Z", "br"}  # single-file compressors
)
# Tab, line feed, vertical tab, form feed and carriage return are text; other C0 controls are not.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def sniff(
    head: bytes, *, settings: AttachmentSettings, filename: str | None = None
) -> FileType | Message:
    """The accepted type of a file starting with ``head``, or why it is refused.

    ``filename`` matters only for text, which has no signature to go by.
    """
    if not head:
        return Message(N_("The file is empty."))
    kind = filetype.guess(head)
    if kind is None:
        if _is_text_name(filename):
            return TEXT if TextCheck().feed(head) else Message(INVALID_TEXT)
        return Message(N_("The file's content is not a recognised document, image or recording."))
    extension: str = kind.extension
    accepted = ALLOWED.get(extension)
    if accepted is not None:
        if accepted.kind in (Kind.AUDIO, Kind.VIDEO) and not settings.allow_audio_video:
            return Message(
                N_(
                    "This office does not accept audio or video recordings; "
                    "the file is a recording ({extension})."
                ),
                {"extension": extension},
            )
        return accepted
    if extension == "exe":
        return Message(N_("The file is a Windows program (exe), which cannot be attached."))
    if extension in PROGRAMS:
        return Message(
            N_("The file is a program ({extension}), which cannot be attached."),
            {"extension": extension},
        )
    if extension in ARCHIVES:
        return Message(
            N_(
                "The file is a compressed archive ({extension}); "
                "attach the files inside it instead."
            ),
            {"extension": extension},
        )
    return Message(
        N_(
            "Files of type {extension} cannot be attached; "
            "attach an image, a PDF or an office document."
        ),
        {"extension": extension},
    )


def _is_text_name(filename: str | None) -> bool:
    return filename is not None and filename.lower().endswith(TEXT_SUFFIX)


class TextCheck:
    """Valid UTF-8 without control characters, fed chunk by chunk (never the whole file)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def feed(self, chunk: bytes) -> bool:
        """False as soon as the bytes so far cannot be text."""
        try:
            text = self._decoder.decode(chunk, final=False)
        except UnicodeDecodeError:
            return False
        return _CONTROL.search(text) is None

    def finish(self) -> bool:
        """False when the file ends in the middle of a character."""
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True
