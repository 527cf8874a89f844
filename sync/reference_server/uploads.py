"""Resumable attachment uploads: tus 1.0 core with creation, checksum, termination, expiration.

The upload resource is named by the file's SHA-256. The bytes received so
far live in ``uploads/<sha256>.part``; its size *is* the offset, so what a
dropped connection delivered is kept and the client continues from there.
When the last byte arrives the whole file is hashed: a mismatch throws the
upload away (HTTP 460), a match moves it to ``blobs/``. An unfinished upload
can be terminated (DELETE) and expires when no bytes came for
``ServerLimits.incomplete_upload_lifetime`` (``Upload-Expires`` says when);
a complete file belongs to its complaint and is never deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import socket
import threading
from email.utils import format_datetime
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.exceptions import ClientDisconnected

from lapor_desktop import durable_files
from lapor_desktop.i18n import N_, Message
from sync.protocol.problems import ProblemCode
from sync.protocol.tus import (
    OFFSET_MEDIA_TYPE,
    TUS_CHECKSUM_ALGORITHMS,
    TUS_EXTENSIONS,
    TUS_VERSION,
    UPLOADS_PATH,
    decode_metadata,
    parse_checksum_header,
)
from sync.protocol.wire import ProtocolError, canonical_uuid, check_sha256, whole_number
from sync.reference_server.api import authenticate
from sync.reference_server.responses import ProblemRaised, malformed, too_large
from sync.reference_server.state import ServerState
from sync.reference_server.upload_records import UploadRecord, UploadRecords

_CHUNK = 64 * 1024
LET_GO_SECONDS = 1.0
"""A cut transfer still reading what reached the server is given this long to finish."""
TAKE_OVER_SECONDS = 5.0
"""Then its socket is shut, and the resumed transfer waits this long for it to let go."""


def _tus_headers(response: Response) -> Response:
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    return response


def _require_tus() -> None:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise ProblemRaised(
            412,
            ProblemCode.TUS_VERSION,
            Message(N_("Only tus version {version} is supported."), {"version": TUS_VERSION}),
            headers={"Tus-Version": TUS_VERSION},
        )


def _expected_checksum() -> bytes | None:
    header = request.headers.get("Upload-Checksum")
    if header is None:
        return None
    try:
        algorithm, digest = parse_checksum_header(header)
    except ValueError as error:
        raise malformed("Upload-Checksum") from error
    if algorithm != TUS_CHECKSUM_ALGORITHMS or len(digest) != hashlib.sha256().digest_size:
        raise malformed("Upload-Checksum must use sha256")
    return digest


def _header_int(name: str, maximum: int | None = None) -> int:
    value = whole_number(request.headers.get(name, ""))
    if value is None:
        raise malformed(f"{name} must be a whole number")
    if maximum is not None and value > maximum:
        raise too_large(maximum)
    return value


class UploadFiles:
    """The bytes on disk, one lock per upload so two PATCHes never interleave.

    A transfer whose connection was cut may still hold its lock: its thread has not yet
    seen the reset (or never will, on a half-open link). The same office coming back for
    that upload takes it over (``take``): the old transfer's socket is shut, it keeps what
    it received and lets go, and the newcomer goes on from there instead of hearing 423.
    """

    def __init__(self, state: ServerState) -> None:
        self._parts = state.uploads_dir
        self._blobs = state.blobs_dir
        self._locks: dict[str, threading.Lock] = {}
        self._transfers: dict[str, tuple[str, socket.socket | None]] = {}
        self._guard = threading.Lock()

    def part(self, sha256: str) -> Path:
        return self._parts / f"{sha256}.part"

    def blob(self, sha256: str) -> Path:
        return self._blobs / sha256

    def offset(self, sha256: str, length: int) -> int:
        if self.blob(sha256).exists():
            return length
        part = self.part(sha256)
        return part.stat().st_size if part.exists() else 0

    def lock(self, sha256: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(sha256, threading.Lock())

    def take(self, sha256: str, office: str) -> bool:
        """Hold the upload's lock, taking it over from a cut transfer of the same office.

        False when another office's transfer holds it, or the old one did not let go in
        time. The caller releases the lock with ``leave``.
        """
        lock = self.lock(sha256)
        if lock.acquire(blocking=False):
            return True
        with self._guard:
            holder = self._transfers.get(sha256)
        if holder is not None and holder[0] != office:
            return False
        if lock.acquire(timeout=LET_GO_SECONDS):  # it was ending on its own: nothing lost
            return True
        if holder is not None and holder[1] is not None:
            with contextlib.suppress(OSError):  # already closed: it is letting go anyway
                holder[1].shutdown(socket.SHUT_RDWR)
        return lock.acquire(timeout=TAKE_OVER_SECONDS)

    def receiving(self, sha256: str, office: str, connection: socket.socket | None) -> None:
        """Note who is sending this upload's bytes now (the lock is held)."""
        with self._guard:
            self._transfers[sha256] = (office, connection)

    def leave(self, sha256: str) -> None:
        with self._guard:
            self._transfers.pop(sha256, None)
        self.lock(sha256).release()

    def discard(self, sha256: str) -> None:
        """Free the bytes of an unfinished upload (the caller holds its lock)."""
        self.part(sha256).unlink(missing_ok=True)


def busy() -> ProblemRaised:
    return ProblemRaised(
        423,
        ProblemCode.UPLOAD_BUSY,
        Message(N_("Another transfer of this file is still in progress.")),
        retry_after=1,
    )


def _expires_header(response: Response, record: UploadRecord, lifetime: dt.timedelta) -> None:
    expires = record.expires_at(lifetime)
    if expires is not None:
        response.headers["Upload-Expires"] = format_datetime(expires, usegmt=True)


def register_uploads(app: Flask, state: ServerState) -> UploadFiles:
    records = UploadRecords(state.store.engine, state.store.lock)
    files = UploadFiles(state)
    maximum = state.config.limits.max_upload_bytes
    lifetime = state.config.limits.incomplete_upload_lifetime

    def remove(sha256: str) -> None:
        """Free an unfinished upload; the caller holds its lock."""
        if records.remove_unfinished(sha256):
            files.discard(sha256)

    def forget(sha256: str) -> bool:
        """Terminate an unfinished upload unless a PATCH of it is running (then False)."""
        lock = files.lock(sha256)
        if not lock.acquire(blocking=False):
            return False
        try:
            remove(sha256)
            return True
        finally:
            lock.release()

    def sweep_expired() -> None:
        for sha256 in records.expired(state.now(), lifetime):
            forget(sha256)

    def live(sha256: str, *, locked: bool) -> UploadRecord | None:
        """The record, unless it is unfinished and expired (then it is thrown away now)."""
        record = records.find(sha256)
        if record is None:
            return None
        expires = record.expires_at(lifetime)
        if expires is None or expires > state.now():
            return record
        if locked:
            remove(sha256)
            return None
        return None if forget(sha256) else record

    sweep_expired()  # what expired while the server was down

    @app.route(UPLOADS_PATH, methods=["OPTIONS"], provide_automatic_options=False)
    def discover() -> Response:
        response = _tus_headers(Response(status=204))
        response.headers["Tus-Version"] = TUS_VERSION
        response.headers["Tus-Extension"] = TUS_EXTENSIONS
        response.headers["Tus-Max-Size"] = str(maximum)
        response.headers["Tus-Checksum-Algorithm"] = TUS_CHECKSUM_ALGORITHMS
        return response

    @app.post(UPLOADS_PATH, provide_automatic_options=False)
    def create() -> Response:
        office = authenticate(state)
        _require_tus()
        length = _header_int("Upload-Length", maximum)
        try:
            metadata = decode_metadata(request.headers.get("Upload-Metadata", ""))
            sha256 = check_sha256(metadata.get("sha256", ""))
            complaint = metadata.get("complaint_uuid")
            if complaint is not None:
                canonical_uuid(complaint)
        except (ValueError, ProtocolError) as error:
            raise malformed("Upload-Metadata needs the file's sha256") from error
        sweep_expired()
        record = records.create(
            sha256,
            length,
            office,
            complaint_uuid=complaint,
            filename=metadata.get("filename", "")[:255],
            media_type=metadata.get("media_type", "application/octet-stream")[:127],
            now=state.now(),
        )
        if record.office_code != office:
            raise ProblemRaised(
                403, ProblemCode.FORBIDDEN, Message(N_("This office may not touch that upload."))
            )
        if record.length != length:
            raise ProblemRaised(
                409,
                ProblemCode.UPLOAD_OFFSET_MISMATCH,
                Message(N_("This file was announced before with another length.")),
            )
        response = _tus_headers(Response(status=201))
        response.headers["Location"] = f"{UPLOADS_PATH}/{sha256}"
        response.headers["Upload-Offset"] = str(files.offset(sha256, length))
        _expires_header(response, record, lifetime)
        return response

    def held(sha256: str, office: str, *, locked: bool = False) -> UploadRecord:
        """A live upload of this office; 404 (unknown, terminated, expired) or 403 otherwise."""
        record = live(sha256, locked=locked)
        if record is None:
            raise ProblemRaised(
                404, ProblemCode.NOT_FOUND, Message(N_("No upload with this SHA-256 is held."))
            )
        if record.office_code != office:
            raise ProblemRaised(
                403, ProblemCode.FORBIDDEN, Message(N_("This office may not touch that upload."))
            )
        return record

    @app.route(f"{UPLOADS_PATH}/<sha256>", methods=["HEAD"], provide_automatic_options=False)
    def status(sha256: str) -> Response:
        office = authenticate(state)
        _require_tus()
        record = held(sha256, office)
        if not files.take(sha256, office):  # the offset of a running transfer is moving
            raise busy()
        try:
            offset = files.offset(sha256, record.length)
        finally:
            files.leave(sha256)
        response = _tus_headers(Response(status=200))
        response.headers["Upload-Offset"] = str(offset)
        response.headers["Upload-Length"] = str(record.length)
        _expires_header(response, record, lifetime)
        return response

    @app.delete(f"{UPLOADS_PATH}/<sha256>", provide_automatic_options=False)
    def terminate(sha256: str) -> Response:
        """tus termination: an unfinished upload's bytes are freed; a complete file stays."""
        office = authenticate(state)
        _require_tus()
        if held(sha256, office).complete:
            raise ProblemRaised(
                403,
                ProblemCode.FORBIDDEN,
                Message(N_("A complete file belongs to its complaint and cannot be deleted.")),
            )
        if not forget(sha256):
            raise busy()
        return _tus_headers(Response(status=204))

    @app.patch(f"{UPLOADS_PATH}/<sha256>", provide_automatic_options=False)
    def append(sha256: str) -> Response:
        office = authenticate(state)
        _require_tus()
        if request.mimetype != OFFSET_MEDIA_TYPE:
            raise ProblemRaised(
                415,
                ProblemCode.UNSUPPORTED_MEDIA_TYPE,
                Message(
                    N_("A PATCH body must be {media_type}."), {"media_type": OFFSET_MEDIA_TYPE}
                ),
            )
        claimed = _header_int("Upload-Offset")
        if not files.take(sha256, office):
            raise busy()
        files.receiving(sha256, office, request.environ.get("werkzeug.socket"))
        try:
            record = held(sha256, office, locked=True)
            length = record.length
            offset = files.offset(sha256, length)
            if claimed != offset:
                raise ProblemRaised(
                    409,
                    ProblemCode.UPLOAD_OFFSET_MISMATCH,
                    Message(
                        N_("The server holds {offset} bytes of this file, not {claimed}."),
                        {"offset": offset, "claimed": claimed},
                    ),
                    headers={"Upload-Offset": str(offset)},
                )
            if offset < length:
                offset = _receive(files, sha256, offset, length)
            response = _tus_headers(Response(status=204))
            response.headers["Upload-Offset"] = str(offset)
            finished = records.find(sha256)
            if finished is not None:
                _expires_header(response, finished, lifetime)
            return response
        finally:
            files.leave(sha256)

    def _receive(files: UploadFiles, sha256: str, offset: int, length: int) -> int:
        """Append the body; keep what arrived even if the connection drops; verify when done."""
        expected = _expected_checksum()
        start = offset
        digest = hashlib.sha256()
        part = files.part(sha256)
        with part.open("ab") as handle:
            try:
                while chunk := request.stream.read(_CHUNK):
                    if offset + len(chunk) > length:
                        raise malformed("the body goes past Upload-Length")
                    handle.write(chunk)
                    digest.update(chunk)
                    offset += len(chunk)
            except (ClientDisconnected, OSError):
                pass  # keep what arrived: this is what makes the upload resumable
            finally:
                handle.flush()
                os.fsync(handle.fileno())
                records.touch(sha256, state.now())
            if expected is not None and digest.digest() != expected:
                # A checksummed chunk is all or nothing (tus checksum extension).
                handle.truncate(start)
                raise ProblemRaised(
                    460,
                    ProblemCode.CHECKSUM_MISMATCH,
                    Message(N_("The part received does not match its checksum; send it again.")),
                    headers={"Upload-Offset": str(start)},
                )
        if offset == length:
            _complete(files, sha256, length)
        return offset

    def _complete(files: UploadFiles, sha256: str, length: int) -> None:
        """Hash the whole file: the content address is checked, not trusted."""
        part = files.part(sha256)
        whole = hashlib.sha256()
        with part.open("rb") as handle:
            while block := handle.read(1024 * 1024):
                whole.update(block)
        if whole.hexdigest() != sha256:
            part.unlink()
            raise ProblemRaised(
                460,
                ProblemCode.CHECKSUM_MISMATCH,
                Message(N_("The file received does not match its SHA-256; send it again.")),
            )
        durable_files.move_into_place(part, files.blob(sha256))
        records.complete(sha256, state.now())

    return files
