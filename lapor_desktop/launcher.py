"""The entry point (``lapor-desktop``): the only module that knows every layer.

It starts the window, the self-test and training mode, and hands every
other command to the command line, passing it the window as a function so
that the command line never imports Qt. Nothing imports this module.
"""

from __future__ import annotations

import argparse
import shutil
import sys


def main(argv: list[str] | None = None) -> int:
    """Run ``lapor-desktop ARGS`` and return the exit code."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["demo"]:
        return run_demo(arguments[1:])
    if arguments[:1] == ["--self-test"]:
        return run_self_test(arguments[1:])
    from lapor_desktop.cli import main as command_line

    return command_line(arguments, open_window=run_gui)


def run_gui(argv: list[str]) -> int:
    """Open the desk window; Qt loads only here."""
    from ui.app import run

    return run(argv)


def run_self_test(argv: list[str]) -> int:
    """Check this installation on a throwaway desk (``--self-test``)."""
    from ui.self_test import run

    return run(argv)


def run_demo(argv: list[str]) -> int:
    """Training mode: a throwaway desk beside an in-process reference server, in the window.

    The folder is deleted when the window closes: training data is thrown away.
    """
    from sync.training_demo import prepare_training_desk

    parser = argparse.ArgumentParser(prog="lapor-desktop demo")
    parser.add_argument("--setup-only", action="store_true", help="prepare, print, do not open")
    args = parser.parse_args(argv)
    training = prepare_training_desk()
    try:
        print(training.banner(), flush=True)
        if args.setup_only:
            return 0
        code = run_gui(["--data-dir", str(training.paths.root), "--training"])
        shutil.rmtree(training.root, ignore_errors=True)
        return code
    finally:
        training.stop()
