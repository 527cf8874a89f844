"""The log filter that keeps the device token out of every log, on its own.

Apart from ``device_token.py`` (keyring, the machine key, AES-GCM) so that
starting the log of a command or the window loads none of those.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from collections.abc import Iterable

REDACTED = "****"
MIN_TOKEN_LENGTH = 8


class RedactSecrets(logging.Filter):
    """Replaces every registered secret in a log record with ``****``.

    A filter on a logger only sees records created by that very logger, so
    ``install_on`` names each logger; the application's log handlers should
    get the same filter to cover every other logger too.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def register(self, secret: str) -> None:
        """Redact ``secret`` (and its percent-encoded form, as it would appear in a URL)."""
        if len(secret) < MIN_TOKEN_LENGTH:
            raise ValueError("a secret this short would redact ordinary text")
        forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
        with self._lock:
            merged = set(self._secrets) | forms
            self._secrets = tuple(sorted(merged, key=len, reverse=True))

    def install_on(self, logger_names: Iterable[str]) -> None:
        for name in logger_names:
            logging.getLogger(name).addFilter(self)  # addFilter ignores a second install

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, drop the arguments
            record.args = None
            message = str(record.msg)
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


# One per process, as logging itself is: the same filter object on every logger.
REDACTOR = RedactSecrets()
