"""Crash reports: ``<data>/crash-reports/crash-<time>.txt``, with no personal data in them.

A report holds the version, the platform and the traceback: file, line,
function and source line of each frame. Frame locals are never included
(they hold the form being saved), and exception messages are scrubbed of
NIKs, phone numbers and e-mail addresses. The window installs
:func:`install_excepthook` with a callback that tells the person where the
report is; the command line writes one for an unexpected error.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from lapor_desktop import __version__, durable_files
from lapor_desktop.i18n import N_, Message
from lapor_desktop.logs import scrub
from lapor_desktop.paths import DataPaths

log = logging.getLogger(__name__)

CRASH_FOLDER = "crash-reports"

Tell = Callable[[Path], None]


def crash_folder(paths: DataPaths) -> Path:
    return paths.root / CRASH_FOLDER


def where_message(report: Path) -> Message:
    return Message(
        N_(
            "LAPOR! Desktop stopped because of an unexpected error. A report without personal "
            "data was written to {path}; please give it to IT staff."
        ),
        {"path": str(report)},
    )


def write_crash_report(
    paths: DataPaths, error: BaseException, *, now: dt.datetime | None = None
) -> Path:
    """Write the report (whole, and never over another) and return its path."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    folder = crash_folder(paths)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"crash-{moment.strftime('%Y%m%dT%H%M%S%fZ')}"
    content = report_text(error, moment).encode("utf-8")
    path, n = folder / f"{stem}.txt", 1
    while True:
        try:
            durable_files.create_bytes(path, content, mode=0o600)
            break
        except FileExistsError:
            n += 1
            path = folder / f"{stem}-{n}.txt"
    log.error("crash report written: %s (%s)", path.name, type(error).__name__)
    return path


def report_text(error: BaseException, moment: dt.datetime) -> str:
    lines = [
        f"LAPOR! Desktop {__version__} crash report",
        f"time: {moment.isoformat()}",
        f"python: {platform.python_version()} ({platform.python_implementation()})",
        f"platform: {platform.platform()}",
        f"process: {os.getpid()} thread: {threading.current_thread().name}",
        "",
    ]
    return "\n".join(lines + _chain(error)) + "\n"


def _chain(error: BaseException) -> list[str]:
    """Each exception of the chain, oldest first, as Python prints it but without locals."""
    chain: list[tuple[BaseException, str]] = []
    current: BaseException | None = error
    note = ""
    while current is not None and not any(current is seen for seen, _ in chain):
        chain.append((current, note))
        if current.__cause__ is not None:
            current, note = current.__cause__, "The above exception was the direct cause of:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, note = current.__context__, "During handling of the above exception:"
        else:
            current = None
    lines: list[str] = []
    for exc, relation in reversed(chain):
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(exc.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {scrub(str(exc))}")
        if relation:
            lines += ["", relation, ""]
    return lines


def install_excepthook(paths: DataPaths, tell: Tell | None = None) -> None:
    """Write a report for any uncaught exception (main and other threads), then ``tell``.

    Without ``tell`` the path goes to stderr in both languages. Ctrl+C is
    left to Python's own handling.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        try:
            report = write_crash_report(paths, error.with_traceback(tb))
        except Exception:  # no room even for the report: Python's own printout is all we have
            previous(kind, error, tb)
            return
        if tell is None:
            print(where_message(report).bilingual(), file=sys.stderr)
        else:
            tell(report)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
