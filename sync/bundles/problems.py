"""Why a bundle or one of its volumes cannot be used, in words for the person holding it."""

from __future__ import annotations

from lapor_desktop.i18n import Message


class BundleProblem(Exception):
    """A bundle that must not be applied; ``code`` for scripts, ``message`` for people.

    Raised before anything is written: a bundle is applied whole or not at all.
    """

    def __init__(self, code: str, message: Message) -> None:
        super().__init__(message.render("en"))
        self.code = code
        self.message = message
