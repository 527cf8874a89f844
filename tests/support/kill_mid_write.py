"""Start a writing child process and SIGKILL it at a random moment, for crash-safety tests."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def kill_mid_write(script: str, *args: str, rng: random.Random, within: float) -> None:
    """Run ``python -c script args``; once it prints ``ready``, kill it within ``within`` s.

    Asserts that the child was really killed (a child that finished first fails the test).
    """
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == b"ready\n"
    try:
        child.wait(timeout=rng.uniform(0.0, within))
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
    _, err = child.communicate()
    assert child.returncode == -signal.SIGKILL, err
