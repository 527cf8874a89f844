"""What the window shows of bundles: "in bundle N since ..." on a row, what is in transit.

Reads only; the writers are ``bundle_outbox`` and ``bundle_returns``. The list asks per page
of rows (by their keys, one query), the detail per complaint; the texts are messages, so
they follow the desk's language, with dates in the office's own time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.bundle_records import (
    BundleRow,
    BundleState,
    Direction,
    carried_in,
)
from lapor_desktop.services.complaint_query import ListedComplaint, ListPage
from lapor_desktop.services.outbox import OutboxState
from lapor_desktop.storage.bundle_models import Bundle
from lapor_desktop.storage.database import Database
from lapor_desktop.storage.models import Complaint, OutboxEntry

IN_BUNDLE = N_("in bundle {sequence} since {date}")
IN_TRANSIT = N_(
    "Bundle {sequence} carried since {since}: {count} complaints still waiting for the return."
)
TO_PARENT_IN_TRANSIT = N_(
    "Bundle {sequence} for the parent office carried since {since}: {count} complaints still "
    "waiting for its answer."
)
DISTRICT_WAITING = N_(
    "Bundle {sequence} of office {office}: {count} of its complaints still to be submitted "
    "from this desk."
)
RELAY_WAITING = N_(
    "Bundle {sequence} of office {office} waits here to be sent to LAPOR! with the next sync."
)
RETURN_WAITING = N_(
    "The return bundle for bundle {sequence} of office {office} waits here to be carried back."
)
NOTHING_IN_TRANSIT = N_("No bundle of this desk is on its way.")


@dataclasses.dataclass(frozen=True)
class CarriedComplaint(ListedComplaint):
    """A list row whose pending submission a bundle carries: "in bundle N since ..."."""

    carried: Message | None = None


def office_day(moment: dt.datetime | None, timezone: str) -> str:
    """``07/12/2026``: the office's own date."""
    return "" if moment is None else moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y")


def office_minute(moment: dt.datetime | None, timezone: str) -> str:
    """``07/12/2026 09:30``: the office's own time, to the minute."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def in_bundle(sequence: int, since: dt.datetime | None, timezone: str) -> Message:
    return Message(IN_BUNDLE, {"sequence": sequence, "date": office_day(since, timezone)})


def carried_rows(database: Database, timezone: str) -> Callable[[ListPage], ListPage]:
    """For the list: a page of rows with those a bundle carries marked (one query a page)."""

    def mark(page: ListPage) -> ListPage:
        if not page.rows:
            return page
        with database.read() as session:
            found = carried_in(session, page.keys)
        if not found:
            return page
        rows: list[ListedComplaint] = []
        for key, row in zip(page.keys, page.rows, strict=True):
            held = found.get(key)
            if held is None:
                rows.append(row)
                continue
            fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
            fields["carried"] = in_bundle(*held, timezone)
            rows.append(CarriedComplaint(**fields))
        return ListPage(page.start, rows, page.keys)

    return mark


def carried_complaint(database: Database, timezone: str, uuid: str) -> Message | None:
    """For the detail view: "in bundle N since ..." while a bundle carries this complaint."""
    with database.read() as session:
        complaint_id = session.scalar(select(Complaint.id).where(Complaint.uuid == uuid))
        found = {} if complaint_id is None else carried_in(session, [complaint_id])
    held = found.get(complaint_id) if complaint_id is not None else None
    return None if held is None else in_bundle(*held, timezone)


def waiting_complaints(database: Database) -> dict[str, int]:
    """Per outbound bundle (by UUID): its complaints with a pending entry, not yet answered."""
    with database.read() as session:
        rows = session.execute(
            select(Bundle.bundle_id, func.count(func.distinct(OutboxEntry.complaint_id)))
            .join(OutboxEntry, OutboxEntry.bundle_id == Bundle.id)
            .where(OutboxEntry.state == OutboxState.PENDING.value)
            .group_by(Bundle.bundle_id)
        ).all()
    return {bundle_id: int(count) for bundle_id, count in rows}


def in_transit(
    rows: Sequence[BundleRow], waiting: dict[str, int], timezone: str
) -> tuple[Message, ...]:
    """What this desk has on its way, a sentence a bundle: bundles made here still carried
    (to LAPOR! or the parent office), relayed bundles not sent yet, return bundles waiting to
    be carried back, district complaints still to submit here."""
    said: list[Message] = []
    made_here = {
        Direction.OUTBOUND.value: IN_TRANSIT,
        Direction.TO_PARENT.value: TO_PARENT_IN_TRANSIT,
    }
    for row in rows:
        place = {"sequence": row.sequence, "office": row.origin_office}
        sentence = made_here.get(row.direction)
        if sentence is not None and row.state == BundleState.CARRIED.value:
            since = office_minute(row.carried_since or row.created_at, timezone)
            count = waiting.get(row.bundle_id, 0)
            said.append(Message(sentence, {**place, "since": since, "count": count}))
        elif row.direction == Direction.HANDOVER.value and row.pending:
            said.append(Message(DISTRICT_WAITING, {**place, "count": row.pending}))
        elif row.direction == Direction.RELAY.value and row.pending:
            said.append(Message(RELAY_WAITING, place))
        elif row.direction == Direction.RETURN.value and row.state == BundleState.WAITING.value:
            said.append(Message(RETURN_WAITING, place))
    return tuple(said) or (Message(NOTHING_IN_TRANSIT),)
