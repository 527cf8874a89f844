"""The monthly recap files: what they hold, what they never hold, and the ``recap`` command.

Complaints are recorded through the real intake with known fake identities;
the workbook's every cell (and its raw XML) and the PDF's text (pdftotext)
are searched for them. A rahasia complaint is counted, its title never
printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lapor_desktop.cli import credentials
from lapor_desktop.cli.exit_codes import UsageError
from lapor_desktop.cli.output import Output
from lapor_desktop.cli.recap_command import add_recap_parser, recap
from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.permissions import PermissionDenied
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.recap import (
    RecapFormat,
    make_recap,
    month_before,
    recap_reminder,
    recap_was_made,
)
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.support.samples import valid_form
from tests.test_report_fixtures import AS_OF, ZONE, lingga_office, store_all

AUGUST = Period.month(2026, 8)
PEOPLE = (
    ("Wulandari Kusumawardhani", "2104015203880007", "081377712345", "wulan.k@example.id"),
    ("Bambang Triatmojo", "2104011107790003", "085266634567", "bambang.t@example.id"),
)
SECRET_TITLE = "Rahasia: suap perizinan ZQXJ"
ADDRESS = "Jl. Kenanga Gg. Melati No. 77"


@pytest.fixture
def office() -> OfficeSettings:
    return lingga_office()


@pytest.fixture
def recorded(desk: Desk, supervisor: Principal, clock: FakeClock) -> Desk:
    """August's fixture, plus complaints with identities taken at the desk on 20 August."""
    store_all(desk)
    clock.current = dt.datetime.combine(dt.date(2026, 8, 20), dt.time(10), ZONE).astimezone(dt.UTC)
    clerk = accounts.add_user(desk, supervisor, "ani", Role.FRONT_DESK).actor
    for number, (name, nik, phone, email) in enumerate(PEOPLE):
        form = valid_form(
            full_name=name,
            nik=nik,
            phone=phone,
            email=email,
            address=ADDRESS,
            incident_date="2026-08-19",
            title=SECRET_TITLE if number == 0 else "Jembatan kayu lapuk",
            rahasia=number == 0,
            anonim=number == 1,
        )
        assert desk.intake.submit(form, actor=clerk).queued
    clock.current = dt.datetime.combine(AS_OF, dt.time(9), ZONE).astimezone(dt.UTC)
    return desk


def identity_words() -> list[str]:
    words = [ADDRESS, "Kenanga"]
    for name, nik, phone, email in PEOPLE:
        words += [name, *name.split(), nik, phone, phone[1:], email]
    return words


def workbook_text(data: bytes) -> str:
    """Every cell of every sheet, and the raw XML of the whole file (charts included)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [
        str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return "\n".join(cells + xml)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    source = tmp_path / "recap.pdf"
    source.write_bytes(data)
    done = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def made(desk: Desk, actor_principal: Principal, file_format: RecapFormat) -> bytes:
    handle = io.BytesIO()
    make_recap(desk.context, AUGUST, file_format, handle, actor=actor_principal.actor)
    return handle.getvalue()


def test_the_workbook_has_a_sheet_per_table_with_native_charts(
    recorded: Desk, supervisor: Principal
) -> None:
    data = made(recorded, supervisor, RecapFormat.XLSX)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == 11  # the cover and ten tables
    summary = book.worksheets[1]
    assert summary["B1"].value == "Agustus 2026"
    assert summary["B2"].value == 8  # six of the fixture, two at the desk
    assert summary["B3"].value == 2  # rahasia: G and the one at the desk, counted
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 7


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_neither_file_holds_an_identity_or_a_rahasia_title(
    recorded: Desk, supervisor: Principal, tmp_path: Path
) -> None:
    xlsx = workbook_text(made(recorded, supervisor, RecapFormat.XLSX))
    pdf = pdf_text(made(recorded, supervisor, RecapFormat.PDF), tmp_path)
    for text in (xlsx, pdf):
        for word in identity_words():
            assert word not in text
        assert "ZQXJ" not in text and "XYZZY" not in text  # the two rahasia titles
        assert "Puskesmas tutup" in text  # an ordinary late complaint is described
        assert "2104-20260819-TEST-G" in text  # the rahasia one is listed by number only


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_names_the_office_the_period_its_maker_and_has_a_signature_block(
    recorded: Desk, supervisor: Principal, tmp_path: Path
) -> None:
    data = made(recorded, supervisor, RecapFormat.PDF)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "Pemerintah Kabupaten Lingga" in text
    assert "Agustus 2026" in text
    assert "5 Oktober 2026" in text
    assert accounts.SUPERVISOR.display_name in text
    assert "NIP." in text and "(....." in text
    mediabox = data.split(b"/MediaBox", 1)[1][:40]
    assert b"595.2756" in mediabox and b"841.8898" in mediabox  # A4


def test_making_a_recap_is_recorded_for_the_reminder(recorded: Desk, supervisor: Principal) -> None:
    assert not recap_was_made(recorded.database, AUGUST)
    made(recorded, supervisor, RecapFormat.PDF)
    assert recap_was_made(recorded.database, AUGUST)
    assert not recap_was_made(recorded.database, Period.month(2026, 9))
    assert month_before(dt.date(2026, 9, 1)) == AUGUST


def test_the_supervisor_is_reminded_until_last_months_recap_is_made(
    recorded: Desk, supervisor: Principal
) -> None:
    september_first = dt.date(2026, 9, 1)
    notice = recap_reminder(recorded.database, september_first, supervisor.actor)
    assert notice is not None and notice.params["period"] == "Agustus 2026"
    clerk = accounts.sign_in(recorded, "ani", accounts.PASSWORD).actor
    assert recap_reminder(recorded.database, september_first, clerk) is None
    made(recorded, supervisor, RecapFormat.XLSX)
    assert recap_reminder(recorded.database, september_first, supervisor.actor) is None
    assert recap_reminder(recorded.database, dt.date(2026, 10, 1), supervisor.actor) is not None


def test_the_front_desk_cannot_make_a_recap(recorded: Desk, supervisor: Principal) -> None:
    clerk = accounts.sign_in(recorded, "ani", accounts.PASSWORD)
    with pytest.raises(PermissionDenied):
        made(recorded, clerk, RecapFormat.XLSX)
    assert not recap_was_made(recorded.database, AUGUST)


def parse(*words: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    add_recap_parser(commands, argparse.ArgumentParser(add_help=False))
    return parser.parse_args(["recap", *words])


def test_the_recap_command_writes_the_file_and_refuses_to_overwrite_it(
    recorded: Desk,
    data_paths: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorded.close()
    monkeypatch.setattr(credentials, "interactive", lambda: False)
    monkeypatch.setenv(credentials.USER_ENV, accounts.SUPERVISOR.username)
    monkeypatch.setenv(credentials.PASSWORD_ENV, accounts.SUPERVISOR.password)
    target = tmp_path / "agustus.xlsx"
    args = parse("--month", "2026-08", "--format", "xlsx", "--out", str(target))
    args.data_dir, args.user, args.lang = str(tmp_path / "data"), None, "en"
    if recorded.database.engine.dialect.name != "sqlite":
        monkeypatch.setenv(
            "LAPOR_DATABASE_URL", recorded.database.engine.url.render_as_string(False)
        )
    out = Output()
    out.language = "en"
    assert recap(args, out) == 0
    assert "Agustus 2026" in capsys.readouterr().out
    assert openpyxl.load_workbook(target).sheetnames[0]
    with pytest.raises(UsageError):
        recap(args, out)
    with pytest.raises(UsageError):
        recap(parse("--month", "November"), out)


def test_the_recap_command_writes_the_month_for_a_supervisor_and_refuses_the_front_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support import cli as support

    root = support.set_up_desk(tmp_path)
    run = support.in_process(monkeypatch, capsys)
    out = tmp_path / "rekap.pdf"
    args = ("recap", "--month", "2026-11", "--format", "pdf", "--out", str(out))

    refused = run(root, *args, user=support.CLERK, password=accounts.PASSWORD)
    assert not out.exists(), "a refused recap leaves no file"
    made = run(root, *args)
    again = run(root, *args)

    assert refused.code == 9, refused.stderr
    assert made.code == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert again.code != 0 and "--force" in again.stderr, "an existing file is never replaced"
