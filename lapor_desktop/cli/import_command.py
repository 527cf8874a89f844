"""``import FILE``: a register into the desk, with a per-row report of what went wrong.

Row problems go to stderr (bilingual, each naming its row and field); the
summary goes to stdout, or the whole report as JSON with ``--json``. The
rows are recorded as the signed-in person's, in the timeline and audit log.
Progress (rows checked, then rows saved, of how many) goes to stderr: a line
redrawn in place on a terminal, only each stage's last line when redirected.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.importer import (
    ImportProgress,
    ImportReport,
    RegisterImporter,
    RowIssue,
    row_location,
)

from .exit_codes import ExitCode, ImportRejected, UsageError
from .output import Output
from .session import signed_in_desk


def import_register(args: argparse.Namespace, out: Output) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(Message(N_("There is no file at {path}."), {"path": str(path)}))
    with signed_in_desk(args, out) as (desk, me):
        importer = RegisterImporter(desk.context, desk.intake)
        shown = ProgressLine(out)
        try:
            report = importer.run(
                path,
                actor=me.actor,
                skip_invalid=args.skip_invalid,
                dry_run=args.dry_run,
                progress=shown.show,
            )
        finally:
            shown.close()
    if args.json:
        out.json(report_json(report))
    else:
        _print(report, out)
    if report.refused:
        raise ImportRejected(
            Message(
                N_(
                    "Nothing was imported (invalid rows: {count}). Correct them, or use "
                    "--skip-invalid to import only the valid rows."
                ),
                {"count": len(report.invalid_rows)},
            )
        )
    return ExitCode.OK


_STAGES = {"check": N_("Rows checked: {done}/{total}"), "save": N_("Rows saved: {done}/{total}")}


class ProgressLine:
    """An import's progress on stderr: redrawn in place on a terminal, else each stage's end."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self._live = out.stderr.isatty()
        self._open = False
        self._width = 0

    def show(self, progress: ImportProgress) -> None:
        text = self._out.t(_STAGES[progress.stage], done=progress.done, total=progress.total)
        finished = progress.done == progress.total
        if self._live:
            # Spaces, not an erase sequence: a plain Windows console prints those as they are.
            padded, self._width = text.ljust(self._width), max(self._width, len(text))
            self._out.stderr.write(f"\r{padded}" + ("\n" if finished else ""))
            self._out.stderr.flush()
            self._open = not finished
            self._width = self._width if self._open else 0
        elif finished:
            self._out.problem(text)

    def close(self) -> None:
        """End a line left open by an import that stopped half-way."""
        if self._open:
            self._out.stderr.write("\n")
            self._open = False


def report_json(report: ImportReport) -> dict[str, object]:
    return {
        "file": str(report.path),
        "format": report.kind.value,
        "rows": report.rows,
        "dry_run": report.dry_run,
        "refused": report.refused,
        "imported": [
            {"row": r.row, "uuid": r.uuid, "registration_number": r.registration_number}
            for r in report.imported
        ],
        "already_present": [
            {"row": r.row, "uuid": r.uuid, "duplicate_of_row": r.duplicate_of}
            for r in report.already_present
        ],
        "invalid": [_issue_json(i) for i in report.issues],
        "ignored_columns": list(report.ignored_columns),
    }


def _issue_json(issue: RowIssue) -> dict[str, object]:
    return {
        "row": issue.row,
        "field": issue.field,
        "message_id": issue.message.render("id"),
        "message_en": issue.message.render("en"),
    }


def _print(report: ImportReport, out: Output) -> None:
    if report.ignored_columns:
        out.error(
            Message(
                N_("Columns not used (unknown names): {columns}."),
                {"columns": ", ".join(report.ignored_columns)},
            )
        )
    for issue in report.issues:
        out.problem(issue.bilingual())
    for present in report.already_present:
        place = row_location(report.kind, present.row).render(out.language)
        if present.duplicate_of is None:
            out.line(out.t(N_("{place}: already in the database, skipped."), place=place))
        else:
            out.line(
                out.t(
                    N_("{place}: the same as row {number}, skipped."),
                    place=place,
                    number=present.duplicate_of,
                )
            )
    counts = {
        "count": len(report.imported),
        "total": report.rows,
        "present": len(report.already_present),
        "invalid": len(report.invalid_rows),
    }
    if report.refused:
        summary = N_("Rows read: {total}; invalid: {invalid}; nothing was imported.")
    elif report.dry_run:
        summary = N_(
            "Dry run: {count} of {total} rows would be imported; {present} already present, "
            "{invalid} invalid. Nothing was written."
        )
    else:
        summary = N_(
            "Imported {count} of {total} rows; {present} already present, {invalid} invalid."
        )
    out.line(out.t(summary, **counts))
