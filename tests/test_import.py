"""Importing registers: CSV with Indonesian headers, JSON, XLSX; all or nothing; no duplicates."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from lapor_desktop.desk import Desk, open_desk
from lapor_desktop.domain.privacy import CONFIDENTIAL_PLACEHOLDER
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV as KEY_FILE_ENV
from lapor_desktop.services.context import Actor, system_clock
from lapor_desktop.services.importer import ImportReport, RegisterImporter
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.services.register_formats import RegisterFormatError
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import AuditEntry, Complaint, OutboxEntry
from tests.support import accounts
from tests.support.samples import LINGGA_DISTRICT, OFFICE_CODE

ROOT = Path(__file__).resolve().parent.parent
NIK = "2104014508900001"  # Singkep (210401), a woman born 5 August 1990
HEADER = (
    "klasifikasi;judul;isi_laporan;tanggal_kejadian;kode_wilayah;lokasi;instansi;kanal;"
    "anonim;rahasia;nama;nik;no_hp;email;alamat"
)


def csv_row(
    title: str = "Jalan rusak di Daik",
    *,
    date: str = "20/11/2026",
    channel: str = "",
    anonim: str = "tidak",
    name: str = "Siti Aminah",
) -> str:
    return (
        f"pengaduan;{title};Jalan utama menuju pelabuhan Daik berlubang besar.;{date};"
        f"{LINGGA_DISTRICT};Jalan Pelabuhan;2104-DPUPR;{channel};{anonim};tidak;{name};{NIK};"
        f"081234567890;;Jl. Merdeka No. 5"
    )


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(desk: Desk, actor: Actor, path: Path, **options: Any) -> ImportReport:
    return RegisterImporter(desk.context, desk.intake).run(path, actor=actor, **options)


def count(desk: Desk, model: type = Complaint) -> int:
    with desk.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def complaint_audit_actors(desk: Desk) -> list[str]:
    """Who the audit log says recorded complaints (sign-ins and accounts have entries too)."""
    with desk.database.read() as session:
        return list(
            session.scalars(
                select(AuditEntry.actor)
                .where(AuditEntry.entity_type == "complaint")
                .order_by(AuditEntry.id)
            )
        )


def test_csv_with_indonesian_headers_and_semicolons_is_imported(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    register = write(
        tmp_path / "register.csv",
        "\ufeff" + HEADER,
        csv_row(),
        csv_row("Lampu jalan padam", channel="telepon", anonim="ya", name=""),
    )

    report = run_import(sqlite_desk, sqlite_clerk, register)

    assert not report.issues and not report.refused
    assert [r.row for r in report.imported] == [2, 3]
    first = sqlite_desk.lookup.get(report.imported[0].uuid, actor=sqlite_clerk)
    second = sqlite_desk.lookup.get(report.imported[1].uuid, actor=sqlite_clerk)
    assert first is not None and second is not None
    assert first.channel == "surat"  # a register holds letters unless a row says otherwise
    assert first.summary.incident_date == dt.date(2026, 11, 20)
    assert first.identity.nik == NIK and first.identity.full_name == "Siti Aminah"
    assert second.channel == "telepon" and second.summary.anonim
    assert [e.actor for e in first.timeline] == [sqlite_clerk.username]


def test_every_imported_row_gets_its_outbox_and_audit_entries(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    register = write(tmp_path / "r.csv", HEADER, csv_row("Jalan rusak"), csv_row("Jembatan"))

    report = run_import(sqlite_desk, sqlite_clerk, register)

    assert len(report.imported) == 2
    assert count(sqlite_desk, OutboxEntry) == 2
    assert complaint_audit_actors(sqlite_desk) == [sqlite_clerk.username] * 2
    assert all(r.registration_number.startswith(OFFICE_CODE) for r in report.imported)  # type: ignore[union-attr]


def test_json_register_is_imported(sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path) -> None:
    entries = [
        {
            "classification": "aspirasi",
            "judul": "Taman bermain anak",
            "isi": "Mohon dibangun taman bermain di dekat pasar Daik.",
            "anonim": True,
            "nik": int(NIK),  # a NIK exported as a number keeps its digits
            "no_hp": None,
        },
        {
            "klasifikasi": "Permintaan Informasi",
            "judul": "Jadwal kapal ke Dabo",
            "title": "",  # an empty alias beside a filled one neither clashes nor blanks it
            "isi_laporan": "Mohon informasi jadwal kapal dari Daik ke Dabo.",
            "nama": "Budi Santoso",
            "email": "budi@example.id",
            "kanal": "email",
        },
    ]
    register = tmp_path / "register.json"
    register.write_text(json.dumps({"complaints": entries}), encoding="utf-8")

    report = run_import(sqlite_desk, sqlite_clerk, register)

    assert not report.issues, [i.bilingual() for i in report.issues]
    assert count(sqlite_desk) == 2
    first = sqlite_desk.lookup.get(report.imported[0].uuid, actor=sqlite_clerk)
    assert first is not None and first.summary.anonim and first.identity.nik == NIK


def test_xlsx_register_with_date_cells_is_imported_and_rows_keep_their_sheet_numbers(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Klasifikasi", "Judul", "Isi Laporan", "Tanggal Kejadian", "Kode Wilayah",
                  "Instansi", "Nama", "NIK", "No HP", "Rahasia"])  # fmt: skip
    good = ["pengaduan", "Jalan rusak di Daik", "Jalan utama berlubang besar sejak lama.",
            dt.datetime(2026, 11, 20), LINGGA_DISTRICT, "2104-DPUPR", "Siti Aminah", NIK,
            "081234567890", True]  # fmt: skip
    sheet.append(good)
    sheet.append([])
    sheet.append(["pengaduan", "Air", *good[2:]])  # row 4: title too short
    path = tmp_path / "register.xlsx"
    workbook.save(path)

    refused = run_import(sqlite_desk, sqlite_clerk, path)
    assert refused.refused and count(sqlite_desk) == 0
    assert [(i.row, i.field) for i in refused.issues] == [(4, "title")]

    report = run_import(sqlite_desk, sqlite_clerk, path, skip_invalid=True)
    assert [r.row for r in report.imported] == [2]
    detail = sqlite_desk.lookup.get(report.imported[0].uuid, actor=sqlite_clerk)
    assert detail is not None
    assert detail.summary.incident_date == dt.date(2026, 11, 20)
    assert detail.summary.rahasia and detail.identity_hidden == CONFIDENTIAL_PLACEHOLDER
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    confidential = sqlite_desk.lookup.get(report.imported[0].uuid, actor=boss)
    assert confidential is not None and confidential.identity.nik == NIK


def test_one_bad_row_imports_nothing_and_names_row_and_field(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    register = write(
        tmp_path / "r.csv", HEADER, csv_row(), csv_row("Air"), csv_row(date="31/02/2026")
    )

    report = run_import(desk, clerk, register)

    assert report.refused and not report.imported
    assert count(desk) == 0 and count(desk, OutboxEntry) == 0
    assert {(i.row, i.field) for i in report.issues} == {(3, "title"), (4, "incident_date")}
    title = next(i for i in report.issues if i.field == "title")
    assert title.render("en").startswith("Row 3, Title: ")
    assert " / " in title.bilingual() or title.render("id") == title.render("en")


def test_skip_invalid_imports_the_good_rows(desk: Desk, clerk: Actor, tmp_path: Path) -> None:
    register = write(tmp_path / "r.csv", HEADER, csv_row(), csv_row("Air"), csv_row("Jembatan"))

    report = run_import(desk, clerk, register, skip_invalid=True)

    assert not report.refused
    assert [r.row for r in report.imported] == [2, 4]
    assert report.invalid_rows == (3,)
    assert count(desk) == 2


def test_reimport_with_uuid_column_does_not_duplicate(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    register = write(
        tmp_path / "r.csv",
        "uuid;" + HEADER,
        f"{ids[0]};" + csv_row("Jalan rusak"),
        f"{ids[1].upper()};" + csv_row("Jembatan rusak"),
    )

    first = run_import(desk, clerk, register)
    again = run_import(desk, clerk, register)

    assert sorted(r.uuid for r in first.imported) == sorted(ids)
    assert not again.imported and not again.issues
    assert [(p.row, p.duplicate_of) for p in again.already_present] == [(2, None), (3, None)]
    assert count(desk) == 2 and count(desk, OutboxEntry) == 2


def test_reimport_without_uuid_column_does_not_duplicate(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    register = write(tmp_path / "r.csv", HEADER, csv_row(), csv_row(), csv_row("Jembatan"))

    first = run_import(sqlite_desk, sqlite_clerk, register)
    again = run_import(sqlite_desk, sqlite_clerk, register)

    assert [r.row for r in first.imported] == [2, 4]
    assert [(p.row, p.duplicate_of) for p in first.already_present] == [(3, 2)]
    assert not again.imported and len(again.already_present) == 3
    assert count(sqlite_desk) == 2


def test_one_uuid_on_two_different_rows_is_an_error(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    same = str(uuid.uuid4())
    register = write(
        tmp_path / "r.csv",
        "uuid;" + HEADER,
        f"{same};" + csv_row("Jalan rusak"),
        f"{same};" + csv_row("Jembatan rusak"),
        "bukan-uuid;" + csv_row("Lampu padam"),
    )

    report = run_import(sqlite_desk, sqlite_clerk, register)

    assert report.refused
    assert [(i.row, i.field) for i in report.issues] == [(3, "uuid"), (4, "uuid")]


def test_dry_run_writes_nothing(sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path) -> None:
    register = write(tmp_path / "r.csv", HEADER, csv_row())

    report = run_import(sqlite_desk, sqlite_clerk, register, dry_run=True)

    assert report.dry_run and [r.row for r in report.imported] == [2]
    assert report.imported[0].registration_number is None
    assert count(sqlite_desk) == 0


def test_unreadable_yes_no_and_surplus_cells_are_row_issues(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    register = write(
        tmp_path / "r.csv",
        HEADER,
        csv_row(anonim="mungkin"),
        csv_row("Jembatan") + ";Daik, Lingga",
    )

    report = run_import(sqlite_desk, sqlite_clerk, register)

    assert [(i.row, i.field) for i in report.issues] == [(2, "anonim"), (3, None)]


def _junk(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("blank.csv", b"\n\n  \n"),
        ("junk.bin", bytes(range(256)) * 4),
        ("renamed.xlsx", b"klasifikasi,judul\n"),
        ("fake.xlsx", b"PK\x03\x04 not really a zip"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("shape.json", b'{"hello": "world"}'),
        ("numbers.json", b"[1, 2, 3]"),
        ("nested.json", b'[{"judul": ["a"]}]'),
        ("deep.json", b"[" * 100_000),
        ("broken.json", b'[{"judul": '),
        ("columns.csv", b"nama,alamat\nSiti,Daik\n"),
        ("twice.csv", b"klasifikasi,judul,isi,isi_laporan\n"),
        ("long_cell.csv", b"klasifikasi,judul,isi\npengaduan,x," + b"y" * 200_000 + b"\n"),
    ],
)
def test_a_file_that_is_not_a_register_gives_a_clear_error(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path, name: str, content: bytes
) -> None:
    with pytest.raises(RegisterFormatError) as raised:
        run_import(sqlite_desk, sqlite_clerk, _junk(tmp_path, name, content))

    assert raised.value.message.render("en") and raised.value.message.render("id")
    assert count(sqlite_desk) == 0


def test_a_50_mb_line_is_refused_without_reading_it_whole(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as stream:
        stream.write(b"klasifikasi,judul,isi\n")
        stream.write(b"x" * (50 * 1024 * 1024))

    with pytest.raises(RegisterFormatError, match="too large"):
        run_import(sqlite_desk, sqlite_clerk, path)


def test_a_thousand_rows_import_in_a_few_seconds(
    sqlite_desk: Desk, sqlite_clerk: Actor, tmp_path: Path
) -> None:
    register = write(
        tmp_path / "r.csv", HEADER, *(csv_row(f"Jalan rusak nomor {n}") for n in range(1000))
    )

    started = time.perf_counter()
    report = run_import(sqlite_desk, sqlite_clerk, register)
    elapsed = time.perf_counter() - started

    assert len(report.imported) == 1000 and count(sqlite_desk) == 1000
    assert elapsed < 30, f"1000 rows took {elapsed:.1f} s"


# Through the real command line --------------------------------------------------------------


def test_a_role_that_may_not_record_cannot_import_even_in_a_dry_run(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    boss = accounts.sign_in_supervisor(sqlite_desk)
    it_staff = accounts.add_user(sqlite_desk, boss, "budi_it", Role.IT).actor
    register = write(tmp_path / "r.csv", HEADER, csv_row())

    with pytest.raises(PermissionDenied):
        run_import(sqlite_desk, it_staff, register, dry_run=True)
    assert count(sqlite_desk) == 0


def cli(
    data_dir: Path, *args: str, user: str | None = "ani", password: str = accounts.PASSWORD
) -> subprocess.CompletedProcess[str]:
    """The real command, signed in as the front-desk clerk unless ``user`` is None."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_") or k == KEY_FILE_ENV}
    if user is not None:
        env.update(LAPOR_USER=user, LAPOR_PASSWORD=password)
    return subprocess.run(
        [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A desk as ``init`` leaves it, plus the clerk ``ani``; set up in-process at test costs."""
    paths = DataPaths(tmp_path / "data").ensure()
    office = OfficeSettings(OFFICE_CODE, "Kabupaten Lingga")
    desk = accounts.initialise_desk(paths, office, system_clock)
    try:
        accounts.add_user(desk, accounts.sign_in_supervisor(desk), "ani", Role.FRONT_DESK)
    finally:
        desk.close()
    return paths.root


def _recent() -> str:
    """A week ago on the real calendar: the command line runs on the system clock."""
    return (dt.date.today() - dt.timedelta(days=7)).strftime("%d/%m/%Y")


def _listed(data_dir: Path) -> int:
    result = cli(data_dir, "list", "--json")
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["total"])


def test_cli_import_with_a_bad_row_exits_3_and_reports_row_and_field(
    data_dir: Path, tmp_path: Path
) -> None:
    register = write(
        tmp_path / "r.csv", HEADER, csv_row(date=_recent()), csv_row("Air", date=_recent())
    )

    result = cli(data_dir, "--lang", "en", "import", str(register))

    assert result.returncode == 3
    assert "Row 3, Title: Needs at least 5 characters" in result.stderr
    assert "Traceback" not in result.stderr
    assert _listed(data_dir) == 0


def test_cli_import_records_the_rows_as_the_signed_in_person_and_does_not_duplicate(
    data_dir: Path, tmp_path: Path
) -> None:
    register = write(
        tmp_path / "r.csv", HEADER, csv_row(date=_recent()), csv_row("Air", date=_recent())
    )

    first = cli(data_dir, "import", str(register), "--skip-invalid", "--json")
    again = cli(data_dir, "import", str(register), "--skip-invalid", "--json")

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    report, repeat = json.loads(first.stdout), json.loads(again.stdout)
    assert [r["row"] for r in report["imported"]] == [2]
    assert [(i["row"], i["field"]) for i in report["invalid"]] == [(3, "title")]
    assert repeat["imported"] == [] and [r["row"] for r in repeat["already_present"]] == [2]
    desk = open_desk(DataPaths(data_dir), account_factory=accounts.cheap_accounts)
    try:
        clerk = accounts.sign_in(desk, "ani", accounts.PASSWORD).actor
        detail = desk.lookup.get(report["imported"][0]["uuid"], actor=clerk)
        assert detail is not None and [e.actor for e in detail.timeline] == ["ani"]
        assert complaint_audit_actors(desk)[0] == "ani"
        assert desk.lookup.count(ComplaintQuery(), actor=clerk) == 1
    finally:
        desk.close()


def test_cli_import_needs_a_sign_in_and_a_role_that_records(data_dir: Path, tmp_path: Path) -> None:
    register = write(tmp_path / "r.csv", HEADER, csv_row(date=_recent()))

    anonymous = cli(data_dir, "import", str(register), user=None)
    wrong = cli(data_dir, "import", str(register), password="Bukan-Sandinya-99")

    assert anonymous.returncode == 8 and "LAPOR_USER" in anonymous.stderr
    assert wrong.returncode == 8 and "Bukan-Sandinya-99" not in wrong.stdout + wrong.stderr


def test_cli_import_of_junk_exits_3_without_traceback(data_dir: Path, tmp_path: Path) -> None:
    junk = _junk(tmp_path, "junk.csv", os.urandom(4096).replace(b"\x00", b"\x01") + b"\x00")

    result = cli(data_dir, "import", str(junk))

    assert result.returncode == 3
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_cli_import_of_a_missing_file_is_a_usage_error(data_dir: Path, tmp_path: Path) -> None:
    result = cli(data_dir, "import", str(tmp_path / "nowhere.csv"))

    assert result.returncode == 2 and "nowhere.csv" in result.stderr


def test_cli_import_before_init_exits_6(tmp_path: Path) -> None:
    register = write(tmp_path / "r.csv", HEADER, csv_row(date=_recent()))

    result = cli(tmp_path / "fresh", "import", str(register))

    assert result.returncode == 6
    assert not DataPaths(tmp_path / "fresh").database.exists()


def test_cli_import_reports_each_stage_once_when_stderr_is_not_a_terminal(
    data_dir: Path, tmp_path: Path
) -> None:
    register = write(
        tmp_path / "r.csv", HEADER, csv_row(date=_recent()), csv_row("Jembatan", date=_recent())
    )

    result = cli(data_dir, "--lang", "en", "import", str(register), "--json")

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["Rows checked: 2/2", "Rows saved: 2/2"]
    assert len(json.loads(result.stdout)["imported"]) == 2


def test_cli_import_redraws_its_progress_on_a_terminal(data_dir: Path, tmp_path: Path) -> None:
    rows = (csv_row(f"Jalan rusak nomor {n}", date=_recent()) for n in range(1200))
    register = write(tmp_path / "r.csv", HEADER, *rows)
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_") or k == KEY_FILE_ENV}
    env.update(LAPOR_USER="ani", LAPOR_PASSWORD=accounts.PASSWORD)
    command = [sys.executable, "-m", "lapor_desktop", "--data-dir", str(data_dir)]
    with subprocess.Popen(
        [*command, "--lang", "en", "import", str(register)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        cwd=ROOT,
    ) as process:
        os.close(follower)
        shown = b""
        while chunk := _read_pty(leader):
            shown += chunk
        assert process.wait(timeout=120) == 0
    os.close(leader)

    drawn = shown.decode().replace("\r\n", "\n")
    assert "\rRows checked: 500/1200" in drawn and "\rRows checked: 1200/1200" in drawn
    assert "\rRows saved: 1000/1200" in drawn and drawn.endswith("Rows saved: 1200/1200\n")


def _read_pty(fd: int) -> bytes:
    """What the terminal shows next; b"" once the program has closed it (EIO on Linux)."""
    try:
        return os.read(fd, 4096)
    except OSError:
        return b""
