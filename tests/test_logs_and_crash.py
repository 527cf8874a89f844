"""The rotating log and the crash reports: written in the data folder, with no personal data."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_desktop import __version__
from lapor_desktop.crash import crash_folder, write_crash_report
from lapor_desktop.logs import LOG_FILE, MAX_BYTES, configure_logging, scrub
from lapor_desktop.paths import DataPaths
from sync import desk_logging
from sync.device_token import REDACTOR

NIK = "2104014508900001"
PHONE = "0812 7700 0001"
EMAIL = "warga.rahasia@example.id"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def log_paths(data_paths: DataPaths) -> Iterator[DataPaths]:
    """Logging configured into this test's data folder, and taken down afterwards."""
    handler = configure_logging(data_paths)
    yield data_paths
    logging.getLogger().removeHandler(handler)
    handler.close()


def _log_text(paths: DataPaths) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "".join(p.read_text("utf-8") for p in sorted(paths.logs.glob(LOG_FILE + "*")))


def test_the_log_is_in_the_data_folder_and_keeps_nik_phone_and_email_out(
    log_paths: DataPaths,
) -> None:
    log = logging.getLogger("lapor_desktop.services.intake")
    log.warning("saved complaint LPR-2104-AB12-000001 for %s, phone %s, %s", NIK, PHONE, EMAIL)
    try:
        raise ValueError(f"NIK {NIK} is already registered to +6281277000001")
    except ValueError:
        log.exception("lookup failed")

    text = _log_text(log_paths)

    assert "LPR-2104-AB12-000001" in text and "lookup failed" in text
    assert "ValueError" in text and "Traceback" in text
    for secret in (NIK, PHONE, EMAIL, "6281277000001"):
        assert secret not in text


def test_the_log_rotates(log_paths: DataPaths) -> None:
    log = logging.getLogger("lapor_desktop.test")
    line = "x" * 1000
    for _ in range(MAX_BYTES // 1000 + 50):
        log.info(line)

    files = sorted(p.name for p in log_paths.logs.iterdir())

    assert files == [LOG_FILE, LOG_FILE + ".1"]
    assert (log_paths.logs / LOG_FILE).stat().st_size < MAX_BYTES


def test_configuring_again_does_not_write_every_line_twice(log_paths: DataPaths) -> None:
    handler = configure_logging(log_paths)
    logging.getLogger("lapor_desktop.test").warning("once")
    try:
        assert _log_text(log_paths).count("once") == 1
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_the_application_log_also_redacts_the_device_token(data_paths: DataPaths) -> None:
    token = "dt_" + "Q7xw" * 10
    REDACTOR.register(token)
    desk_logging.start_logging(data_paths)
    try:
        logging.getLogger("urllib3.connectionpool").warning("GET /feed?t=%s 200", token)
        text = _log_text(data_paths)
    finally:
        handler = logging.getLogger().handlers[-1]
        logging.getLogger().removeHandler(handler)
        handler.close()

    assert "GET /feed?t=****" in text and token not in text


def test_scrub_leaves_identifiers_and_dates_alone() -> None:
    text = "LPR-2104-AB12-000123 at 2026-11-27 09:30, uuid 3f2a9c1e-0b7d-4a55-9e1a-1c2d3e4f5a6b"
    assert scrub(text) == text


def _save_for(person: dict[str, str]) -> None:
    """A bug in the middle of a save: the form (in locals) and the NIK (in the message)."""
    form = dict(person)
    raise RuntimeError(f"cannot seal identity {form['nik']} for {form['email']}")


def test_a_crash_report_has_the_traceback_but_no_locals_and_no_personal_data(
    data_paths: DataPaths,
) -> None:
    person = {"full_name": "Wiryaningsih Purbasari", "nik": NIK, "email": EMAIL}
    try:
        try:
            _save_for(person)
        except RuntimeError as error:
            raise OSError("the save failed") from error
    except OSError as error:
        report = write_crash_report(data_paths, error)

    text = report.read_text("utf-8")

    assert report.parent == crash_folder(data_paths) and report.name.startswith("crash-")
    assert f"LAPOR! Desktop {__version__}" in text and "platform:" in text
    assert "in _save_for" in text and "RuntimeError: cannot seal identity [removed]" in text
    assert "direct cause" in text and "OSError: the save failed" in text
    for secret in (NIK, EMAIL, "Wiryaningsih", "Purbasari"):
        assert secret not in text


def test_an_uncaught_error_writes_a_report_and_says_where_it_is(tmp_path: Path) -> None:
    data = DataPaths(tmp_path / "data").ensure()
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from lapor_desktop.crash import install_excepthook\n"
        "from lapor_desktop.paths import DataPaths\n"
        "install_excepthook(DataPaths(Path(sys.argv[1])))\n"
        f"raise KeyError('warga {NIK}')\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", program, str(data.root)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )

    (report,) = crash_folder(data).iterdir()
    assert ran.returncode == 1
    assert str(report) in ran.stderr and "IT staff" in ran.stderr
    assert NIK not in report.read_text("utf-8") and NIK not in ran.stderr
    assert "KeyError" in report.read_text("utf-8")


def test_an_uncaught_error_in_a_worker_thread_writes_a_report_too(data_paths: DataPaths) -> None:
    import threading

    from lapor_desktop.crash import install_excepthook

    told: list[Path] = []
    previous = sys.excepthook, threading.excepthook
    install_excepthook(data_paths, told.append)
    try:
        worker = threading.Thread(target=_save_for, args=({"nik": NIK, "email": EMAIL},))
        worker.start()
        worker.join()
    finally:
        sys.excepthook, threading.excepthook = previous

    assert len(told) == 1 and told[0].is_file()
    assert NIK not in told[0].read_text("utf-8")


def test_a_bug_in_a_command_writes_a_crash_report_and_the_command_line_says_where(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from lapor_desktop import cli
    from tests.support.cli import in_process, set_up_desk

    data_dir = set_up_desk(tmp_path)

    def buggy(*_: object) -> int:
        raise ZeroDivisionError(f"division by zero for NIK {NIK}")

    monkeypatch.setitem(cli.COMMANDS, "list", buggy)  # stands in for a bug: none is known
    try:
        ran = in_process(monkeypatch, capsys)(data_dir, "list")
    finally:
        handler = logging.getLogger().handlers[-1]
        logging.getLogger().removeHandler(handler)
        handler.close()

    (report,) = (data_dir / "crash-reports").iterdir()
    assert ran.code == 1
    assert str(report) in ran.stderr
    assert "ZeroDivisionError" in report.read_text("utf-8")
    assert NIK not in report.read_text("utf-8")
    assert "crash report written" in (data_dir / "logs" / LOG_FILE).read_text("utf-8")
