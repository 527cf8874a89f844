"""Attachments: real type by content, size limit while streaming, stored once, atomically."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import wave
import zipfile
import zlib
from pathlib import Path

import pytest

from lapor_desktop.attachments.sniff import sniff
from lapor_desktop.attachments.store import AttachmentStore, StoredFile
from lapor_desktop.i18n import Message
from lapor_desktop.security.keys import new_data_key
from lapor_desktop.settings import MIB, AttachmentSettings

DATA_KEY = new_data_key()
SETTINGS = AttachmentSettings()
NO_RECORDINGS = AttachmentSettings(allow_audio_video=False)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes() -> bytes:
    """A real 1x1 red PNG, built from the specification."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A minimal one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


def exe_bytes() -> bytes:
    return (
        b"MZ\x90\x00\x03"
        + b"\x00" * 59
        + b"This program cannot be run in DOS mode.\r\n"
        + b"\x00" * 400
    )


def whatsapp_export() -> bytes:
    return (
        "27/11/26 09.15 - Pak RT: Jalan ke Desa Mentuda rusak parah sejak Oktober\n"
        "27/11/26 09.16 - Bu Siti: Betul, sudah dua motor jatuh 🙏\n"
    ).encode()


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return AttachmentStore(tmp_path / "attachments", DATA_KEY)


def write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def stored(outcome: StoredFile | Message) -> StoredFile:
    assert isinstance(outcome, StoredFile), outcome
    return outcome


def refused(outcome: StoredFile | Message) -> str:
    assert isinstance(outcome, Message), outcome
    return outcome.render("en")


def temp_files(store: AttachmentStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file() and p.name.startswith(".")]


class EndlessStream(io.RawIOBase):
    """A PNG header followed by zeros forever, counting what was read."""

    def __init__(self) -> None:
        self.head = png_bytes()
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        start = self.served
        data = (self.head[start : start + size] if start < len(self.head) else b"").ljust(
            size, b"\x00"
        )
        buffer[:size] = data
        self.served += size
        return size


# Type by content


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("foto.png", png_bytes(), "image/png"),
        ("surat.pdf", pdf_bytes(), "application/pdf"),
        (
            "kronologi.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("rekaman.wav", wav_bytes(), "audio/wav"),
        ("Chat WhatsApp dengan Pak RT.txt", whatsapp_export(), "text/plain"),
    ],
)
def test_real_documents_images_and_recordings_are_stored(
    store: AttachmentStore, tmp_path: Path, name: str, content: bytes, media_type: str
) -> None:
    result = stored(store.add(write(tmp_path, name, content), settings=SETTINGS))
    assert result.media_type == media_type
    assert result.size_bytes == len(content)
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    assert _plain(store, result.sha256) == content
    sealed = store.path_for(result.sha256).read_bytes()
    assert content not in sealed or not content, "the file must be stored encrypted"


def _plain(store: AttachmentStore, sha256: str) -> bytes:
    buffer = io.BytesIO()
    store.decrypt_into(sha256, buffer)
    return buffer.getvalue()


def test_type_comes_from_content_not_from_the_name(store: AttachmentStore, tmp_path: Path) -> None:
    result = stored(store.add(write(tmp_path, "scan.jpg", pdf_bytes()), settings=SETTINGS))
    assert (result.media_type, result.extension) == ("application/pdf", "pdf")


def test_program_renamed_as_a_photo_is_refused(store: AttachmentStore, tmp_path: Path) -> None:
    reason = refused(store.add(write(tmp_path, "photo.jpg", exe_bytes()), settings=SETTINGS))
    assert reason == "The file is a Windows program (exe), which cannot be attached."
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_archive_is_refused_with_advice(store: AttachmentStore, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("foto1.jpg", b"...")
    reason = refused(store.add(write(tmp_path, "bukti.zip", buffer.getvalue()), settings=SETTINGS))
    assert "archive (zip)" in reason


def test_unknown_content_is_refused(store: AttachmentStore, tmp_path: Path) -> None:
    reason = refused(store.add(write(tmp_path, "data.bin", os.urandom(64)), settings=SETTINGS))
    assert "not a recognised document" in reason


def test_recordings_are_refused_when_the_office_does_not_allow_them(
    store: AttachmentStore, tmp_path: Path
) -> None:
    reason = refused(store.add(write(tmp_path, "rekaman.wav", wav_bytes()), settings=NO_RECORDINGS))
    assert "recording (wav)" in reason


def test_documents_are_accepted_when_recordings_are_not() -> None:
    assert sniff(pdf_bytes(), settings=NO_RECORDINGS) == sniff(pdf_bytes(), settings=SETTINGS)
    assert not isinstance(sniff(pdf_bytes(), settings=NO_RECORDINGS), Message)


def test_empty_file_is_refused(store: AttachmentStore, tmp_path: Path) -> None:
    assert refused(store.add(write(tmp_path, "kosong.pdf", b""), settings=SETTINGS)) == (
        "The file is empty."
    )


# Plain text


def test_text_is_accepted_only_with_a_txt_name(store: AttachmentStore, tmp_path: Path) -> None:
    reason = refused(store.add(write(tmp_path, "chat.dat", whatsapp_export()), settings=SETTINGS))
    assert "not a recognised document" in reason


def test_txt_file_that_is_not_utf8_text_is_refused(store: AttachmentStore, tmp_path: Path) -> None:
    latin1 = "Keluhan tentang pelayanan — café".encode("cp1252")
    reason = refused(store.add(write(tmp_path, "keluhan.txt", latin1), settings=SETTINGS))
    assert "not valid UTF-8 text" in reason


def test_txt_file_broken_beyond_its_first_bytes_is_refused(
    store: AttachmentStore, tmp_path: Path
) -> None:
    content = whatsapp_export() * 200 + b"\x00\x01binary tail"
    assert len(content) > 8192
    reason = refused(store.add(write(tmp_path, "chat.txt", content), settings=SETTINGS))
    assert "not valid UTF-8 text" in reason
    assert temp_files(store) == []


# Size limit


def test_size_limit_stops_reading_as_soon_as_it_is_passed(store: AttachmentStore) -> None:
    endless = EndlessStream()
    reason = refused(
        store.add(io.BufferedReader(endless), settings=AttachmentSettings(max_bytes=MIB))
    )
    assert reason == "The file is larger than the limit of 1 MB."
    assert endless.served <= MIB + 64 * 1024
    assert temp_files(store) == []


def test_file_of_exactly_the_limit_is_accepted(store: AttachmentStore, tmp_path: Path) -> None:
    content = png_bytes().ljust(MIB, b"\x00")
    limit = AttachmentSettings(max_bytes=MIB)
    assert stored(store.add(write(tmp_path, "a.png", content), settings=limit)).size_bytes == MIB
    reason = refused(store.add(write(tmp_path, "b.png", content + b"\x00"), settings=limit))
    assert "1 MB" in reason


def test_limit_in_the_message_is_given_in_megabytes(store: AttachmentStore, tmp_path: Path) -> None:
    half = AttachmentSettings(max_bytes=MIB // 2)
    content = png_bytes().ljust(MIB, b"\x00")
    assert "limit of 0.5 MB" in refused(store.add(write(tmp_path, "a.png", content), settings=half))


# Content-addressed storage


def test_same_content_is_stored_once(store: AttachmentStore, tmp_path: Path) -> None:
    first = stored(store.add(write(tmp_path, "a.png", png_bytes()), settings=SETTINGS))
    second = stored(store.add(io.BytesIO(png_bytes()), settings=SETTINGS))
    assert first == second
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert files == [store.root / first.sha256[:2] / first.sha256[2:4] / first.sha256]


def test_writing_leaves_no_temporary_files(store: AttachmentStore, tmp_path: Path) -> None:
    for name, content in [("a.png", png_bytes()), ("b.pdf", pdf_bytes()), ("c.jpg", exe_bytes())]:
        store.add(write(tmp_path, name, content), settings=SETTINGS)
    assert temp_files(store) == []


def test_a_stream_is_left_open_for_its_owner(store: AttachmentStore) -> None:
    stream = io.BytesIO(pdf_bytes())
    stored(store.add(stream, settings=SETTINGS))
    assert not stream.closed


def test_stored_file_reads_back_and_verifies(store: AttachmentStore, tmp_path: Path) -> None:
    result = stored(store.add(write(tmp_path, "s.pdf", pdf_bytes()), settings=SETTINGS))
    assert store.exists(result.sha256)
    assert _plain(store, result.sha256) == pdf_bytes()
    assert store.verify(result.sha256)


def test_a_store_with_another_key_cannot_open_the_file(
    store: AttachmentStore, tmp_path: Path
) -> None:
    result = stored(store.add(write(tmp_path, "s.pdf", pdf_bytes()), settings=SETTINGS))
    stranger = AttachmentStore(store.root, new_data_key())
    assert not stranger.verify(result.sha256)


def test_damaged_file_fails_verification_and_is_repaired_by_adding_it_again(
    store: AttachmentStore, tmp_path: Path
) -> None:
    source = write(tmp_path, "s.pdf", pdf_bytes())
    result = stored(store.add(source, settings=SETTINGS))
    store.path_for(result.sha256).write_bytes(b"%PDF-1.4 truncated")
    assert not store.verify(result.sha256)
    stored(store.add(source, settings=SETTINGS))
    assert store.verify(result.sha256)


def test_missing_file_is_neither_present_nor_verified(store: AttachmentStore) -> None:
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(absent)
    assert not store.verify(absent)


def test_a_name_that_is_not_a_sha256_is_a_bug(store: AttachmentStore) -> None:
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


def test_a_source_that_cannot_be_read_gives_a_message(
    store: AttachmentStore, tmp_path: Path
) -> None:
    reason = refused(store.add(tmp_path / "dicabut-dari-usb.pdf", settings=SETTINGS))
    assert reason.startswith("The file could not be read")


def test_leftovers_of_a_crash_are_discarded_but_a_copy_in_progress_is_kept(
    store: AttachmentStore,
) -> None:
    store.root.mkdir(parents=True)
    old = write(store.root, ".incoming-old.part", b"half a video")
    fresh = write(store.root, ".incoming-new.part", b"copy in progress")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert store.discard_incomplete() == 1
    assert not old.exists()
    assert fresh.exists()
