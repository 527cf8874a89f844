"""``python -m sync.reference_server`` (and ``lapor-desktop reference-server``): run it in front.

On start it writes ``server.json`` in the data folder (URL, public key, bundle
key, tokens file) so scripts that asked for ``--port 0`` can find it.
``trust-desk`` lets an operator of the service trust a desk's bundle keys by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from lapor_desktop import durable_files
from lapor_desktop.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Message
from sync.bundles.envelope import b64, raw_public, x25519_key_id
from sync.reference_server.config import (
    DeviceToken,
    Faults,
    ServerConfig,
    ServerLimits,
    WorkflowTimings,
)
from sync.reference_server.desk_keys import DeskKeys, Registration
from sync.reference_server.keys import TOKENS_FILE
from sync.reference_server.running import build_server
from sync.reference_server.schema import open_engine
from sync.reference_server.state import DATABASE_FILE

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


def _trust_desk_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lapor-desktop reference-server trust-desk",
        description="Trust a desk's bundle keys for its office (an operator of the service).",
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--office", required=True, metavar="CODE")
    parser.add_argument("--signing-key", required=True, metavar="B64", help="Ed25519, raw")
    parser.add_argument("--sealing-key", required=True, metavar="B64", help="X25519, raw")
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    return parser


def trust_desk(argv: list[str]) -> int:
    """0 when the keys are trusted for the office now; 1 when they belong to another office."""
    args = _trust_desk_parser().parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(args.data_dir / DATABASE_FILE)
    try:
        keys = DeskKeys(engine, threading.Lock())
        try:
            outcome, kid = keys.register(
                args.office, args.signing_key, args.sealing_key, now=dt.datetime.now(dt.UTC)
            )
        except ValueError:
            print(Message(N_("Each key is base64 of its 32 raw bytes.")).render(args.lang))
            return 2
        held = keys.find(kid)
    finally:
        engine.dispose()
    if outcome is Registration.TAKEN:
        print(Message(N_("This desk key is registered to another office.")).render(args.lang))
        return 1
    lines = [
        Message(
            N_("Desk key {key_id} is trusted for office {office}."),
            {"key_id": kid, "office": args.office},
        )
    ]
    if held is not None and not held.office_active:
        lines.append(
            Message(
                N_("Office {office} has no active device token here: its bundles are refused."),
                {"office": args.office},
            )
        )
    print("\n".join(line.render(args.lang) for line in lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted (Ctrl+C or SIGTERM); 0 on a clean stop."""
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["trust-desk"]:
        return trust_desk(given[1:])
    args = build_parser().parse_args(given)
    try:
        config = config_from(args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    server = build_server(config, args.host, args.port)
    bundle_key = server.state.bundle_key.public_key()
    info = {
        "url": server.url,
        "public_key": server.public_key_text,
        "bundle_key": b64(raw_public(bundle_key)),
        "bundle_key_id": x25519_key_id(bundle_key),
        "tokens_file": str(args.data_dir / TOKENS_FILE),
    }
    if server.admin_token is not None:
        info["admin_token"] = server.admin_token
    durable_files.write_text(args.data_dir / SERVER_FILE, json.dumps(info, indent=2), mode=0o600)
    lines = [
        Message(N_("Reference LAPOR! server at {url}"), {"url": server.url}),
        Message(N_("Receipt public key: {key}"), {"key": server.public_key_text}),
        Message(
            N_("Bundle key: {key} (key ID {key_id})"),
            {"key": info["bundle_key"], "key_id": info["bundle_key_id"]},
        ),
        Message(N_("Device tokens: {path}"), {"path": info["tokens_file"]}),
        Message(N_("Stop with Ctrl+C.")),
    ]
    print("\n".join(line.render(args.lang) for line in lines), flush=True)
    signal.signal(signal.SIGTERM, _stop)
    server.serve_forever()
    return 0
