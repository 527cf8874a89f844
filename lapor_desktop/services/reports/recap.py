"""Making the recap file (XLSX or PDF) of a period: who may, and the audit entry saying so.

Permission: exporting without identities (supervisor; IT too, since the
recap holds no identity). The audit entry (``recap_made``, the period as
its entity) is how the desk knows a month's recap exists, for the
reminder on the first days of the next month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from sqlalchemy import select

from lapor_desktop.domain.roles import Permission, Role, allows
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.permissions import require
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.recap_meta import RecapMeta
from lapor_desktop.services.reports.recap_pdf import write_pdf
from lapor_desktop.services.reports.recap_xlsx import write_xlsx
from lapor_desktop.services.reports.service import OfficeReport, ReportService
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import AuditEntry, User

RECAP_MADE = "recap_made"


class RecapFormat(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"


WRITERS: dict[RecapFormat, Callable[[OfficeReport, RecapMeta, BinaryIO], None]] = {
    RecapFormat.XLSX: write_xlsx,
    RecapFormat.PDF: write_pdf,
}


@dataclass(frozen=True)
class RecapMade:
    period: Period
    file_format: RecapFormat
    received: int
    overdue: int


def period_key(period: Period) -> str:
    """``2026-11`` for a month, ``2026-11-01..2026-11-15`` otherwise: the audit entry's id."""
    if period.is_month:
        return f"{period.first:%Y-%m}"
    return f"{period.first.isoformat()}..{period.last.isoformat()}"


def make_recap(
    context: DeskContext,
    period: Period,
    file_format: RecapFormat,
    handle: BinaryIO,
    *,
    actor: Actor,
    language: str = "id",
) -> RecapMade:
    """Write the recap into ``handle`` and record that it was made."""
    require(actor, Permission.EXPORT_WITHOUT_IDENTITY)
    report = ReportService(context).report(period, actor=actor)
    now = context.now()
    meta = RecapMeta(
        made_by=_display_name(context.database, actor.username),
        made_at=now,
        timezone=context.office.timezone,
        language=language,
    )
    WRITERS[file_format](report, meta, handle)
    with context.database.write() as session:
        audit.record(
            session,
            at=now,
            actor=actor.username,
            station_id=context.station.station_id,
            action=RECAP_MADE,
            entity_type="recap",
            entity_id=period_key(period),
            details={"format": file_format.value, "received": report.received.total},
        )
    return RecapMade(period, file_format, report.received.total, report.overdue.total)


def recap_was_made(database: Database, period: Period) -> bool:
    """Whether anyone has made this period's recap (in any format)."""
    with database.read() as session:
        found = session.scalars(
            select(AuditEntry.id)
            .where(AuditEntry.action == RECAP_MADE, AuditEntry.entity_id == period_key(period))
            .limit(1)
        ).first()
    return found is not None


def month_before(day: dt.date) -> Period:
    """The month a recap is due for on ``day``: the one before it."""
    return Period.month(day.year, day.month).previous()


REMINDER = N_(
    "The recap of {period} has not been made yet. Reports are due by the 5th: "
    "make it under Reports, or with 'lapor-desktop recap --month {month}'."
)


def recap_reminder(database: Database, today: dt.date, actor: Actor) -> Message | None:
    """The gentle notice a supervisor sees on sign-in until last month's recap exists.

    From the 1st of each month on; None for a role that cannot make recaps,
    or once the month before ``today`` (the office's day) has its recap.
    """
    if not allows(actor.role, Permission.EXPORT_WITHOUT_IDENTITY) or actor.role is Role.IT:
        return None
    month = month_before(today)
    if recap_was_made(database, month):
        return None
    return Message(REMINDER, {"period": month.label(), "month": period_key(month)})


def _display_name(database: Database, username: str) -> str:
    with database.read() as session:
        name = session.scalars(select(User.display_name).where(User.username == username)).first()
    return name or username
