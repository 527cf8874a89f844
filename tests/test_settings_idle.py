"""The idle-lock time is an office setting: stored, checked, and older settings still load."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lapor_desktop.services.settings_service import MAX_IDLE_MINUTES, check_settings
from lapor_desktop.settings import OfficeSettings

OFFICE = OfficeSettings("2104", "Pemerintah Kabupaten Lingga")


def test_it_round_trips_and_an_older_file_takes_five_minutes() -> None:
    changed = dataclasses.replace(OFFICE, idle_lock_minutes=12)
    assert OfficeSettings.from_json(changed.to_json()).idle_lock_minutes == 12
    older = json.loads(OFFICE.to_json())
    del older["idle_lock_minutes"]
    assert OfficeSettings.from_json(json.dumps(older)).idle_lock_minutes == 5


@pytest.mark.parametrize("minutes", [0, MAX_IDLE_MINUTES + 1])
def test_a_time_out_of_range_is_named(minutes: int) -> None:
    issues = check_settings(dataclasses.replace(OFFICE, idle_lock_minutes=minutes))
    assert [issue.field for issue in issues] == ["idle_lock_minutes"]
    assert str(MAX_IDLE_MINUTES) in issues[0].message.render("id")


def test_the_limits_themselves_are_accepted() -> None:
    for minutes in (1, MAX_IDLE_MINUTES):
        assert check_settings(dataclasses.replace(OFFICE, idle_lock_minutes=minutes)) == []
