"""Training mode: a throwaway desk with sample complaints beside a loopback reference server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lapor_desktop.settings import WorkstationSettings
from sync.training_demo import DEMO_FRONT_DESK

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lapor_desktop", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_demo_prepares_a_marked_training_desk_with_samples_and_working_accounts() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    prepared = _run("demo", "--setup-only", env=env)
    assert prepared.returncode == 0, prepared.stderr
    assert "PELATIHAN / TRAINING" in prepared.stdout
    assert "first sync: 5 sent, 0 rejected" in prepared.stdout
    match = re.search(r"data: (\S+)", prepared.stdout)
    assert match is not None
    data = Path(match.group(1))
    try:
        assert str(data).startswith(os.path.realpath(os.environ.get("TMPDIR", "/tmp")))
        settings = WorkstationSettings.load(data / "settings.json")
        assert settings is not None and settings.training
        user, password = DEMO_FRONT_DESK
        env.update(
            LAPOR_MACHINE_KEY_FILE=str(data.parent / "machine.key"),
            LAPOR_USER=user,
            LAPOR_PASSWORD=password,
        )
        listed = _run("--data-dir", str(data), "list", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        assert '"total": 5' in listed.stdout
        assert listed.stdout.count('"sync_state": "sent"') == 5, "the first pass sent them all"
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)
