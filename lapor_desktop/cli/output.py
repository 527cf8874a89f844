"""Where the command line writes: text in the chosen language, JSON for scripts, errors bilingually.

Results go to stdout and problems to stderr, so ``--json`` output stays
parseable even when something is reported beside it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from lapor_desktop.i18n import DEFAULT_LANGUAGE, Message, translate

EMPTY = "-"


@dataclass
class Output:
    language: str = DEFAULT_LANGUAGE
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    def tolerate_unencodable(self) -> None:
        """A Windows console or redirected file in cp1252 must not crash on an emoji."""
        for stream in (self.stdout, self.stderr):
            if isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(errors="backslashreplace")

    def t(self, msgid: str, **params: object) -> str:
        """A msgid in the chosen language, with its fields filled in."""
        return translate(msgid, self.language).format(**params)

    def line(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def error(self, message: Message) -> None:
        """Problems are always bilingual: the reader may be the operator or IT staff."""
        print(message.bilingual(), file=self.stderr)

    def problem(self, text: str) -> None:
        print(text, file=self.stderr)

    def json(self, document: Any) -> None:
        # ASCII escapes keep the JSON intact whatever encoding a redirected stdout has.
        json.dump(document, self.stdout, ensure_ascii=True, indent=2, default=_json_default)
        self.stdout.write("\n")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        widths = [len(h) for h in headers]
        for row in rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        for cells in (headers, *rows):
            padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            self.line("  ".join(padded).rstrip())


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def local_time(moment: dt.datetime, timezone: str) -> str:
    """A timestamp as the office reads it (its own WIB, WITA or WIT), to the minute."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def text_or_empty(value: object) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
