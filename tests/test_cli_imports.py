"""What start-up imports: ``--version`` loads no database layer, every command resolves.

The desk and the log also load no library that only some action needs (a
validator's, the PostgreSQL dialect, the keyring).

No timer here (a loaded machine would make it flaky): a heavy import that
creeps back onto the ``--version`` path shows up in ``sys.modules`` instead.
The figures are in docs/performance.md ("Start-up"), from bench/startup_bench.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lapor_desktop import cli
from lapor_desktop.storage import revisions

ROOT = Path(__file__).resolve().parent.parent

HEAVY = (
    "sqlalchemy",
    "alembic",
    "cryptography",
    "argon2",
    "PySide6",
    "requests",
    "openpyxl",
    "keyring",
    "holidays",
    "phonenumbers",
    "email_validator",
    "flask",
    "lapor_desktop.desk",
    "lapor_desktop.services",
    "sync",
)
"""Packages ``--version`` must not load (each also stands for its submodules)."""


def loaded_after(code: str, tmp_path: Path) -> list[str]:
    """The module names a fresh interpreter holds after running ``code``."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"LAPOR_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=True,
    )
    names: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return names


def heavy_among(names: list[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return [n for n in names if any(n == h or n.startswith(h + ".") for h in heavy)]


def test_version_loads_no_database_layer_crypto_qt_or_network(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from lapor_desktop.launcher import main
        assert main(["--version"]) == 0
        """
    )
    assert heavy_among(loaded_after(code, tmp_path)) == []


def test_version_of_an_existing_sqlite_file_loads_no_database_layer(tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    (tmp_path / "data").mkdir()
    with closing(sqlite3.connect(tmp_path / "data" / "lapor.sqlite3")) as connection, connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (revisions.head_revision(),))
    code = textwrap.dedent(
        """
        from lapor_desktop.launcher import main
        assert main(["--version"]) == 0
        """
    )
    assert heavy_among(loaded_after(code, tmp_path)) == []


def test_opening_the_desk_module_loads_no_validator_library_or_postgresql_dialect(
    tmp_path: Path,
) -> None:
    code = "import lapor_desktop.desk, lapor_desktop.services.intake, lapor_desktop.services.lookup"
    loaded = loaded_after(code, tmp_path)

    assert "sqlalchemy" in loaded, "the desk module is what the window and list open"
    deferred = ("email_validator", "phonenumbers", "sqlalchemy.dialects.postgresql")
    assert heavy_among(loaded, deferred) == []


def test_the_validators_load_their_library_on_the_first_check(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from lapor_desktop.validation.email import check_email
        from lapor_desktop.validation.phone import check_phone
        assert check_email("warga@example.com") == ("warga@example.com", None)
        assert check_phone("0812 3456 7890") == ("+6281234567890", None)
        """
    )
    loaded = loaded_after(code, tmp_path)

    assert "email_validator" in loaded
    assert "phonenumbers" in loaded


def test_starting_the_log_loads_no_keyring_or_crypto(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    code = textwrap.dedent(
        f"""
        import logging
        from pathlib import Path
        from lapor_desktop.paths import DataPaths
        from sync.desk_logging import start_logging
        start_logging(DataPaths(Path({str(tmp_path / "data")!r})))
        logging.getLogger("lapor_desktop").warning("started")
        """
    )
    loaded = loaded_after(code, tmp_path)

    assert heavy_among(loaded, ("keyring", "cryptography", "argon2", "sync.device_token")) == []


def test_the_token_store_registers_with_the_logs_one_redactor() -> None:
    from sync import device_token, token_redactor

    assert device_token.REDACTOR is token_redactor.REDACTOR
    assert device_token.RedactSecrets is token_redactor.RedactSecrets


def test_building_the_parser_and_help_load_no_service(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from lapor_desktop.cli.parser import build_parser
        build_parser().format_help()
        import lapor_desktop.launcher, lapor_desktop.cli
        """
    )
    assert heavy_among(loaded_after(code, tmp_path)) == []


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_in_the_table_resolves_to_a_function(name: str) -> None:
    entry = cli.COMMANDS[name]
    assert isinstance(entry, str), "the table names modules; it does not import them"
    assert callable(cli.resolve(entry))


def test_the_revisions_read_from_the_scripts_are_alembics() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from lapor_desktop.storage.migrate import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    scripts = ScriptDirectory.from_config(config)
    assert revisions.head_revision() == scripts.get_current_head()
    assert revisions.known_revisions() == {s.revision for s in scripts.walk_revisions()}


def test_a_script_without_a_revision_is_not_a_migration(tmp_path: Path) -> None:
    helper = tmp_path / "helpers.py"
    helper.write_text("VALUE = 1\n", "utf-8")
    merge = tmp_path / "0009_merge.py"
    merge.write_text('revision = "0009"\ndown_revision = ("0007", "0008")\n', "utf-8")

    assert revisions.read_revision(helper) is None
    assert revisions.read_revision(merge) == revisions.Revision("0009", ("0007", "0008"))
