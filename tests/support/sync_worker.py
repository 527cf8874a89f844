"""A child process that opens a desk and runs sync passes in a loop, to be SIGKILLed.

``python -m tests.support.sync_worker DATA_DIR [--lease-seconds S] [--until-empty]``

The engine is put together from the same parts as ``sync.connection``
(the office's national settings, the stored device token, the transport's
session, the encrypted file store the uploads read from), except that its
leases last ``--lease-seconds``: a killed worker's leases must expire
within the test, not after the production five minutes.
Prints ``ready`` once the desk is open, then one JSON line per pass.
With ``--until-empty`` it exits 0 once a pass ends Done with nothing pending.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services.sync_store import SyncStore
from sync.adapters import LaporV1Adapter
from sync.connection import NotConfigured, check_national
from sync.device_token import load_token
from sync.engine import Backoff, Done, EngineConfig, SyncEngine
from sync.transport import make_session

IDLE_SLEEP = 0.05
MAX_WAIT = 0.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--lease-seconds", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--until-empty", action="store_true")
    args = parser.parse_args(argv)

    desk = open_desk(DataPaths(args.data_dir))
    context = desk.context
    checked = check_national(context.office.national, training=False)
    token = load_token(desk.paths.root)
    if isinstance(checked, NotConfigured) or token is None:
        print("not configured", file=sys.stderr, flush=True)
        return 2
    transport, keys = checked
    store = SyncStore(
        context.database,
        context.require_vault(),
        context.clock,
        owner=context.station.station_id,
        lease=dt.timedelta(seconds=args.lease_seconds),
        files=context.attachment_store(),
        references=context.references,
    )
    config = EngineConfig(
        batch_size=args.batch_size, backoff=Backoff(base_seconds=0.05, cap_seconds=MAX_WAIT)
    )
    with make_session(transport, token) as session:
        adapter = LaporV1Adapter(
            session, transport.base_url, trusted_keys=keys, clock=context.clock, timeout=(2, 10)
        )
        engine = SyncEngine(adapter, store, clock=context.clock, config=config)
        print("ready", flush=True)
        while True:
            summary = engine.run_once()
            pending = store.counts()["pending"]
            line = {
                "sent": summary.sent,
                "already_present": summary.already_present,
                "rejected": summary.rejected + summary.conflicts,
                "attachments_sent": summary.attachments_sent,
                "outcome": type(summary.outcome).__name__,
                "pending": pending,
            }
            print(json.dumps(line), flush=True)
            if args.until_empty and pending == 0 and isinstance(summary.outcome, Done):
                return 0
            time.sleep(IDLE_SLEEP if isinstance(summary.outcome, Done) else MAX_WAIT / 5)


if __name__ == "__main__":
    sys.exit(main())
