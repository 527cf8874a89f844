"""The settings schema: what fits loads (older files too), what does not is refused by name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
from pathlib import Path

import pytest
from sqlalchemy import text

from lapor_desktop.desk import Desk, workstation
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.office import load_office
from lapor_desktop.settings import (
    NationalServiceSettings,
    OfficeSettings,
    SettingsRejected,
    SlaSettings,
    WorkstationSettings,
)
from tests.support.kill_mid_write import kill_mid_write

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("LAPOR_CRASH_ROUNDS", "12"))

OFFICE = OfficeSettings(
    "2104",
    "Pemerintah Kabupaten Lingga",
    timezone="Asia/Jakarta",
    sla=SlaSettings(verification_working_days=4, leave_days=(dt.date(2026, 12, 24),)),
    national=NationalServiceSettings("https://lapor.example.id", ("a2V5MQ==", "a2V5Mg==")),
    idle_lock_minutes=12,
)


def _office_with(**changes: object) -> str:
    """The stored form of ``OFFICE`` with keys changed or added, nested ones by dotted name."""
    plain = json.loads(OFFICE.to_json())
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        here = plain
        for name in parents:
            here = here[name]
        here[last] = value
    return json.dumps(plain)


def _refused(text: str) -> SettingsRejected:
    with pytest.raises(SettingsRejected) as caught:
        OfficeSettings.from_json(text)
    return caught.value


def test_office_settings_round_trip() -> None:
    assert OfficeSettings.from_json(OFFICE.to_json()) == OFFICE


def test_workstation_settings_round_trip(tmp_path: Path) -> None:
    station = WorkstationSettings("K7QX", language="en", training=True, backups_kept=3)
    station.save(tmp_path / "settings.json")
    assert WorkstationSettings.load(tmp_path / "settings.json") == station


@pytest.mark.parametrize(
    ("typo", "key"),
    [
        ({"idle_lock_minute": 5}, "idle_lock_minute"),
        ({"sla__verification_days": 3}, "sla.verification_days"),
        ({"national__server": "https://x.example"}, "national.server"),
        ({"attachments__max_mib": 20}, "attachments.max_mib"),
        ({"validation__require_ktp": True}, "validation.require_ktp"),
    ],
)
def test_an_unknown_key_is_refused_at_every_level(typo: dict[str, object], key: str) -> None:
    refused = _refused(_office_with(**typo))
    assert refused.key == key
    assert all(f'"{key}"' in refused.message.render(lang) for lang in ("id", "en"))
    assert "database" in refused.message.render("en")


def test_a_typo_in_settings_json_is_refused_naming_key_and_file_and_the_file_is_kept(
    data_paths: DataPaths,
) -> None:
    path = data_paths.workstation_settings
    typed = '{\n  "station_id": "K7QX",\n  "language": "en",\n  "backups_kept": 3,\n'
    typed += '  "idle_lock_minute": 2\n}\n'
    path.write_text(typed, encoding="utf-8")

    with pytest.raises(SettingsRejected) as caught:
        workstation(data_paths)  # what every start of the desk reads

    refused = caught.value
    assert refused.key == "idle_lock_minute"
    for language in ("id", "en"):
        shown = refused.message.render(language)
        assert '"idle_lock_minute"' in shown and str(path) in shown
    assert str(path) in str(refused)
    assert path.read_text(encoding="utf-8") == typed


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"idle_lock_minutes": "5"}, "idle_lock_minutes"),
        ({"sla__follow_up_working_days": 2.5}, "sla.follow_up_working_days"),
        ({"sla__leave_days": ["24/12/2026"]}, "sla.leave_days[0]"),
        ({"attachments__allow_audio_video": 1}, "attachments.allow_audio_video"),
        ({"national__public_keys": "a2V5MQ=="}, "national.public_keys"),
        ({"office_name": None}, "office_name"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(change: dict[str, object], key: str) -> None:
    assert _refused(_office_with(**change)).key == key


def test_a_deadline_below_one_day_is_refused() -> None:
    refused = _refused(_office_with(sla__legal_ceiling_days=0))
    assert refused.key == "sla.legal_ceiling_days"
    assert "1" in refused.message.render("en")


def test_a_file_that_is_not_a_settings_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    for content in ('{"station_id": "K7', "[]", ""):
        path.write_text(content, encoding="utf-8")
        with pytest.raises(SettingsRejected) as caught:
            WorkstationSettings.load(path)
        assert caught.value.key == "" and str(path) in caught.value.message.render("id")
        assert path.read_text(encoding="utf-8") == content


def test_a_station_id_that_cannot_go_into_a_registration_number_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"station_id": "k7-x"}', encoding="utf-8")
    with pytest.raises(SettingsRejected) as caught:
        WorkstationSettings.load(path)
    assert caught.value.key == "station_id"


def test_a_missing_required_key_is_named() -> None:
    plain = json.loads(OFFICE.to_json())
    del plain["office_code"]
    assert _refused(json.dumps(plain)).key == "office_code"


def test_an_older_file_without_the_newer_keys_loads_with_defaults(tmp_path: Path) -> None:
    older_office = (
        '{"office_code": "2104", "office_name": "Lingga", "sla": {"legal_ceiling_days": 30}}'
    )
    office = OfficeSettings.from_json(older_office)
    assert office == OfficeSettings("2104", "Lingga", sla=SlaSettings(legal_ceiling_days=30))

    path = tmp_path / "settings.json"
    path.write_text('{"station_id": "K7QX", "language": "id"}', encoding="utf-8")
    assert WorkstationSettings.load(path) == WorkstationSettings("K7QX")


def test_counts_below_one_are_read_as_one(tmp_path: Path) -> None:
    assert OfficeSettings.from_json(_office_with(idle_lock_minutes=0)).idle_lock_minutes == 1
    path = tmp_path / "settings.json"
    path.write_text('{"station_id": "K7QX", "backups_kept": 0}', encoding="utf-8")
    loaded = WorkstationSettings.load(path)
    assert loaded is not None and loaded.backups_kept == 1


def test_refused_office_settings_in_the_database_are_named_and_kept(sqlite_desk: Desk) -> None:
    stored = _office_with(sla__verification_working_day=3)
    with sqlite_desk.database.write() as session:
        session.execute(text("UPDATE office_settings SET settings_json = :s"), {"s": stored})

    with pytest.raises(SettingsRejected) as caught:
        load_office(sqlite_desk.database)

    assert caught.value.key == "sla.verification_working_day"
    with sqlite_desk.database.read() as session:
        assert session.execute(text("SELECT settings_json FROM office_settings")).scalar() == stored


def test_the_schema_classes_stay_plain_frozen_dataclasses() -> None:
    changed = dataclasses.replace(OFFICE, idle_lock_minutes=30)
    assert changed.idle_lock_minutes == 30 and OFFICE.idle_lock_minutes == 12
    with pytest.raises(dataclasses.FrozenInstanceError):
        OFFICE.office_name = "x"  # type: ignore[misc]


# Saves two different settings for ever, one after the other; says when the first is done.
SAVER = """
import sys
from pathlib import Path
from lapor_desktop.settings import WorkstationSettings

path = Path(sys.argv[1])
both = [WorkstationSettings("K7QX", language="en"), WorkstationSettings("K7QX", backups_kept=9)]
n = 0
while True:
    both[n % 2].save(path)
    if n == 0:
        print("ready", flush=True)
    n += 1
"""


def test_sigkill_while_saving_leaves_settings_that_load(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    wanted = {
        WorkstationSettings("K7QX", language="en"),
        WorkstationSettings("K7QX", backups_kept=9),
    }
    rng = random.Random(2104)
    for _ in range(ROUNDS):
        kill_mid_write(SAVER, str(path), rng=rng, within=0.1)
        assert WorkstationSettings.load(path) in wanted
