"""The desk window on the 1,000,000-complaint database: cold start, jump to the last row, memory.

Each run is a fresh process (``--child``) timed from the moment the parent
starts it: Python and Qt start, the desk opens (start-up check, backups,
migrations), the supervisor signs in through the real services (Argon2,
reported on its own: a person types the password meanwhile), the main
window is built and shown, and the list's first page has arrived. The same
process then opens the list, jumps to its last row with Ctrl+End, scrolls
around, and reads its resident memory. Prints JSON; no pass/fail, see
docs/performance.md for the targets and figures.

    .venv/bin/python -m bench.complaints_bench --rows 1000000   # the database, once
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.gui_bench
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("bench/out/data")
SUPERVISOR = ("kepala", "Daik-Lingga-2104!")
"""The first supervisor ``bench.complaints_bench`` sets up."""
SCROLL_STOPS = 25
TIMEOUT_S = 120.0


def child(data_dir: Path) -> dict[str, Any]:
    """One cold start and the list measurements, in this process (started by the parent)."""
    marks: dict[str, float] = {}
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from lapor_desktop.desk import open_existing_desk
    from lapor_desktop.i18n import LANGUAGES
    from lapor_desktop.paths import DataPaths
    from lapor_desktop.services.accounts import SignedIn
    from ui.i18n import Language
    from ui.main_window import MainWindow
    from ui.style import STYLESHEET

    marks["imported"] = time.monotonic()

    def run_until(done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the window did not answer in time")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    application = QApplication([sys.argv[0]])
    application.setApplicationName("LAPOR! Desktop")
    application.setStyleSheet(STYLESHEET)
    language = Language()
    desk = open_existing_desk(DataPaths(data_dir.resolve()))
    marks["opened"] = time.monotonic()
    if desk.context.station.language in LANGUAGES:
        language.switch(desk.context.station.language)
    outcome = desk.sign_in(*SUPERVISOR)
    assert isinstance(outcome, SignedIn), outcome
    marks["signed_in"] = time.monotonic()
    window = MainWindow(desk, outcome.principal.actor, language)
    model = window.model
    answered: list[bool] = []
    model.page_loaded.connect(lambda: answered.append(True))
    window.resize(1280, 860)
    window.show()
    marks["shown"] = time.monotonic()

    def exposed() -> bool:
        handle = window.windowHandle()
        return handle is not None and handle.isExposed()

    run_until(lambda: bool(answered) and exposed())
    window.repaint()
    marks["ready"] = time.monotonic()

    run_until(lambda: not window.runner.busy)  # reference data, settings, sync state
    marks["settled"] = time.monotonic()
    before_list = _memory()["rss_mb"]
    window.show_list()
    table = window.list.table
    answered.clear()
    opened = time.monotonic()
    window.list.apply_filters()
    run_until(lambda: bool(answered))
    table.repaint()
    open_list = time.monotonic() - opened
    answered.clear()
    opened = time.monotonic()
    window.list.apply_filters()
    run_until(lambda: bool(answered))
    table.repaint()
    open_list_again = time.monotonic() - opened
    total = model.rowCount()

    def loaded(row: int) -> bool:
        try:
            model.summary(row)
        except LookupError:
            return False
        return True

    def all_loaded(rows: tuple[int, ...]) -> bool:
        return all(loaded(row) for row in rows)

    table.setFocus()
    jumped = time.monotonic()
    QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    run_until(lambda: loaded(total - 1))
    table.repaint()
    jump = time.monotonic() - jumped

    bar, rng, stops = table.verticalScrollBar(), random.Random(2104), []
    for _ in range(SCROLL_STOPS):
        bar.setValue(rng.randint(0, bar.maximum()))
        started = time.monotonic()
        table.repaint()
        top = table.rowAt(0)
        bottom = table.rowAt(table.viewport().height() - 1)
        bottom = total - 1 if bottom < 0 else bottom
        run_until(functools.partial(all_loaded, (top, bottom)))
        table.repaint()
        stops.append(time.monotonic() - started)
    memory = _memory()
    result = {
        "marks": marks,
        "rows": total,
        "open_list_ms": round(open_list * 1000, 1),
        "open_list_again_ms": round(open_list_again * 1000, 1),
        "jump_to_last_ms": round(jump * 1000, 1),
        "scroll_stop_ms_median": round(statistics.median(stops) * 1000, 1),
        "scroll_stop_ms_max": round(max(stops) * 1000, 1),
        "pages_kept": model.pages_kept,
        "rss_before_list_work_mb": before_list,
        **memory,
    }
    window.close()
    window.runner.shutdown()
    desk.close()
    return result


def _memory() -> dict[str, float]:
    """Resident and peak resident memory of this process, in MiB, as the kernel counts them."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields["VmRSS"], "peak_rss_mb": fields["VmHWM"]}


def one_run(data_dir: Path) -> dict[str, Any]:
    """A fresh process; every phase measured from the moment it was started."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.gui_bench", "--child", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measured process failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    marks = result.pop("marks")
    phases = {
        "interpreter_and_imports_s": marks["imported"] - started,
        "open_desk_s": marks["opened"] - marks["imported"],
        "sign_in_s": marks["signed_in"] - marks["opened"],
        "window_built_s": marks["shown"] - marks["signed_in"],
        "first_page_shown_s": marks["ready"] - marks["shown"],
        "start_up_tasks_done_s": marks["settled"] - started,
        "cold_start_s": marks["ready"] - started,
    }
    phases["cold_start_without_sign_in_s"] = phases["cold_start_s"] - phases["sign_in_s"]
    return {**{k: round(v, 3) for k, v in phases.items()}, **result}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=Path("bench/out/gui_bench.json"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # No OS keyring on a benchmark machine: the key file bench.complaints_bench made.
    key_file = args.data_dir.resolve().parent / "machine.key"
    os.environ.setdefault("LAPOR_MACHINE_KEY_FILE", str(key_file))
    if args.child:
        print(json.dumps(child(args.data_dir)))
        return {}
    # The first start of the day also takes the daily backup, and warms the file cache.
    warm_up = one_run(args.data_dir)
    runs = [one_run(args.data_dir) for _ in range(args.runs)]
    medians = {
        key: round(statistics.median(run[key] for run in runs), 3)
        for key, value in runs[0].items()
        if isinstance(value, int | float)
    }
    result = {"runs": len(runs), "median": medians, "each": runs, "warm_up": warm_up}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
