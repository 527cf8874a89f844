"""``lapor-desktop website ...``: the website lane from the command line (issue 13).

In-process for the workflow and its refusals; as real subprocesses where the process
boundary is the point: a submission started in one process survives into the next.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import update

from lapor_desktop.cli.website_commands.refusals import WebsiteExit
from lapor_desktop.desk import Desk
from lapor_desktop.domain.roles import Role
from lapor_desktop.paths import DataPaths
from lapor_desktop.security.machine_key import MACHINE_KEY_FILE_ENV
from lapor_desktop.services.context import system_clock
from lapor_desktop.settings import OfficeSettings, WebsiteLaneSettings
from lapor_desktop.storage.models import OutboxEntry
from sync.reference_server.practice_form import PRACTICE_PATH
from sync.training_demo import prepare_training_desk, training_office
from tests.support import accounts
from tests.support import cli as support_cli
from tests.support.cli import CLERK, NIK, Run, clerk_of, cli, in_process, open_desk
from tests.support.reference_server import running_reference_server
from tests.support.samples import OFFICE_CODE, valid_form

OTHER_CLERK = "desk2"
PASSWORD = accounts.PASSWORD
FORM_ORDER = [
    "classification",
    "title",
    "description",
    "incident_date",
    "location",
    "category",
    "agency",
    "anonim",
    "rahasia",
]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A desk whose office sends new complaints to the website lane, with two clerks."""
    paths = DataPaths(tmp_path / "data").ensure()
    office = OfficeSettings(
        OFFICE_CODE, "Kabupaten Lingga", website=WebsiteLaneSettings(route="website")
    )
    desk = accounts.initialise_desk(paths, office, system_clock)
    try:
        boss = accounts.sign_in_supervisor(desk)
        accounts.add_user(desk, boss, CLERK, Role.FRONT_DESK)
        accounts.add_user(desk, boss, OTHER_CLERK, Role.FRONT_DESK)
    finally:
        desk.close()
    return paths.root


@pytest.fixture
def opened(data_dir: Path) -> Iterator[Desk]:
    desk = open_desk(data_dir)
    yield desk
    desk.close()


def _queue(desk: Desk, **changes: object) -> str:
    """A complaint on the website lane; its registration number."""
    recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    outcome = desk.intake.submit(valid_form(incident_date=recent, **changes), actor=clerk_of(desk))
    assert outcome.queued and outcome.registration_number, outcome
    return outcome.registration_number


def _as(user: str) -> dict[str, str]:
    return {"user": user, "password": PASSWORD}


def test_queue_start_and_record_take_a_complaint_to_lapor_with_its_tracking_id(
    run: Run, data_dir: Path, opened: Desk
) -> None:
    plain = _queue(opened)
    urgent = _queue(opened, title="Jembatan putus di Sungai Buluh", urgent=True)
    listed = run(data_dir, "website", "queue", "--json", **_as(CLERK))
    assert listed.code == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert [i["registration_number"] for i in document["queue"]] == [urgent, plain]
    assert document["waiting"] == 2 and document["queue"][0]["held_by"] is None

    started = run(data_dir, "website", "start", plain, "--json", **_as(CLERK))
    assert started.code == 0, started.stderr
    handover = json.loads(started.stdout)
    assert [f["key"] for f in handover["fields"]] == FORM_ORDER
    assert [f["key"] for f in handover["fields"] if f["flag"]] == ["anonim", "rahasia"]
    assert handover["identity_masked"] and NIK not in started.stdout
    assert handover["lapor_address"] == "https://www.lapor.go.id"

    held = json.loads(run(data_dir, "website", "queue", "--json", **_as(OTHER_CLERK)).stdout)
    line = next(i for i in held["queue"] if i["registration_number"] == plain)
    assert line["held_by"] == CLERK and line["since"] == handover["started_at"]

    recorded = run(data_dir, "website", "record", plain, "Tracking ID: #1 234 567", **_as(CLERK))
    assert recorded.code == 0, recorded.stderr
    assert "1234567" in recorded.stdout and plain in recorded.stdout
    shown = json.loads(run(data_dir, "show", plain, "--json", **_as(CLERK)).stdout)
    assert shown["tracking_id"] == "1234567" and shown["status"] == "sent"
    left = json.loads(run(data_dir, "website", "queue", "--json", **_as(CLERK)).stdout)
    assert [i["registration_number"] for i in left["queue"]] == [urgent]


def test_start_prints_the_form_in_order_and_shouts_anonim_and_rahasia(
    run: Run, data_dir: Path, opened: Desk
) -> None:
    number = _queue(opened, anonim=True)
    started = run(data_dir, "website", "start", number, **_as(CLERK))
    assert started.code == 0, started.stderr
    text = started.stdout
    assert ">>> ANONYMOUS (ANONIM): YES <<<" in text
    assert ">>> CONFIDENTIAL (RAHASIA): NO <<<" in text
    assert text.index("Title:") < text.index("Location:") < text.index("ANONIM")
    assert "Siti" not in text and "never typed into LAPOR!" in text
    outbox_id = re.search(r"outbox ID (\d+)", text)
    assert outbox_id is not None
    assert f"lapor-desktop website record {outbox_id.group(1)} TRACKING-ID" in text  # next step


def test_refusals_have_their_own_exit_codes_and_record_nothing(
    run: Run, data_dir: Path, opened: Desk
) -> None:
    first = _queue(opened)
    second = _queue(opened, title="Lampu jalan mati di Dabo")
    assert run(data_dir, "website", "start", first, **_as(CLERK)).code == 0
    assert run(data_dir, "website", "record", first, "7777777", **_as(CLERK)).code == 0
    assert run(data_dir, "website", "start", second, **_as(CLERK)).code == 0

    letters = run(data_dir, "website", "record", second, "ABCDEF", **_as(CLERK))
    assert letters.code == WebsiteExit.BAD_TRACKING_ID and " / " in letters.stderr
    duplicate = run(data_dir, "website", "record", second, "7777777", **_as(CLERK))
    assert duplicate.code == WebsiteExit.DUPLICATE and first in duplicate.stderr
    taken = run(data_dir, "website", "start", second, **_as(OTHER_CLERK))
    assert taken.code == WebsiteExit.HELD and CLERK in taken.stderr
    not_holder = run(data_dir, "website", "record", second, "8888888", **_as(OTHER_CLERK))
    assert not_holder.code == WebsiteExit.NOT_HOLDER
    assert run(data_dir, "website", "cancel", second, **_as(OTHER_CLERK)).code == (
        WebsiteExit.NOT_HOLDER
    )
    missing = run(data_dir, "website", "start", "2104-20200101-XXXX-0001", **_as(CLERK))
    assert missing.code == 4
    done = run(data_dir, "website", "start", first, **_as(CLERK))
    assert done.code == 4  # recorded: no longer waiting

    line = json.loads(run(data_dir, "website", "show", second, "--json", **_as(CLERK)).stdout)
    assert line["held_by"] == CLERK and line["mine"]  # still hers, still waiting


def test_a_complaint_edited_since_start_is_refused_until_started_again(
    run: Run, data_dir: Path, opened: Desk
) -> None:
    number = _queue(opened)
    started = json.loads(run(data_dir, "website", "start", number, "--json", **_as(CLERK)).stdout)
    recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    edited = opened.intake.submit(
        valid_form(incident_date=recent, title="Jalan rusak parah di Daik"),
        actor=clerk_of(opened),
        complaint_uuid=started["complaint_uuid"],
    )
    assert edited.queued, edited
    refused = run(data_dir, "website", "record", number, "3333333", **_as(CLERK))
    assert refused.code == WebsiteExit.EDITED
    again = json.loads(run(data_dir, "website", "start", number, "--json", **_as(CLERK)).stdout)
    assert again["fields"][1]["value"] == "Jalan rusak parah di Daik"  # after classification
    assert run(data_dir, "website", "record", number, "3333333", **_as(CLERK)).code == 0


def test_a_lease_left_open_is_marked_check_first_until_confirmed_not_sent(
    run: Run, data_dir: Path, opened: Desk
) -> None:
    number = _queue(opened)
    assert run(data_dir, "website", "start", number, **_as(CLERK)).code == 0
    with opened.database.write() as session:  # the PC died hours ago
        session.execute(
            update(OutboxEntry).values(
                lease_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
            )
        )
    taken = run(data_dir, "website", "start", number, **_as(OTHER_CLERK))
    assert taken.code == 0, taken.stderr
    assert "!!! " in taken.stdout and "look for it at LAPOR! first" in taken.stdout
    assert run(data_dir, "website", "not-sent", number, **_as(OTHER_CLERK)).code == 0
    assert run(data_dir, "website", "cancel", number, **_as(OTHER_CLERK)).code == 0
    line = json.loads(run(data_dir, "website", "show", number, "--json", **_as(CLERK)).stdout)
    assert not line["check_first"] and line["held_by"] is None


def test_statuses_read_on_lapor_go_into_the_timeline(
    run: Run, data_dir: Path, opened: Desk, tmp_path: Path
) -> None:
    number = _queue(opened)
    assert run(data_dir, "website", "start", number, **_as(CLERK)).code == 0
    assert run(data_dir, "website", "record", number, "4444444", **_as(CLERK)).code == 0
    answer = tmp_path / "jawaban.txt"
    answer.write_text("Laporan diteruskan ke Dinas PUPR.", encoding="utf-8")
    office_day = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()  # after 17:00 UTC: tomorrow
    today = office_day.isoformat()
    args = ("website", "status", number, "forwarded", "--date", today, "--text", str(answer))
    assert run(data_dir, *args, **_as(CLERK)).code == 0
    shown = json.loads(run(data_dir, "show", number, "--json", **_as(CLERK)).stdout)
    assert shown["status"] == "forwarded"
    assert shown["timeline"][-1]["note"] == "Laporan diteruskan ke Dinas PUPR."
    future = (office_day + dt.timedelta(days=2)).isoformat()
    bad = run(data_dir, "website", "status", number, "finished", "--date", future, **_as(CLERK))
    assert bad.code == 2
    back = run(data_dir, "website", "status", number, "queued", "--date", today, **_as(CLERK))
    assert back.code == 2  # not a status LAPOR! gives


def test_a_supervisor_moves_a_complaint_to_the_protocol_route_and_a_clerk_may_not(
    run: Run, data_dir: Path, opened: Desk
) -> None:
    number = _queue(opened)
    args = ("website", "route", number, "protocol", "--reason", "akun API sudah ada")
    refused = run(data_dir, *args, **_as(CLERK))
    assert refused.code == 9
    assert run(data_dir, *args).code == 0  # the supervisor
    listed = json.loads(run(data_dir, "website", "queue", "--json", **_as(CLERK)).stdout)
    assert listed["queue"] == []
    assert run(data_dir, "website", "route", number, "website", "--reason", " ").code == 2


def test_a_started_submission_survives_into_a_new_process_and_resumes(
    data_dir: Path, opened: Desk
) -> None:
    number = _queue(opened)
    started = cli(data_dir, "website", "start", number, "--json", user=CLERK, password=PASSWORD)
    assert started.returncode == 0, started.stderr
    handover = json.loads(started.stdout)
    seen = cli(data_dir, "website", "queue", "--json", user=OTHER_CLERK, password=PASSWORD)
    [line] = json.loads(seen.stdout)["queue"]
    assert (line["held_by"], line["since"]) == (CLERK, handover["started_at"])
    assert not line["mine"]
    refused = cli(data_dir, "website", "start", number, user=OTHER_CLERK, password=PASSWORD)
    assert refused.returncode == WebsiteExit.HELD
    resumed = cli(data_dir, "website", "start", number, "--json", user=CLERK, password=PASSWORD)
    assert resumed.returncode == 0, resumed.stderr
    again = json.loads(resumed.stdout)
    assert again["started_at"] == handover["started_at"]  # the same lease, not a new one
    recorded = cli(
        data_dir,
        "website",
        "record",
        str(again["outbox_id"]),
        "5555555",
        user=CLERK,
        password=PASSWORD,
    )
    assert recorded.returncode == 0, recorded.stderr


def test_the_training_desk_opens_the_practice_form_never_the_real_lapor(tmp_path: Path) -> None:
    with running_reference_server(tmp_path / "server", fault_injection=False) as server:
        address = training_office(server).website.address
        assert address == server.url.rstrip("/") + PRACTICE_PATH
        assert "lapor.go.id" not in address
        page = requests.get(address, timeout=10)
    assert page.status_code == 200 and "LATIHAN" in page.text


def test_the_demo_desk_stores_the_practice_form_as_its_lapor_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MACHINE_KEY_FILE_ENV, "")  # the demo sets its own; restored afterwards
    training = prepare_training_desk()
    try:
        desk = open_desk(training.paths.root)
        try:
            assert desk.context.station.training
            address = desk.context.office.website.address
        finally:
            desk.close()
        assert address == training.server.url.rstrip("/") + PRACTICE_PATH
    finally:
        training.stop()
        shutil.rmtree(training.root, ignore_errors=True)


def test_a_supervisor_sends_new_complaints_by_the_website_lane_and_back(
    run: Run, tmp_path: Path
) -> None:
    root = support_cli.set_up_desk(tmp_path)  # a protocol desk, as init makes one
    refused = run(root, "website", "new-complaints", "website", **_as(CLERK))
    changed = run(root, "website", "new-complaints", "website")
    again = run(root, "website", "new-complaints", "website")

    assert refused.code == 9
    assert changed.code == 0 and "website" in changed.stdout, changed.stderr
    assert "nothing changed" in again.stdout
    desk = open_desk(root)
    try:
        number = _queue(desk)
        assert [i.registration_number for i in desk.website.queue(actor=clerk_of(desk))] == [number]
    finally:
        desk.close()
    assert run(root, "website", "new-complaints", "protocol").code == 0
    desk = open_desk(root)
    try:
        _queue(desk)
        assert desk.website.waiting() == 1, "the one queued before keeps its route"
    finally:
        desk.close()
