"""What ``website start`` handed over, kept for ``website record`` in a later process.

The window keeps the handover in memory; the command line ends after ``start``, so the
content version that was printed (``typed_digest``) is noted in the data folder, per
complaint and operator. ``record`` compares it with the complaint as it is then: a
complaint edited since ``start`` is refused instead of recorded for text nobody typed.
Only this workstation's operators can hold the lease, so a local note is enough.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lapor_desktop import durable_files
from lapor_desktop.security.file_modes import private_folder

FOLDER = "website-typing"
_UNSAFE = re.compile(r"[^a-z0-9._-]")


class TypingNotes:
    def __init__(self, data_root: Path) -> None:
        self._folder = data_root / FOLDER

    def _path(self, outbox_id: int, username: str) -> Path:
        return self._folder / f"{outbox_id}-{_UNSAFE.sub('_', username.lower())}.json"

    def write(self, outbox_id: int, username: str, typed_digest: str) -> None:
        private_folder(self._folder)
        text = json.dumps({"outbox_id": outbox_id, "typed_digest": typed_digest})
        durable_files.write_text(self._path(outbox_id, username), text, mode=0o600)

    def typed_digest(self, outbox_id: int, username: str) -> str | None:
        """The version this operator last had printed, or None when never started here."""
        try:
            document = json.loads(self._path(outbox_id, username).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        digest = document.get("typed_digest") if isinstance(document, dict) else None
        return digest if isinstance(digest, str) else None

    def forget(self, outbox_id: int, username: str) -> None:
        self._path(outbox_id, username).unlink(missing_ok=True)
