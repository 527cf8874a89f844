"""``python -m sync.faultproxy``: run the fault proxy by hand in front of a loopback server.

Example: ``python -m sync.faultproxy --listen 0 --upstream 127.0.0.1:8080
--latency-ms 300 --bandwidth 2000``. Prints the address it listens on, runs
until Ctrl-C (or ``--duration``), then prints its counters.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from sync.faultproxy.addresses import display, parse_endpoint
from sync.faultproxy.plan import FaultPlan, OutageSchedule
from sync.faultproxy.proxy import FaultProxy


def _endpoint(text: str) -> tuple[str, int]:
    try:
        return parse_endpoint(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _outage(text: str) -> OutageSchedule:
    period, _, online = text.partition(":")
    try:
        return OutageSchedule(period_s=float(period), online_s=float(online))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"use PERIOD:ONLINE in seconds, e.g. 10:2 ({exc})"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sync.faultproxy",
        description="A fault-injecting TCP proxy in front of a loopback server (loopback only).",
    )
    add = parser.add_argument
    add("--listen", type=_endpoint, default=("127.0.0.1", 0), help="PORT or HOST:PORT (0: any)")
    add("--upstream", type=_endpoint, required=True, help="loopback HOST:PORT to relay to")
    add("--latency-ms", type=float, default=0.0, help="one-way delay each way")
    add("--latency-up-ms", type=float, help="client to server delay (overrides --latency-ms)")
    add("--latency-down-ms", type=float, help="server to client delay (overrides --latency-ms)")
    add("--jitter-ms", type=float, default=0.0, help="extra random delay, 0 to this")
    add("--bandwidth", type=int, help="bytes per second each way")
    add("--bandwidth-up", type=int, help="bytes per second, client to server")
    add("--bandwidth-down", type=int, help="bytes per second, server to client")
    add("--offline", action="store_true", help="refuse every connection")
    add("--reset", action="store_true", help="accept connections, then reset them")
    add("--stall", action="store_true", help="accept and read, never answer")
    add("--drop-response-probability", type=float, default=0.0, help="0 to 1, HTTP only")
    add("--cut-upload-after", type=int, help="reset each connection after N client bytes")
    add("--cut-download-after", type=int, help="reset each connection after N server bytes")
    add(
        "--cut-link-every",
        type=int,
        help="cut the link after every N client bytes, all connections counted",
    )
    add("--outage", type=_outage, help="PERIOD:ONLINE seconds, e.g. 10:2")
    add("--seed", type=int, help="seed for jitter and random drops")
    add("--duration", type=float, help="stop after this many seconds")
    return parser


def plan_from(args: argparse.Namespace) -> FaultPlan:
    up = args.latency_up_ms if args.latency_up_ms is not None else args.latency_ms
    down = args.latency_down_ms if args.latency_down_ms is not None else args.latency_ms
    return FaultPlan(
        latency_up_ms=up,
        latency_down_ms=down,
        jitter_ms=args.jitter_ms,
        bandwidth_up=args.bandwidth if args.bandwidth_up is None else args.bandwidth_up,
        bandwidth_down=args.bandwidth if args.bandwidth_down is None else args.bandwidth_down,
        offline=args.offline,
        reset_new_connections=args.reset,
        stall=args.stall,
        drop_response_probability=args.drop_response_probability,
        cut_upload_after_bytes=args.cut_upload_after,
        cut_download_after_bytes=args.cut_download_after,
        cut_link_every_bytes=args.cut_link_every,
        outage=args.outage,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        plan = plan_from(args)
    except ValueError as exc:
        parser.error(str(exc))
    (listen_host, listen_port), (up_host, up_port) = args.listen, args.upstream
    finished = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        finished.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    proxy = FaultProxy(up_host, up_port, listen_host, listen_port, plan=plan, seed=args.seed)
    with proxy:
        upstream = display(up_host, up_port)
        print(f"listening on {display(proxy.host, proxy.port)} -> {upstream}", flush=True)
        finished.wait(args.duration)
    print(json.dumps(dataclasses.asdict(proxy.stats())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
