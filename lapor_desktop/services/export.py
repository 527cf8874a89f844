"""Exports of the register for monthly reports: without identities unless a supervisor asks.

An identity export is allowed only to a role that may export identities,
never includes the identity of an *anonim* complaint, and is written to the
audit log with the number of identities it contained. A CSV can start with a
UTF-8 byte order mark and use ``;`` between cells: a spreadsheet in an
Indonesian locale reads a file without the mark as Windows-1252 (``é`` turns
into ``Ã©``) and splits cells at ``;``, since its decimal separator is the comma.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lapor_desktop import durable_files
from lapor_desktop.domain.complaint import IDENTITY_FIELDS
from lapor_desktop.domain.privacy import may_export_identity
from lapor_desktop.domain.roles import Permission
from lapor_desktop.security.file_modes import OWNER_FILE
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.export_cells import csv_cell, xlsx_writer
from lapor_desktop.services.lookup import ComplaintQuery, LookupService
from lapor_desktop.services.permissions import require
from lapor_desktop.storage.models import Complaint

COLUMNS = (
    "registration_number",
    "uuid",
    "tracking_id",
    "classification",
    "title",
    "description",
    "incident_date",
    "region_code",
    "location_text",
    "category_code",
    "agency_code",
    "channel",
    "anonim",
    "rahasia",
    "status",
    "sync_state",
    "created_at",
)
PAGE = 500
SEPARATORS = (",", ";")
"""``,`` for most programs; ``;`` for a spreadsheet set to Indonesian (or another comma-decimal
locale), which otherwise shows each line in one cell."""


@dataclass(frozen=True)
class ExportSummary:
    rows: int
    identities: int


class ExportService:
    def __init__(self, context: DeskContext, lookup: LookupService) -> None:
        self._ctx = context
        self._lookup = lookup

    def columns(self, *, with_identity: bool) -> tuple[str, ...]:
        return COLUMNS + (IDENTITY_FIELDS if with_identity else ())

    def rows(
        self, query: ComplaintQuery, *, actor: Actor, with_identity: bool = False
    ) -> Iterator[dict[str, object]]:
        """Every matching complaint, newest first, streamed page by page."""
        require(
            actor,
            Permission.EXPORT_WITH_IDENTITY
            if with_identity
            else Permission.EXPORT_WITHOUT_IDENTITY,
        )
        vault = self._ctx.require_vault() if with_identity else None
        before: int | None = None
        while True:
            page_query = ComplaintQuery(**{**query.__dict__, "limit": PAGE, "before_id": before})
            summaries, before = self._lookup.find_page(page_query, actor=actor)
            uuids = [s.uuid for s in summaries]
            with self._ctx.database.read() as session:
                found = session.scalars(
                    select(Complaint)
                    .where(Complaint.uuid.in_(uuids))
                    .options(selectinload(Complaint.identity))
                ).all()
                by_uuid = {c.uuid: c for c in found}
                for key in uuids:
                    complaint = by_uuid[key]
                    row: dict[str, object] = {name: getattr(complaint, name) for name in COLUMNS}
                    if vault is not None:
                        shown = may_export_identity(
                            actor.role, anonim=complaint.anonim, rahasia=complaint.rahasia
                        )
                        identity = vault.open(complaint.uuid, complaint.identity) if shown else None
                        for name in IDENTITY_FIELDS:
                            row[name] = getattr(identity, name) if identity else ""
                    yield row
            if before is None:
                return

    def write(
        self,
        query: ComplaintQuery,
        target: Path,
        *,
        actor: Actor,
        with_identity: bool = False,
        file_format: str = "csv",
        file_mode: int | None = None,
        separator: str = ",",
        bom: bool = False,
    ) -> ExportSummary:
        """Write the export file and record it in the audit log.

        The file appears whole or not at all (an existing one is replaced only
        once the new one is on disk), owner-only (0600) unless ``file_mode``
        says otherwise. ``file_format``: ``csv``, ``json`` or ``xlsx``; in CSV
        and XLSX, formula-looking cells and NIK and phone stay text
        (``export_cells``). ``separator`` (one of ``SEPARATORS``) and ``bom``
        (a UTF-8 byte order mark first) lay out a CSV for the spreadsheet that opens it.
        """
        if separator not in SEPARATORS:
            raise ValueError(f"a CSV separator is one of {SEPARATORS}, not {separator!r}")
        columns = self.columns(with_identity=with_identity)
        counts = [0, 0]

        def each_row() -> Iterator[dict[str, object]]:
            for row in self.rows(query, actor=actor, with_identity=with_identity):
                counts[0] += 1
                counts[1] += bool(with_identity and any(row.get(n) for n in IDENTITY_FIELDS))
                yield {k: _plain(v) for k, v in row.items()}

        mode = OWNER_FILE if file_mode is None else file_mode
        if file_format == "xlsx":
            with durable_files.replacing(target, mode=mode) as binary:
                write_row, finish = xlsx_writer(binary, columns)
                for row in each_row():
                    write_row(row)
                finish()
        else:
            encoding = "utf-8-sig" if bom and file_format == "csv" else "utf-8"
            with durable_files.replacing_text(
                target, encoding=encoding, newline="", mode=mode
            ) as handle:
                writer = _writer(handle, columns, file_format, separator)
                for row in each_row():
                    writer(row)
                if file_format == "json":
                    handle.write("]\n")
        rows, identities = counts
        with self._ctx.database.write() as session:
            audit.record(
                session,
                at=self._ctx.now(),
                actor=actor.username,
                station_id=self._ctx.station.station_id,
                action="export.with_identity" if with_identity else "export.without_identity",
                entity_type="export",
                entity_id=target.name[:64],
                details={"rows": rows, "identities": identities, "format": file_format},
            )
        return ExportSummary(rows, identities)


def _writer(
    handle: TextIO, columns: Sequence[str], file_format: str, separator: str
) -> Callable[[dict[str, object]], object]:
    if file_format == "csv":
        writer = csv.DictWriter(
            handle, fieldnames=list(columns), extrasaction="ignore", delimiter=separator
        )
        writer.writeheader()
        return lambda row: writer.writerow({k: csv_cell(k, v) for k, v in row.items()})
    handle.write("[\n")
    first = [True]

    def write_json(row: dict[str, object]) -> None:
        handle.write(
            ("" if first[0] else ",\n")
            + json.dumps({k: v for k, v in row.items() if k in columns}, ensure_ascii=False)
        )
        first[0] = False

    return write_json


def _plain(value: object) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
