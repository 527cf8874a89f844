"""After a realistic day at the desk, no name, NIK or phone is readable in any file we wrote.

Scans the database, its WAL, the attachment store and every other file in
the data folder (the backups, the log and a crash report live there too),
plus an export made by IT staff, for every identity value entered, in the
forms people type them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop.backups.copies import Reason, back_up, list_backups
from lapor_desktop.crash import crash_folder, write_crash_report
from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from sync.desk_logging import start_logging
from tests.support import accounts
from tests.support.samples import valid_form

PEOPLE = 25


def _person(n: int) -> dict[str, str]:
    return {
        "full_name": f"Wiryaningsih Purbasari {chr(65 + n % 26)}{chr(65 + n // 26)}",
        "nik": f"21040145089{n:05d}",
        "phone": f"0812{77_000_000 + n:08d}",
        "email": f"warga.rahasia{n}@example.id",
        "address": f"Jalan Tersembunyi Nomor {1000 + n}, Daik",
    }


def _needles(person: dict[str, str]) -> list[bytes]:
    phone_e164 = "+62" + person["phone"][1:]
    values = [*person.values(), phone_e164, phone_e164[1:]]
    return [v.encode("utf-8") for v in values] + [v.encode("utf-16-le") for v in values[:2]]


def _scan(folders: list[Path], needles: list[bytes]) -> list[str]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                found += [f"{path.name}: {n!r}" for n in needles if n in content]
    return found


def _workday(desk: Desk, clerk: Actor, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for n in range(PEOPLE):
        person = _person(n)
        chat = evidence / f"chat{n}.txt"
        chat.write_text(f"Pesan dari {person['full_name']}, HP {person['phone']}\n", "utf-8")
        form = valid_form(title=f"Keluhan warga nomor {n}", **person, rahasia=n % 5 == 0)
        if n % 7 == 0:  # kept as a draft: an impossible incident date
            desk.intake.submit(valid_form(incident_date="31/02/2026", **person), actor=clerk)
        saved = desk.intake.submit(form, actor=clerk, attachments=[chat])
        assert saved.queued, saved.issues
        desk.lookup.get(saved.uuid, actor=clerk)
        desk.follow_ups.add(saved.uuid, "Warga datang lagi menanyakan perkembangan.", actor=clerk)


@pytest.fixture
def app_log(desk: Desk) -> Iterator[Path]:
    """The application log in the desk's data folder, as the window and command line set it."""
    start_logging(desk.paths)
    handler = logging.getLogger().handlers[-1]
    yield desk.paths.logs
    logging.getLogger().removeHandler(handler)
    handler.close()


def _mishaps(desk: Desk) -> None:
    """What a bad day adds: careless log lines and a crash whose message holds identities."""
    person = _person(3)
    log = logging.getLogger("lapor_desktop.services.intake")
    log.warning(
        "retrying save of NIK %s, phone %s, %s", person["nik"], person["phone"], person["email"]
    )
    try:
        raise ValueError(f"duplicate NIK {person['nik']} (+62{person['phone'][1:]})")
    except ValueError as error:
        log.exception("save failed")
        write_crash_report(desk.paths, error)


def test_no_identity_is_readable_in_any_file_after_a_working_day(
    desk: Desk, clerk: Actor, supervisor: Principal, tmp_path: Path, app_log: Path
) -> None:
    _workday(desk, clerk, tmp_path)
    _mishaps(desk)
    if desk.database.is_sqlite:
        back_up(
            desk.paths.database, desk.paths.backups, now=desk.context.now(), reason=Reason.MANUAL
        )
        assert len(list_backups(desk.paths.backups)) == 2  # the automatic one and this
    it_staff = accounts.add_user(desk, supervisor, "budi_it", Role.IT).actor
    exports = tmp_path / "exports"
    exports.mkdir()
    desk.exports.write(ComplaintQuery(), exports / "bulanan.csv", actor=it_staff)
    desk.exports.write(
        ComplaintQuery(), exports / "bulanan.json", actor=it_staff, file_format="json"
    )
    desk.data_subjects.find(actor=supervisor.actor, nik=_person(3)["nik"])
    needles = [n for i in range(PEOPLE) for n in _needles(_person(i))]

    while_open = _scan([desk.paths.root, exports], needles)
    desk.close()
    after_close = _scan([desk.paths.root, exports], needles)

    assert (exports / "bulanan.csv").stat().st_size > 1000, "the export must hold the complaints"
    assert "save failed" in (app_log / "lapor-desktop.log").read_text("utf-8")
    assert len(list(crash_folder(desk.paths).iterdir())) == 1
    assert while_open == []
    assert after_close == []


def test_the_scan_would_find_a_name_written_in_clear(tmp_path: Path) -> None:
    """The scanner itself works: a planted value is found."""
    (tmp_path / "planted.log").write_text(f"nama={_person(1)['full_name']}", "utf-8")
    assert _scan([tmp_path], _needles(_person(1))) != []
