"""The national desk, simulated: what happens to an accepted complaint, and when.

Every complaint gets a fate at acceptance (from its UUID, so runs repeat):
most are verified, forwarded, followed up by the agency and finished; some
are found not to be the office's authority; some get a request for more
information and wait for the complainant's reply (archived if none comes).
The texts are what a national admin or an agency would write: Indonesian
data, not interface messages.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from lapor_desktop.domain.status import Status
from sync.protocol.messages import ChangeKind
from sync.reference_server.config import WorkflowTimings


class Fate(enum.StrEnum):
    NORMAL = "normal"
    NOT_OUR_AUTHORITY = "not_our_authority"
    INFO_REQUEST = "info_request"


@dataclass(frozen=True)
class Step:
    kind: ChangeKind
    status: Status
    delay: Callable[[WorkflowTimings], dt.timedelta]
    text: str
    names_agency: bool = False


_VERIFY = Step(
    ChangeKind.STATUS,
    Status.VERIFIED,
    lambda t: t.verify_after,
    "Laporan Anda telah diverifikasi oleh admin LAPOR! dan akan diteruskan kepada "
    "instansi yang berwenang.",
)
_FORWARD = Step(
    ChangeKind.STATUS,
    Status.FORWARDED,
    lambda t: t.forward_after,
    "Laporan Anda telah diteruskan kepada {agency} untuk ditindaklanjuti.",
    names_agency=True,
)
_RESPOND = Step(
    ChangeKind.AGENCY_RESPONSE,
    Status.FOLLOWED_UP,
    lambda t: t.respond_after,
    "{response}",
    names_agency=True,
)
_FINISH = Step(
    ChangeKind.STATUS,
    Status.FINISHED,
    lambda t: t.finish_after,
    "Laporan ditutup dengan status selesai karena tidak ada tanggapan lanjutan dari pelapor "
    "dalam 10 hari kerja.",
)
_NOT_OUR_AUTHORITY = Step(
    ChangeKind.STATUS,
    Status.NOT_OUR_AUTHORITY,
    lambda t: t.forward_after,
    "Laporan ini bukan kewenangan pemerintah daerah yang dituju sehingga diarsipkan. "
    "Silakan sampaikan kepada instansi yang berwenang.",
)
_REQUEST_INFO = Step(
    ChangeKind.INFO_REQUEST,
    Status.DEFERRED,
    lambda t: t.forward_after,
    "Mohon lengkapi laporan Anda: sebutkan lokasi kejadian secara lebih rinci dan lampirkan "
    "foto bila ada.",
)
_ARCHIVE_NO_REPLY = Step(
    ChangeKind.STATUS,
    Status.ARCHIVED,
    lambda t: t.finish_after,
    "Laporan diarsipkan karena informasi tambahan yang diminta tidak diterima.",
)

PLANS: dict[Fate, tuple[Step, ...]] = {
    Fate.NORMAL: (_VERIFY, _FORWARD, _RESPOND, _FINISH),
    Fate.NOT_OUR_AUTHORITY: (_VERIFY, _NOT_OUR_AUTHORITY),
    Fate.INFO_REQUEST: (_VERIFY, _REQUEST_INFO, _ARCHIVE_NO_REPLY),
}
_AWAITING_REPLY = (Fate.INFO_REQUEST, 2)
_RESUME_AFTER_REPLY = (Fate.NORMAL, 1)

AGENCY_RESPONSES = (
    "Terima kasih atas laporan Anda. Petugas {agency} telah meninjau lokasi dan perbaikan "
    "dijadwalkan dalam dua minggu ke depan.",
    "Laporan Anda telah kami tindak lanjuti. {agency} sudah berkoordinasi dengan pihak "
    "kecamatan dan permasalahan tersebut telah ditangani.",
    "Terima kasih. {agency} telah menerima laporan ini dan memasukkannya ke dalam rencana "
    "kerja tahun anggaran berjalan. Kami akan menyampaikan perkembangannya.",
)
UNKNOWN_AGENCY = "instansi terkait"


def _number(client_uuid: str) -> int:
    return int(hashlib.sha256(client_uuid.encode()).hexdigest()[:8], 16)


def choose_fate(client_uuid: str) -> Fate:
    """One complaint in ten is not the office's authority, one in ten needs more information."""
    roll = _number(client_uuid) % 10
    if roll == 0:
        return Fate.NOT_OUR_AUTHORITY
    if roll == 1:
        return Fate.INFO_REQUEST
    return Fate.NORMAL


@dataclass(frozen=True)
class Progress:
    fate: Fate
    step: int
    next_step_at: dt.datetime | None
    """None: closed (or waiting for nothing more)."""


@dataclass(frozen=True)
class Event:
    kind: ChangeKind
    status: Status
    text: str
    agency_code: str | None
    occurred_at: dt.datetime


def start(client_uuid: str, received_at: dt.datetime, timings: WorkflowTimings) -> Progress:
    fate = choose_fate(client_uuid)
    return Progress(fate, 0, received_at + PLANS[fate][0].delay(timings))


def advance(
    progress: Progress,
    now: dt.datetime,
    timings: WorkflowTimings,
    *,
    client_uuid: str,
    agency_code: str | None,
    agency_name: str | None,
) -> tuple[list[Event], Progress]:
    """Every step due by ``now``, each dated when it was due, and where the complaint stands."""
    plan = PLANS[progress.fate]
    step, due = progress.step, progress.next_step_at
    events: list[Event] = []
    while due is not None and due <= now and step < len(plan):
        current = plan[step]
        agency = agency_name or UNKNOWN_AGENCY
        response = AGENCY_RESPONSES[_number(client_uuid) % len(AGENCY_RESPONSES)]
        text = current.text.format(agency=agency, response=response.format(agency=agency))
        events.append(
            Event(
                current.kind,
                current.status,
                text,
                agency_code if current.names_agency else None,
                due,
            )
        )
        step += 1
        due = due + plan[step].delay(timings) if step < len(plan) else None
    return events, Progress(progress.fate, step, due)


def on_reply(progress: Progress, now: dt.datetime, timings: WorkflowTimings) -> Progress | None:
    """A reply to a request for information puts the complaint back on the normal path."""
    if (progress.fate, progress.step) != _AWAITING_REPLY or progress.next_step_at is None:
        return None
    fate, step = _RESUME_AFTER_REPLY
    return Progress(fate, step, now + PLANS[fate][step].delay(timings))
