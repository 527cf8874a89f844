"""The project's own checks, run as part of the test suite: lint, format, types, layers."""

from __future__ import annotations

import json
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import lapor_desktop
import sync

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_no_lint_problems() -> None:
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted_with_ruff() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes_on_core_sync_and_ui() -> None:
    result = _run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_layer_contracts_hold() -> None:
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def _all_modules(package: object) -> list[str]:
    path = package.__path__  # type: ignore[attr-defined]
    prefix = package.__name__ + "."  # type: ignore[attr-defined]
    return [
        m.name
        for m in pkgutil.walk_packages(path, prefix)
        if ".migrations" not in m.name and not m.name.endswith("__main__")
    ]


ABOVE_SYNC = ("lapor_desktop.cli", "lapor_desktop.launcher")
"""The parts of the ``lapor_desktop`` package that sit above the sync engine, not in the core."""


def _core_modules() -> list[str]:
    return [m for m in _all_modules(lapor_desktop) if not m.startswith(ABOVE_SYNC)]


def _loaded_after_importing(modules: list[str]) -> list[str]:
    """Qt and HTTP modules loaded by importing ``modules`` in a fresh interpreter."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'requests'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_the_core_loads_neither_qt_nor_http() -> None:
    """Import every core module in a fresh interpreter: no PySide6, no requests."""
    modules = _core_modules()
    assert "lapor_desktop.desk" in modules
    assert _loaded_after_importing(modules) == []


@pytest.mark.parametrize("package", [lapor_desktop, sync], ids=["command-line", "sync"])
def test_the_command_line_and_sync_load_without_qt(package: object) -> None:
    """The command line and the engine may use HTTP, never Qt (the launcher opens the window)."""
    modules = _all_modules(package)
    assert modules
    loaded = _loaded_after_importing(modules)
    assert [m for m in loaded if not m.startswith("requests")] == []


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layered,) = [c for c in contracts if c["type"] == "layers"]
    assert "ignore_imports" not in layered
    return [name.strip() for layer in layered["layers"] for name in re.split(r"[|:]", layer)]


def test_every_part_of_the_core_package_is_in_a_layer() -> None:
    """A new module or folder in ``lapor_desktop/`` must be placed in the layers contract."""
    top_level = {
        ".".join(m.split(".")[:2])
        for m in _all_modules(lapor_desktop)
        if m.count(".") >= 1 and not m.endswith("__main__")
    }
    layered = set(_layers())
    assert sorted(top_level - layered) == []
    assert {"ui", "sync", "lapor_desktop.cli", "lapor_desktop.launcher"} <= layered


def test_no_contract_lists_exceptions() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == []


MAX_MODULE_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    """A module over 400 lines is probably two (docs/architecture.md, style)."""
    long = sorted(
        f"{path.relative_to(ROOT)}: {lines}"
        for package in ("lapor_desktop", "sync", "ui")
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    )
    assert long == []
