"""Start-up time of ``lapor-desktop`` against a baseline commit, both measured in the same run.

Each tree (this one, and the baseline checked out with ``git worktree add`` into
a temporary folder) is run by the same virtualenv with ``PYTHONPATH`` pointing at
it, interleaved run by run so that the machine's load falls on both alike:
``--version``, and ``list`` on a desk of complaints set up through each tree's own
``init`` and ``import`` (signed in with ``LAPOR_USER``/``LAPOR_PASSWORD``). The
password work of signing in (Argon2 verification of the account's hash and the
Argon2id derivation that unwraps the data key, with the desk's own parameters)
is timed on its own and subtracted. With ``--gui-data``, also the window's cold
start on that (1,000,000-complaint) data folder, by each tree's ``bench.gui_bench``.
Prints a table and JSON; no pass/fail, see docs/performance.md ("Start-up").

    .venv/bin/python -m bench.startup_bench --runs 15
    .venv/bin/python -m bench.complaints_bench --rows 1000000     # the GUI's database, once
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.startup_bench --gui-data bench/out/data
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "372f6e3"
"""The commit before the start-up work: the command line imported every command."""
USER, PASSWORD = "kepala", "Daik-Lingga-2104!"
COMPLAINTS = 200
TIMEOUT_S = 300.0


def register_file(path: Path, rows: int) -> Path:
    """A register of anonymous ``aspirasi`` rows, the shape every version has imported."""
    lines = ["klasifikasi;judul;isi_laporan;kanal;anonim"]
    lines += [
        f"aspirasi;Usulan warga nomor {n};Mohon perbaikan layanan umum di Daik, usulan {n}.;"
        "tatap_muka;ya"
        for n in range(1, rows + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Tree:
    """One checkout of the code, run by this interpreter."""

    def __init__(self, name: str, root: Path, work: Path) -> None:
        self.name, self.root = name, root
        self.data = work / name / "data"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
        self.env.update(
            PYTHONPATH=str(root),
            LAPOR_MACHINE_KEY_FILE=str(work / name / "machine.key"),
            LAPOR_USER=USER,
            LAPOR_PASSWORD=PASSWORD,
        )

    def command(self, *args: str, timed: bool = False) -> list[str]:
        options = ["-X", "importtime"] if timed else []
        return [
            sys.executable,
            *options,
            "-m",
            "lapor_desktop",
            "--data-dir",
            str(self.data),
            *args,
        ]

    def run(self, argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
        """Wall time of one fresh process, from start to exit; its stderr."""
        started = time.perf_counter()
        done = subprocess.run(
            argv,
            cwd=self.root,
            env=env or self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: {' '.join(argv)} failed:\n{done.stderr}")
        return elapsed, done.stderr

    def set_up_desk(self, register: Path) -> None:
        self.data.parent.mkdir(parents=True)
        init = ("init", "--office-code", "2104", "--office-name", "Kabupaten Lingga")
        self.run(self.command(*init, "--supervisor", USER))
        self.run(self.command("import", str(register)))

    def imports_s(self, *args: str) -> float:
        """What ``-X importtime`` counts for the process's top-level imports, in seconds."""
        _, report = self.run(self.command(*args, timed=True))
        total = 0
        for line in report.splitlines():
            if not line.startswith("import time:"):
                continue
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit() and not name.startswith("  "):
                total += int(cumulative)
        return total / 1e6


def password_work_s(data: Path, runs: int = 5) -> dict[str, float]:
    """Argon2 at sign-in with the desk's parameters: the account's hash, and the key wrap's KDF."""
    from argon2 import PasswordHasher
    from argon2.low_level import Type, hash_secret_raw

    from lapor_desktop.security.keys import KEK_BYTES, KdfParams

    with closing(sqlite3.connect(data / "lapor.sqlite3")) as connection:
        (stored,) = connection.execute(
            "SELECT password_hash FROM users WHERE username = ?", (USER,)
        ).fetchone()
        kdfs = [json.loads(k) for (k,) in connection.execute("SELECT kdf FROM key_wraps")]
    params = next(KdfParams.from_json(k) for k in kdfs if k)

    def verify() -> None:
        PasswordHasher().verify(stored, PASSWORD)

    def derive() -> None:
        hash_secret_raw(
            secret=PASSWORD.encode(),
            salt=params.salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
            hash_len=KEK_BYTES,
            type=Type.ID,
        )

    return {"verify_s": _median_of(verify, runs), "unwrap_kdf_s": _median_of(derive, runs)}


def _median_of(work: Callable[[], None], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median_s": round(statistics.median(ordered), 3), "p90_s": round(p90, 3)}


def time_cli(trees: list[Tree], runs: int) -> dict[str, dict[str, Any]]:
    """``--version`` and ``list``, the trees interleaved run by run."""
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        for tree in trees:
            for label, args in (("--version", ("--version",)), ("list", ("list",))):
                elapsed, _ = tree.run(tree.command(*args))
                samples.setdefault((tree.name, label), []).append(elapsed)
    result: dict[str, dict[str, Any]] = {}
    for tree in trees:
        result[tree.name] = {
            label: {
                **summary(samples[(tree.name, label)]),
                "imports_s": round(tree.imports_s(*args), 3),
            }
            for label, args in (("--version", ("--version",)), ("list", ("list",)))
        }
    return result


def time_gui(trees: list[Tree], data: Path, runs: int) -> dict[str, dict[str, float]]:
    """Each tree's own ``bench.gui_bench`` child: a fresh window process per run."""
    samples: dict[str, dict[str, list[float]]] = {t.name: {} for t in trees}
    data = data.resolve()
    for round_ in range(runs + 1):  # the first round warms the file cache and takes the backup
        for tree in trees:
            env = dict(tree.env, QT_QPA_PLATFORM="offscreen")
            env["LAPOR_MACHINE_KEY_FILE"] = str(data.parent / "machine.key")
            started = time.monotonic()
            argv = [sys.executable, "-m", "bench.gui_bench", "--child", "--data-dir", str(data)]
            done = subprocess.run(
                argv, cwd=tree.root, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
            )
            if done.returncode != 0:
                raise RuntimeError(f"{tree.name}: the window failed:\n{done.stderr}")
            marks = json.loads(done.stdout.strip().splitlines()[-1])["marks"]
            if round_ == 0:
                continue
            phases = {
                "imports": marks["imported"] - started,
                "open_desk": marks["opened"] - marks["imported"],
                "sign_in": marks["signed_in"] - marks["opened"],
                "window_and_first_page": marks["ready"] - marks["signed_in"],
                "cold_start_without_sign_in": marks["ready"]
                - started
                - (marks["signed_in"] - marks["opened"]),
            }
            for key, value in phases.items():
                samples[tree.name].setdefault(key, []).append(value)
    return {
        name: {
            f"{key}_median_s": round(statistics.median(values), 3)
            for key, values in phases_of.items()
        }
        | {
            "cold_start_without_sign_in_p90_s": summary(phases_of["cold_start_without_sign_in"])[
                "p90_s"
            ]
        }
        for name, phases_of in samples.items()
    }


@contextmanager
def baseline_tree(commit: str, work: Path) -> Iterator[Path]:
    """The baseline commit checked out beside this tree (removed afterwards)."""
    folder = work / "baseline-tree"
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(folder), commit], check=True)
    try:
        yield folder
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(folder)], check=False)


def table(cli: dict[str, dict[str, Any]], work: dict[str, float]) -> str:
    rows = [
        "| tree | command | median | p90 | imports (one -X importtime run) |",
        "|---|---|---|---|---|",
    ]
    for name, commands in cli.items():
        for label, figures in commands.items():
            rows.append(
                f"| {name} | {label} | {figures['median_s']:.3f} s | {figures['p90_s']:.3f} s | "
                f"{figures['imports_s']:.3f} s |"
            )
    argon = work["verify_s"] + work["unwrap_kdf_s"]
    rows.append("")
    rows.append(
        f"password work at sign-in: {argon:.3f} s (verify {work['verify_s']:.3f} s + "
        f"key-wrap KDF {work['unwrap_kdf_s']:.3f} s)"
    )
    for name, commands in cli.items():
        rows.append(
            f"{name}: list minus password work {commands['list']['median_s'] - argon:.3f} s"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", default=BASELINE, help=f"commit (default {BASELINE})")
    parser.add_argument(
        "--gui-data", type=Path, help="a data folder made by bench.complaints_bench"
    )
    parser.add_argument("--gui-runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/out/startup_bench.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as temporary:
        work = Path(temporary)
        with baseline_tree(args.baseline, work) as baseline:
            trees = [Tree("baseline", baseline, work), Tree("current", ROOT, work)]
            register = register_file(work / "register.csv", COMPLAINTS)
            for tree in trees:
                tree.set_up_desk(register)
                tree.run(tree.command("list"))  # the day's first open takes a backup: not timed
            cli = time_cli(trees, args.runs)
            work_s = password_work_s(trees[1].data)
            result: dict[str, Any] = {
                "runs": args.runs,
                "baseline": args.baseline,
                "complaints": COMPLAINTS,
                "cli": cli,
                "password_work": {k: round(v, 3) for k, v in work_s.items()},
            }
            if args.gui_data is not None:
                result["gui"] = time_gui(trees, args.gui_data, args.gui_runs)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(table(cli, work_s))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
