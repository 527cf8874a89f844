"""The hand-counted August 2026 of the report tests (no tests here; the report tests import it).

August 2026 in Lingga: Monday 17 is Independence Day, Tuesday 18 the office's
leave day, Tuesday 25 the Prophet's Birthday. Verification is due 3 working
days after receipt, the agency's follow-up 5 after forwarding, settlement
60 calendar days after receipt. Judged on Monday 5 October 2026.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from lapor_desktop.desk import Desk
from lapor_desktop.settings import OfficeSettings, SlaSettings
from lapor_desktop.storage.models import Complaint, StatusEvent
from tests.support import samples

ZONE = ZoneInfo("Asia/Jakarta")
AS_OF = dt.date(2026, 10, 5)
LEAVE_DAYS = (dt.date(2026, 8, 18),)
Q, SENT, FWD, FOL = "queued", "sent", "forwarded", "followed_up"
FIN, ARC = "finished", "archived"


def lingga_office() -> OfficeSettings:
    return OfficeSettings(
        office_code=samples.OFFICE_CODE,
        office_name=samples.OFFICE_NAME,
        sla=SlaSettings(leave_days=LEAVE_DAYS),
    )


@dataclass(frozen=True)
class Fake:
    """One complaint of the fixture: its timeline (status, office day, hour, minute) and fields."""

    key: str
    steps: Sequence[tuple[str, dt.date, int, int]]
    title: str
    channel: str = "tatap_muka"
    route: str | None = "protocol"
    rahasia: bool = False
    anonim: bool = False
    classification: str = "pengaduan"
    agency: str = "2104-DPUPR"
    region: str = samples.LINGGA_DISTRICT
    extra: dict[str, str] = field(default_factory=dict)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


AUGUST: tuple[Fake, ...] = (
    # A: forwarded on its deadline day (Fri 21: 19, 20, 21 after the holiday and the leave day),
    # followed up a day late (due Mon 31), finished in time.
    Fake(
        "A",
        [(Q, d(8, 14), 10, 0), (FWD, d(8, 21), 9, 0), (FOL, d(9, 1), 9, 0), (FIN, d(9, 3), 9, 0)],
        "Jalan rusak di Daik",
    ),
    # B: received 23:30 WIB on 31 August (16:30 UTC): August's. Never verified: due Thu 3 Sep.
    Fake("B", [(Q, d(8, 31), 23, 30)], "Lampu jalan mati", channel="telepon", route=None),
    # F: followed up on its deadline day (Wed 12), finished, then reopened: its settlement
    # clock runs again and is past 2 October.
    Fake(
        "F",
        [
            (Q, d(8, 3), 9, 0),
            (FWD, d(8, 5), 9, 0),
            (FOL, d(8, 12), 15, 0),
            (FIN, d(8, 20), 9, 0),
            (FOL, d(8, 25), 9, 0),
        ],
        "Air PDAM keruh",
        classification="aspirasi",
    ),
    # G: rahasia, by the website lane; forwarded late (due Mon 24), never followed up (due 2 Sep).
    Fake(
        "G",
        [(Q, d(8, 19), 9, 0), (FWD, d(8, 26), 9, 0)],
        "Rahasia: pungli di dinas XYZZY",
        channel="whatsapp",
        route="website",
        rahasia=True,
    ),
    # H: archived without forwarding (closed before verification), settled in time.
    Fake(
        "H",
        [(Q, d(8, 14), 11, 0), (ARC, d(8, 18), 9, 0)],
        "Surat tidak jelas",
        channel="surat",
        anonim=True,
        agency="2104-DINKES",
    ),
    # I: sent, never verified (due Thu 13 August): the most overdue.
    Fake(
        "I", [(Q, d(8, 10), 8, 0), (SENT, d(8, 10), 9, 0)], "Puskesmas tutup", agency="2104-DINKES"
    ),
)
OUTSIDE: tuple[Fake, ...] = (
    # C: 00:30 WIB on 1 September is 17:30 UTC on 31 August, and September's.
    Fake("C", [(Q, d(9, 1), 0, 30)], "Sampah di pasar", route=None),
    # D: received in July, forwarded in August: July's.
    Fake("D", [(Q, d(7, 31), 10, 0), (FWD, d(8, 4), 10, 0)], "Kapal terlambat"),
    # K: August a year earlier.
    Fake("K", [(Q, d(8, 12, 2025), 10, 0)], "Beasiswa belum cair", route=None),
)
DRAFT = Fake("E", [("draft", d(8, 20), 10, 0)], "Draf belum selesai", route=None)


def store(desk: Desk, fakes: Sequence[Fake]) -> dict[str, str]:
    """The complaints written as they are, straight into the database; their uuids by key."""
    uuids: dict[str, str] = {}
    with desk.database.write() as session:
        for fake in fakes:
            moments = [(status, at(day, h, m)) for status, day, h, m in fake.steps]
            queued = next((when for status, when in moments if status == Q), None)
            uuid = uuid_module.uuid4()
            complaint = Complaint(
                uuid=str(uuid),
                registration_number=(
                    None if queued is None else f"2104-{fake.steps[0][1]:%Y%m%d}-TEST-{fake.key}"
                ),
                office_code=samples.OFFICE_CODE,
                station_id="TEST",
                classification=fake.classification,
                title=fake.title,
                description=f"Uraian {fake.title}",
                channel=fake.channel,
                region_code=fake.region,
                agency_code=fake.agency,
                anonim=fake.anonim,
                rahasia=fake.rahasia,
                status=moments[-1][0],
                sync_state="sent" if fake.route else "pending",
                delivered_via=fake.route,
                created_by="test",
                created_at=moments[0][1],
                updated_at=moments[-1][1],
                submitted_at=queued,
            )
            complaint.events = [
                StatusEvent(status=s, occurred_at=w, actor="test", source="national")
                for s, w in moments
            ]
            session.add(complaint)
            uuids[fake.key] = complaint.uuid
    return uuids


def store_all(desk: Desk) -> dict[str, str]:
    return store(desk, (*AUGUST, *OUTSIDE, DRAFT))
