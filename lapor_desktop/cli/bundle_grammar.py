"""The grammar of ``bundle ...`` (``cli/bundle_command.py`` runs it): argparse only, so
building the parser loads no service (tests/test_cli_imports.py)."""

from __future__ import annotations

import argparse
from typing import Any


def add_bundle_parser(
    commands: argparse._SubParsersAction[Any], common: argparse.ArgumentParser
) -> None:
    bundle = commands.add_parser(
        "bundle",
        parents=[common],
        help="offline bundles for a USB stick or a phone: export, import, list (supervisor, IT)",
    )
    sub = bundle.add_subparsers(dest="bundle_command", metavar="SUBCOMMAND", required=True)
    export = sub.add_parser(
        "export", parents=[common], help="seal what waits to be sent into the next bundle"
    )
    export.add_argument("--to", required=True, metavar="FOLDER", help="e.g. the USB stick")
    export.add_argument(
        "--max-volume-mb",
        type=float,
        metavar="MB",
        help="cut the bundle into volumes of at most this size (a phone's message limit)",
    )
    export.add_argument(
        "--again", action="store_true", help="also what earlier bundles carry (a lost stick)"
    )
    export.add_argument(
        "--parent",
        action="store_true",
        help="a hand-over bundle for the parent office's desk, which submits for this office",
    )
    take = sub.add_parser(
        "import", parents=[common], help="take in a bundle: relay it, or record its receipts"
    )
    take.add_argument("files", nargs="+", metavar="FILE", help="every volume of one bundle")
    sub.add_parser("list", parents=[common], help="bundles made, relayed and returned")
    returns = sub.add_parser(
        "returns", parents=[common], help="copy the return bundles this desk relayed, for the trip"
    )
    returns.add_argument("--to", required=True, metavar="FOLDER")
    key = sub.add_parser(
        "keys",
        parents=[common],
        help="this desk's public bundle keys (for the service's 'trust-desk'); the national key",
    )
    for who, what in (("parent", "the parent office"), ("trust", "a district office")):
        key.add_argument(f"--{who}-office", metavar="CODE", help=f"{what}'s office code")
        key.add_argument(f"--{who}-signing-key", metavar="KEY", help=f"{what}'s signing key")
        key.add_argument(f"--{who}-sealing-key", metavar="KEY", help=f"{what}'s sealing key")
    answer = sub.add_parser(
        "answer",
        parents=[common],
        help="parent office: the return bundle for a district's hand-over (tracking IDs)",
    )
    answer.add_argument("--office", required=True, metavar="CODE")
    answer.add_argument("--to", required=True, metavar="FOLDER")
    key.add_argument(
        "--national-key",
        metavar="KEY",
        help="the national service's bundle key (base64), for a desk that never went online",
    )
