"""Importing a register (CSV, JSON or XLSX) of complaints recorded elsewhere, e.g. on paper.

Every row is validated by the intake's own rules before anything is
written; by default one bad row stops the whole import, so a half-imported
register never has to be untangled. The valid rows go in through the
intake's batch (``intake_batch``) in one transaction, so each gets its
registration number, sealed identity, timeline, outbox, audit and search
entries like a complaint typed at the desk, and the file is written whole
or not at all, at thousands of rows a second.

Re-importing is harmless: a row is identified by its ``uuid`` column, or
without one by a UUID derived from its content, and a row whose UUID is
already in the database is skipped and reported as already present.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid as uuid_module
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from lapor_desktop.domain.complaint import Channel, ComplaintData, ComplaintForm
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import DEFAULT_LANGUAGE, N_, Message
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.intake import IntakeService
from lapor_desktop.services.intake_batch import BatchRow, IntakeBatch
from lapor_desktop.services.permissions import require
from lapor_desktop.services.register_formats import (
    UUID_COLUMN,
    Cell,
    RawRow,
    RegisterFormatError,
    RegisterKind,
    map_columns,
    read_register,
)
from lapor_desktop.storage.models import Complaint
from lapor_desktop.validation.issues import ValidationIssue

__all__ = ["ImportProgress", "ImportReport", "RegisterFormatError", "RegisterImporter", "RowIssue"]

DEFAULT_CHANNEL = Channel.LETTER.value
"""A register mostly holds letters (surat) copied in; a row's own channel wins."""
BOOLEAN_FIELDS = ("anonim", "rahasia", "urgent")
# Derived UUIDs must never change between versions, or re-imports would duplicate.
_IMPORT_NAMESPACE = uuid_module.UUID("5b0c2f1e-8c1a-4d55-9a57-4c41504f5221")
_TRUE = frozenset({"ya", "iya", "y", "yes", "true", "benar", "1"})
_FALSE = frozenset({"tidak", "t", "n", "no", "false", "salah", "0", ""})
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_LOOKUP_CHUNK = 500
_SHOWN_VALUE = 20


def row_location(kind: RegisterKind, number: int) -> Message:
    """Where the operator finds a row: "Row 7" in a sheet or CSV (header = 1), "Entry 7" in JSON."""
    template = N_("Entry {number}") if kind is RegisterKind.JSON else N_("Row {number}")
    return Message(template, {"number": number})


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row of the file, named as the operator finds it there."""

    kind: RegisterKind
    row: int
    field: str | None
    message: Message

    def location(self, language: str = DEFAULT_LANGUAGE) -> str:
        return row_location(self.kind, self.row).render(language)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        if self.field is None:
            return f"{self.location(language)}: {self.message.render(language)}"
        issue = ValidationIssue(self.field, self.message)
        return f"{self.location(language)}, {issue.render(language)}"

    def bilingual(self) -> str:
        indonesian, english = self.render("id"), self.render("en")
        return indonesian if indonesian == english else f"{indonesian} / {english}"


@dataclass(frozen=True)
class ImportedRow:
    row: int
    uuid: str
    registration_number: str | None
    """None in a dry run."""


@dataclass(frozen=True)
class PresentRow:
    row: int
    uuid: str
    duplicate_of: int | None
    """The earlier row of the same file it repeats; None when already in the database."""


@dataclass(frozen=True)
class ImportReport:
    path: Path
    kind: RegisterKind
    rows: int
    imported: tuple[ImportedRow, ...]
    already_present: tuple[PresentRow, ...]
    issues: tuple[RowIssue, ...]
    ignored_columns: tuple[str, ...]
    dry_run: bool
    refused: bool
    """Some rows were invalid and invalid rows were not to be skipped: nothing was imported."""
    changes: DeskChanges = field(default=NOTHING, compare=False)
    """Every complaint imported, announced once for the whole file."""

    @property
    def invalid_rows(self) -> tuple[int, ...]:
        return tuple(sorted({i.row for i in self.issues}))


@dataclass(frozen=True)
class ImportProgress:
    """How far an import is: rows checked of the file, then rows saved of those to save."""

    stage: Literal["check", "save"]
    done: int
    total: int


ProgressListener = Callable[[ImportProgress], None]
_CHECK_STEP = 500
"""Rows checked between two reports of progress."""


@dataclass(frozen=True)
class _Row:
    number: int
    uuid: str
    form: ComplaintForm
    data: ComplaintData | None


class RegisterImporter:
    def __init__(self, context: DeskContext, intake: IntakeService) -> None:
        self._ctx = context
        self._intake = intake

    def run(
        self,
        path: Path,
        *,
        actor: Actor,
        skip_invalid: bool = False,
        dry_run: bool = False,
        progress: ProgressListener | None = None,
    ) -> ImportReport:
        """Validate every row, then import the valid ones (all or none unless skipping).

        ``actor`` must be allowed to record complaints, checked before the file
        is read so that a dry run tells a role without it no more than a real
        import would. Raises :class:`RegisterFormatError` when the file is not
        a register at all. ``progress`` hears how far checking, then saving, is.
        """
        require(actor, Permission.RECORD_COMPLAINTS)
        register = read_register(path)
        fields, ignored = map_columns(
            register.columns, one_name_each=register.kind is not RegisterKind.JSON
        )
        tell = progress or _unheard
        issues: list[RowIssue] = []
        rows: list[_Row] = []
        total = len(register.rows)
        for done, raw in enumerate(register.rows, start=1):
            row, problems = self._check(raw, fields, register.kind)
            issues.extend(problems)
            if row is not None and not problems:
                rows.append(row)
            if done % _CHECK_STEP == 0 or done == total:
                tell(ImportProgress("check", done, total))
        rows, present, repeated = _split_repeats(rows, register.kind, self._existing(rows))
        issues.extend(repeated)
        issues.sort(key=lambda i: i.row)
        refused = bool(issues) and not skip_invalid
        imported: list[ImportedRow] = []
        if not refused and dry_run:
            imported = [ImportedRow(row.number, row.uuid, None) for row in rows]
        elif not refused and rows:
            imported, raced = self._save(rows, actor, tell)
            present = sorted([*present, *raced], key=lambda p: p.row)
        new = [] if dry_run else [i.uuid for i in imported]
        changes = self._ctx.hub.publish(DeskChanges.of_complaints((), added=new, outbox=new))
        return ImportReport(
            path=path,
            kind=register.kind,
            rows=len(register.rows),
            imported=tuple(imported),
            already_present=tuple(present),
            issues=tuple(issues),
            ignored_columns=ignored,
            dry_run=dry_run,
            refused=refused,
            changes=changes,
        )

    def _check(
        self, raw: RawRow, fields: Mapping[str, str], kind: RegisterKind
    ) -> tuple[_Row | None, list[RowIssue]]:
        form, uuid_text, problems = row_form(raw.cells, fields)
        issues = [RowIssue(kind, raw.number, f, m) for f, m in problems]
        if raw.extra_cells:
            issues.append(RowIssue(kind, raw.number, None, _EXTRA_CELLS))
        result = self._intake.validate(form)
        issues.extend(RowIssue(kind, raw.number, i.field, i.message) for i in result.issues)
        row_uuid = _row_uuid(uuid_text, form)
        if row_uuid is None:
            issues.append(RowIssue(kind, raw.number, UUID_COLUMN, _BAD_UUID))
            return None, issues
        return _Row(raw.number, row_uuid, form, result.data), issues

    def _existing(self, rows: Sequence[_Row]) -> set[str]:
        found: set[str] = set()
        uuids = sorted({r.uuid for r in rows})
        with self._ctx.database.read() as session:
            for start in range(0, len(uuids), _LOOKUP_CHUNK):
                chunk = uuids[start : start + _LOOKUP_CHUNK]
                found.update(
                    session.scalars(select(Complaint.uuid).where(Complaint.uuid.in_(chunk)))
                )
        return found

    def _save(
        self, rows: Sequence[_Row], actor: Actor, tell: ProgressListener
    ) -> tuple[list[ImportedRow], list[PresentRow]]:
        """Every row in one transaction; a row another desk imported meanwhile is present."""
        batch = [BatchRow(r.uuid, r.data) for r in rows if r.data is not None]
        with self._ctx.database.write() as session:
            outcome = IntakeBatch(self._ctx).save_in(
                session,
                batch,
                actor=actor,
                progress=lambda done, total: tell(ImportProgress("save", done, total)),
            )
        imported = [
            ImportedRow(r.number, r.uuid, outcome.saved[r.uuid])
            for r in rows
            if r.uuid in outcome.saved
        ]
        raced = [PresentRow(r.number, r.uuid, None) for r in rows if r.uuid in outcome.present]
        return imported, raced


def _unheard(_progress: ImportProgress) -> None:
    """No one listens to this import's progress."""


_EXTRA_CELLS = Message(
    N_(
        "The row has more cells than the header has columns; "
        "text containing a comma or semicolon must be in quotes."
    )
)
_BAD_UUID = Message(N_("Not a UUID (like 0f8fad5b-d9cb-469f-a165-70867728950e)."))


def row_form(
    cells: Mapping[str, Cell], fields: Mapping[str, str]
) -> tuple[ComplaintForm, str, list[tuple[str, Message]]]:
    """The form a row describes, its ``uuid`` cell, and its unreadable yes/no cells."""
    values: dict[str, str] = {}
    flags: dict[str, bool] = {}
    problems: list[tuple[str, Message]] = []
    given: dict[str, str] = {}
    for column, cell in cells.items():
        field = fields.get(column)
        if field is None:
            continue
        if not _is_empty(cell):
            if field in given:
                problems.append((field, _given_twice(given[field], column)))
            given.setdefault(field, column)
        elif field in values or field in flags:
            continue  # an empty alias must not blank a value given under another name
        if field in BOOLEAN_FIELDS:
            flag = _boolean(cell)
            if flag is None:
                problems.append((field, _not_yes_or_no(cell)))
            flags[field] = bool(flag)
        else:
            values[field] = _text(cell)
    uuid_text = values.pop(UUID_COLUMN, "").strip()
    if not values.get("channel", "").strip():
        values["channel"] = DEFAULT_CHANNEL
    date_time = _DATE_TIME.match(values.get("incident_date", "").strip())
    if date_time:
        values["incident_date"] = date_time.group(1)
    form = ComplaintForm()
    for name, value in (*values.items(), *flags.items()):
        setattr(form, name, value)
    return form, uuid_text, problems


def _is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _given_twice(first: str, second: str) -> Message:
    return Message(
        N_("Given twice, as {first} and as {second}; keep one."),
        {"first": first[:40], "second": second[:40]},
    )


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "ya" if cell else "tidak"
    return cell


def _boolean(cell: Cell) -> bool | None:
    if cell is None or isinstance(cell, bool):
        return bool(cell)
    word = cell.strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def _not_yes_or_no(cell: Cell) -> Message:
    shown = str(cell)
    if len(shown) > _SHOWN_VALUE:
        shown = shown[: _SHOWN_VALUE - 1] + "…"
    return Message(N_("Write ya or tidak (yes or no); the file says '{value}'."), {"value": shown})


def _row_uuid(uuid_text: str, form: ComplaintForm) -> str | None:
    """The row's own UUID, or one derived from its content so a re-import finds it again."""
    if uuid_text:
        try:
            return str(uuid_module.UUID(uuid_text))
        except ValueError:
            return None
    # The form's fields by name, as dataclasses.asdict gives them (they are all flat) without
    # its deep copy: the derived UUIDs stay exactly those of earlier versions.
    fields = {f.name: getattr(form, f.name) for f in dataclasses.fields(form)}
    content = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return str(uuid_module.uuid5(_IMPORT_NAMESPACE, content))


def _split_repeats(
    rows: Sequence[_Row], kind: RegisterKind, existing: set[str]
) -> tuple[list[_Row], list[PresentRow], list[RowIssue]]:
    """Rows to import; rows already present (in the database or earlier in the file); clashes.

    A repeated derived UUID is the same content typed twice, so the copy is
    skipped; a repeated explicit UUID on different content is an error.
    """
    first: dict[str, _Row] = {}
    fresh: list[_Row] = []
    present: list[PresentRow] = []
    clashes: list[RowIssue] = []
    for row in rows:
        earlier = first.get(row.uuid)
        if row.uuid in existing:
            present.append(PresentRow(row.number, row.uuid, None))
        elif earlier is None:
            first[row.uuid] = row
            fresh.append(row)
        elif earlier.form == row.form:
            present.append(PresentRow(row.number, row.uuid, earlier.number))
        else:
            message = Message(
                N_("The same UUID as row {number}, with different content."),
                {"number": earlier.number},
            )
            clashes.append(RowIssue(kind, row.number, UUID_COLUMN, message))
    return fresh, present, clashes
