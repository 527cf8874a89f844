"""A refused settings file and a tampered identity end a command with a message, not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from lapor_desktop.cli.exit_codes import ExitCode, classify
from lapor_desktop.services.identity_vault import IdentityTampered
from lapor_desktop.settings import SettingsRejected, WorkstationSettings


def test_a_settings_file_with_an_unknown_key_exits_with_the_database_code(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"station_id": "K7QX", "idle_lock_minute": 5}), encoding="utf-8")
    try:
        WorkstationSettings.load(path)
    except SettingsRejected as error:
        code, message = classify(error)
    else:
        raise AssertionError("an unknown key was accepted")

    assert code is ExitCode.DATABASE
    assert "idle_lock_minute" in message.render("en") and "idle_lock_minute" in message.render("id")


def test_a_tampered_identity_exits_with_the_database_code_and_names_the_complaint() -> None:
    code, message = classify(IdentityTampered("6f1c2d7e-0000-4000-8000-000000000001", "nik"))

    assert code is ExitCode.DATABASE
    assert "6f1c2d7e-0000-4000-8000-000000000001" in message.render("en")
