"""The application log: ``<data>/logs/lapor-desktop.log``, rotated, without personal data.

The code logs identifiers only (UUIDs, registration numbers, user names),
never a complainant's name, NIK, phone or e-mail. :class:`KeepPersonalDataOut`
is the safety net behind that rule: on the handler, so it sees every
logger's records, it removes what looks like a NIK, a phone number or an
e-mail address, also in tracebacks. Its files are owner-only (0600).
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler

from lapor_desktop.paths import DataPaths
from lapor_desktop.security.file_modes import OWNER_FILE, OWNER_FOLDER

LOG_FILE = "lapor-desktop.log"
MAX_BYTES = 1024 * 1024
KEEP_FILES = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
REMOVED = "[removed]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LONG_NUMBER = re.compile(r"\+?\d{10,}")
"""Ten or more digits in a row: a NIK (16), a phone (10 to 14), an account number."""
_MOBILE = re.compile(r"(?:\+62|\b62|\b0)[\s.-]?8\d{1,3}(?:[\s.-]?\d{2,5}){1,3}")
"""An Indonesian mobile number written with spaces, dots or dashes (0812-7700-0001)."""


def scrub(text: str) -> str:
    """Remove what looks like an e-mail address, a NIK or a phone number."""
    for pattern in (_EMAIL, _MOBILE, _LONG_NUMBER):
        text = pattern.sub(REMOVED, text)
    return text


class KeepPersonalDataOut(logging.Filter):
    """Scrubs the formatted message, the traceback and the stack of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class OwnerOnlyRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files are 0600 whatever the umask (rotation renames, keeping it)."""

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        descriptor = os.open(self.baseFilename, flags, OWNER_FILE)
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, OWNER_FILE)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)


class _AppLogHandler(OwnerOnlyRotatingFileHandler):
    """Ours, so that configuring again replaces it instead of writing every line twice."""


def configure_logging(
    paths: DataPaths,
    *,
    level: int = logging.INFO,
    extra_filters: Iterable[logging.Filter] = (),
) -> RotatingFileHandler:
    """Send the root logger to the rotating file; ``extra_filters`` e.g. the token redactor.

    Creates only the ``logs`` folder, and only inside a data folder that exists.
    """
    paths.logs.mkdir(mode=OWNER_FOLDER, exist_ok=True)
    handler = _AppLogHandler(
        paths.logs / LOG_FILE,
        maxBytes=MAX_BYTES,
        backupCount=KEEP_FILES,
        encoding="utf-8",
        delay=True,
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    for extra in extra_filters:
        handler.addFilter(extra)
    handler.addFilter(KeepPersonalDataOut())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _AppLogHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler
