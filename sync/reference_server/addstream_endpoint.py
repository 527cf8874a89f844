"""A simulated copy of the old LAPOR! ``addstream`` call, for the example adapter's tests.

Form fields in, a small XML answer out, one report per call, with its own
token check (the ``token`` field, against the server's device tokens: a
revoked token is 401, a suspended office 403) and its own body limit (413).
The server's faults apply here too (error rates, captive portal, and
``error_500_after_commit_rate``: stored, then answered 500). Like the
practice form, it is under ``/latihan/`` and is not part of the protocol.
It imitates the public description of the call, not the live service.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import threading
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, request

from sync.reference_server.faults import fail_after_commit
from sync.reference_server.practice_form import PRACTICE_PATH
from sync.reference_server.state import ServerState

ADDSTREAM_BASE = PRACTICE_PATH
"""What a desk configures as its server address; the adapter appends ``/addstream``."""
ADDSTREAM_PATH = f"{ADDSTREAM_BASE}/addstream"
ADDSTREAM_FILE = "addstream.sqlite3"
FIRST_TRACKING_ID = 8_000_001
"""Far from the protocol's IDs (1,000,001) and the practice form's (9,000,001)."""
MAX_TEXT = 10_000
FLAGS = ("rahasia", "anonim")
_EXTENSION = "lapor_addstream"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS addstream_reports (
    tracking_id INTEGER PRIMARY KEY,
    transaction_id TEXT NOT NULL UNIQUE,
    office_code TEXT NOT NULL,
    received_at TEXT NOT NULL,
    fields TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class AddstreamReport:
    tracking_id: str
    transaction_id: str
    office_code: str
    received_at: dt.datetime
    fields: dict[str, str]
    """Every form field as received, the token left out."""


class AddstreamSimulation:
    """The endpoint's store and its own settings; tests reach it with ``simulation_of``."""

    def __init__(self, data_dir: Path, *, max_body_bytes: int = 16 * 1024) -> None:
        self.max_body_bytes = max_body_bytes
        self._path = data_dir / ADDSTREAM_FILE
        self._lock = threading.Lock()
        with closing(sqlite3.connect(self._path)) as db, db:
            db.execute(_SCHEMA)

    def add(self, office_code: str, fields: dict[str, str], now: dt.datetime) -> AddstreamReport:
        transaction_id = "TRX" + secrets.token_hex(8).upper()
        with self._lock, closing(sqlite3.connect(self._path)) as db, db:
            last = db.execute("SELECT MAX(tracking_id) FROM addstream_reports").fetchone()[0]
            tracking = max(FIRST_TRACKING_ID, (last or 0) + 1)
            db.execute(
                "INSERT INTO addstream_reports VALUES (?, ?, ?, ?, ?)",
                (tracking, transaction_id, office_code, now.isoformat(), json.dumps(fields)),
            )
        return AddstreamReport(str(tracking), transaction_id, office_code, now, fields)

    def reports(self) -> list[AddstreamReport]:
        """Everything received, oldest first: what tests audit."""
        with self._lock, closing(sqlite3.connect(self._path)) as db:
            rows = db.execute(
                "SELECT tracking_id, transaction_id, office_code, received_at, fields "
                "FROM addstream_reports ORDER BY tracking_id"
            ).fetchall()
        return [
            AddstreamReport(str(t), x, o, dt.datetime.fromisoformat(r), json.loads(f))
            for t, x, o, r, f in rows
        ]


def simulation_of(app: Flask) -> AddstreamSimulation:
    """The simulation mounted on a reference server's application."""
    simulation = app.extensions[_EXTENSION]
    assert isinstance(simulation, AddstreamSimulation)
    return simulation


def xml_answer(http_status: int, /, **values: str) -> Response:
    root = ET.Element("response")
    for name, value in values.items():
        ET.SubElement(root, name).text = value
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, status=http_status, content_type="application/xml; charset=utf-8")


def _error(status: int, code: str, message: str) -> Response:
    return xml_answer(status, status="error", code=code, message=message)


def register_addstream(app: Flask, state: ServerState) -> AddstreamSimulation:
    """``POST /latihan/lapor/addstream``: one report in, ``trackingid`` and ``transaksiid`` out."""
    simulation = AddstreamSimulation(state.config.data_dir)
    app.extensions[_EXTENSION] = simulation

    @app.post(ADDSTREAM_PATH, provide_automatic_options=False)
    def _addstream() -> Response:
        length = request.content_length
        if length is None:
            return _error(411, "length-required", "Panjang permintaan wajib disebutkan.")
        if length > simulation.max_body_bytes:
            return _error(413, "too-large", "Permintaan terlalu besar.")
        if request.mimetype != "application/x-www-form-urlencoded":
            return _error(415, "unsupported-media-type", "Kirim sebagai formulir.")
        form = request.form
        token = form.get("token", "")
        device = None
        if token and not state.faults.current.revoked_tokens:
            device = state.devices.find(token)
        if device is None:
            return _error(401, "unauthorized", "Token tidak dikenal atau sudah dicabut.")
        if not device.office_active:
            return _error(403, "forbidden", "Instansi ini tidak boleh mengirim laporan.")
        refusal = _refusal(form.get("content", "").strip(), form)
        if refusal is not None:
            return refusal
        fields = {name: value for name, value in form.items() if name != "token"}
        report = simulation.add(device.office_code, fields, state.now())
        fail_after_commit(state.faults)
        return xml_answer(
            200,
            status="success",
            trackingid=report.tracking_id,
            transaksiid=report.transaction_id,
        )

    return simulation


def _refusal(text: str, form: Mapping[str, str]) -> Response | None:
    """What the call refuses about the report itself: a 400 the adapter sets aside."""
    if not text:
        return _error(400, "invalid-field", "Isi laporan wajib diisi.")
    if len(text) > MAX_TEXT:
        return _error(400, "invalid-field", f"Isi laporan paling banyak {MAX_TEXT} karakter.")
    if any(form.get(flag, "0") not in ("0", "1") for flag in FLAGS):
        return _error(400, "invalid-field", "Nilai rahasia dan anonim harus 0 atau 1.")
    return None
