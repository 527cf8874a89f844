"""``python -m sync.reference_server`` (and ``lapor-desktop reference-server``): run it in front.

On start it writes ``server.json`` in the data folder (URL, public key,
tokens file) so scripts that asked for ``--port 0`` can find it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
from pathlib import Path
from types import FrameType

from lapor_desktop import durable_files
from lapor_desktop.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Message
from sync.reference_server.config import (
    DeviceToken,
    Faults,
    ServerConfig,
    ServerLimits,
    WorkflowTimings,
)
from sync.reference_server.keys import TOKENS_FILE
from sync.reference_server.running import build_server

SERVER_FILE = "server.json"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lapor-desktop reference-server",
        description="The reference LAPOR! v1 server: tests, demonstrations and training.",
    )
    parser.add_argument("--port", type=int, default=8311, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--pace", choices=("training", "realistic"), default="training")
    pace.add_argument("--step-seconds", type=float, help="every workflow step after N seconds")
    parser.add_argument("--max-batch-items", type=int, default=ServerLimits.max_batch_items)
    parser.add_argument("--max-body-bytes", type=int, default=ServerLimits.max_body_bytes)
    parser.add_argument("--token", action="append", default=[], metavar="OFFICE=TOKEN")
    parser.add_argument("--seed", type=int)
    faults = parser.add_argument_group(
        "faults (with --fault-injection also settable at run time: PUT /_admin/faults)"
    )
    faults.add_argument(
        "--fault-injection",
        action="store_true",
        help="serve /_admin (faults, request log) to loopback callers with the admin token, "
        "written to server.json",
    )
    faults.add_argument("--error-500-rate", type=float, default=0.0)
    faults.add_argument("--error-503-rate", type=float, default=0.0)
    faults.add_argument("--error-429-rate", type=float, default=0.0)
    faults.add_argument(
        "--error-500-after-commit-rate",
        type=float,
        default=0.0,
        help="share of batches and follow-ups stored, then answered with 500",
    )
    faults.add_argument("--retry-after", type=int, default=Faults.retry_after_seconds)
    faults.add_argument("--captive-portal", action="store_true")
    faults.add_argument("--no-dedup", action="store_true", help="store retried submissions twice")
    faults.add_argument("--clock-offset", type=float, default=0.0, metavar="SECONDS")
    faults.add_argument("--revoked-tokens", action="store_true")
    faults.add_argument("--latency-ms", type=int, default=0)
    return parser


def config_from(args: argparse.Namespace) -> ServerConfig:
    tokens = []
    for entry in args.token:
        office, _, token = entry.partition("=")
        if not office or not token:
            raise SystemExit(f"--token {entry!r}: expected OFFICE=TOKEN")
        tokens.append(DeviceToken(token, office, "command line"))
    if args.step_seconds is not None:
        timings = WorkflowTimings.uniform(dt.timedelta(seconds=args.step_seconds))
    elif args.pace == "realistic":
        timings = WorkflowTimings.realistic()
    else:
        timings = WorkflowTimings.training()
    faults = Faults().updated(
        {
            "error_500_rate": args.error_500_rate,
            "error_503_rate": args.error_503_rate,
            "error_429_rate": args.error_429_rate,
            "error_500_after_commit_rate": args.error_500_after_commit_rate,
            "retry_after_seconds": args.retry_after,
            "captive_portal": args.captive_portal,
            "deduplicate": not args.no_dedup,
            "clock_offset_seconds": args.clock_offset,
            "revoked_tokens": args.revoked_tokens,
            "latency_ms": args.latency_ms,
        }
    )
    limits = ServerLimits(max_batch_items=args.max_batch_items, max_body_bytes=args.max_body_bytes)
    return ServerConfig(
        data_dir=args.data_dir,
        limits=limits,
        timings=timings,
        faults=faults,
        tokens=tuple(tokens),
        seed=args.seed,
        fault_injection=args.fault_injection,
    )


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted (Ctrl+C or SIGTERM); 0 on a clean stop."""
    args = build_parser().parse_args(argv)
    try:
        config = config_from(args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    server = build_server(config, args.host, args.port)
    info = {
        "url": server.url,
        "public_key": server.public_key_text,
        "tokens_file": str(args.data_dir / TOKENS_FILE),
    }
    if server.admin_token is not None:
        info["admin_token"] = server.admin_token
    durable_files.write_text(args.data_dir / SERVER_FILE, json.dumps(info, indent=2), mode=0o600)
    lines = [
        Message(N_("Reference LAPOR! server at {url}"), {"url": server.url}),
        Message(N_("Receipt public key: {key}"), {"key": server.public_key_text}),
        Message(N_("Device tokens: {path}"), {"path": info["tokens_file"]}),
        Message(N_("Stop with Ctrl+C.")),
    ]
    print("\n".join(line.render(args.lang) for line in lines), flush=True)
    signal.signal(signal.SIGTERM, _stop)
    server.serve_forever()
    return 0
