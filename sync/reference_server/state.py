"""Everything one running reference server holds, opened from its configuration."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.reference.dataset import ReferenceDataset, load_bundled
from sync.protocol.receipts import ReceiptSigner
from sync.protocol.wire import dump_json, format_time
from sync.reference_server.config import DeviceToken, ServerConfig
from sync.reference_server.desk_keys import DeskKeys
from sync.reference_server.devices import DeviceRegistry
from sync.reference_server.faults import FaultState
from sync.reference_server.intake import DatasetCodes
from sync.reference_server.keys import (
    SUSPENDED_BY_DEFAULT,
    load_bundle_key,
    load_default_tokens,
    load_signing_key,
)
from sync.reference_server.store import Store

DATABASE_FILE = "reference.sqlite3"
BUNDLED_PROVINCE = "21"  # Kepulauan Riau, home of the sample office


@dataclass(frozen=True)
class ReferencePayload:
    """The reference set encoded once; each answer only appends its server time."""

    version: str
    etag: str
    prefix: bytes

    @classmethod
    def of(cls, dataset: ReferenceDataset) -> ReferencePayload:
        body = dump_json(
            {
                "version": dataset.version,
                "regions": [
                    {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code}
                    for r in dataset.regions
                ],
                "agencies": [
                    {"code": a.code, "name": a.name, "parent_code": a.parent_code}
                    for a in dataset.agencies
                ],
                "categories": [
                    {"code": c.code, "name": c.name, "parent_code": c.parent_code}
                    for c in dataset.categories
                ],
            }
        )
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(dataset.version, etag, body[:-1])

    def body(self, now: dt.datetime) -> bytes:
        return self.prefix + b',"server_time":"' + format_time(now).encode() + b'"}'


class ServerState:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        data_dir = config.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.uploads_dir: Path = data_dir / "uploads"
        self.blobs_dir: Path = data_dir / "blobs"
        self.uploads_dir.mkdir(exist_ok=True)
        self.blobs_dir.mkdir(exist_ok=True)
        self.dataset = dataset = config.reference or load_bundled(BUNDLED_PROVINCE)
        self.codes = DatasetCodes(dataset)
        self.reference = ReferencePayload.of(dataset)
        self.signing_key = load_signing_key(data_dir)
        """Signs receipts and return bundles."""
        self.signer = ReceiptSigner(self.signing_key)
        self.bundle_key = load_bundle_key(data_dir)
        """Opens the bundles desks seal to the national service."""
        self.faults = FaultState(config.faults, config.seed)
        self.store = Store(data_dir / DATABASE_FILE, config.timings, self.codes.agency_name)
        try:
            self.devices = DeviceRegistry(self.store.engine, self.store.lock)
            self.desk_keys = DeskKeys(self.store.engine, self.store.lock)
            self.default_tokens = load_default_tokens(data_dir)
            suspended = SUSPENDED_BY_DEFAULT | config.suspended_offices
            for token in (*self.default_tokens, *config.tokens):
                self.add_token(token, active=token.office_code not in suspended)
        except BaseException:
            self.store.close()
            raise

    def add_token(self, token: DeviceToken, *, active: bool = True) -> None:
        self.devices.add(token.token, token.office_code, label=token.label, active=active)

    def now(self) -> dt.datetime:
        """The server's clock, shifted by the clock-offset fault."""
        offset = dt.timedelta(seconds=self.faults.current.clock_offset_seconds)
        return self.config.clock() + offset

    def close(self) -> None:
        self.store.close()
