"""The reference LAPOR! server in-process on a free loopback port, for tests; and sample items.

Usage: ``with running_reference_server(tmp_path / "server", clock=clock) as server:``.
The server is stopped (socket, threads and SQLite closed) when the block ends.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests

from lapor_desktop.domain.canonical import canonical_content, content_hash
from lapor_desktop.domain.complaint import ComplaintForm
from lapor_desktop.reference.dataset import load_bundled
from lapor_desktop.validation.form import validate_form
from sync.adapters import LaporV1Adapter
from sync.protocol.messages import SubmissionItem
from sync.reference_server import RunningServer, ServerConfig, start_in_thread
from sync.reference_server.faults import ADMIN_TOKEN_HEADER
from sync.reference_server.intake import DatasetCodes
from tests.support.samples import OFFICE_CODE, valid_form

OTHER_OFFICE = "2101"
SUSPENDED_OFFICE = "2171"
SAMPLE_TODAY = dt.date(2026, 11, 27)


@contextlib.contextmanager
def running_reference_server(data_dir: Path, **config: object) -> Iterator[RunningServer]:
    """Fault injection on unless told otherwise: tests drive ``/_admin`` (``admin_headers``)."""
    config.setdefault("fault_injection", True)
    server = start_in_thread(ServerConfig(data_dir=data_dir, **config))  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def admin_headers(server: RunningServer) -> dict[str, str]:
    """The header that ``/_admin`` wants from this server's callers."""
    assert server.admin_token is not None, "started without fault injection"
    return {ADMIN_TOKEN_HEADER: server.admin_token}


def adapter_for(
    server: RunningServer, session: requests.Session, office: str = OFFICE_CODE, **options: object
) -> LaporV1Adapter:
    """An adapter that trusts this server's key and carries the office's token."""
    return LaporV1Adapter(
        session,
        server.url,
        trusted_keys=[server.public_key],
        token=server.tokens[office],
        **options,  # type: ignore[arg-type]
    )


@functools.cache
def _codes() -> DatasetCodes:
    return DatasetCodes(load_bundled("21"))


def sample_item(
    form: ComplaintForm | None = None,
    *,
    client_uuid: str | None = None,
    salt: str = "garam-uji",
    attachments: tuple[str, ...] = (),
    **changes: object,
) -> SubmissionItem:
    """A valid submission as the desk would send it (canonical content and its hash)."""
    form = form or valid_form()
    if changes:
        form = dataclasses.replace(form, **changes)  # type: ignore[arg-type]
    result = validate_form(form, today=SAMPLE_TODAY, references=_codes())
    assert result.data is not None, result.issues
    client_uuid = client_uuid or str(uuid.uuid4())
    content = canonical_content(client_uuid, result.data, attachments, salt)
    return SubmissionItem(client_uuid, content_hash(content), content)


def raw_item(item: SubmissionItem) -> dict[str, object]:
    return {
        "client_uuid": item.client_uuid,
        "content_hash": item.content_hash,
        "content": dict(item.content),
    }
