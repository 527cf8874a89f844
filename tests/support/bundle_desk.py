"""A desk's side of an offline bundle, for server tests: real keys, real envelopes, real tus.

``BundleDesk`` holds an island desk's Ed25519 and X25519 keys; ``outbound`` seals what it
carries to the reference server's bundle key; ``relay`` uploads the envelope with the real
tus client and posts it, as a relay desk does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from sync.adapters import AttachmentSource
from sync.bundles.envelope import b64, open_envelope, parse_envelope, raw_public, seal_envelope
from sync.protocol.messages import SubmissionItem
from sync.reference_server import RunningServer
from tests.support.reference_server import adapter_for, raw_item
from tests.support.samples import OFFICE_CODE


@dataclass(frozen=True)
class CarriedFile:
    complaint_uuid: str
    data: bytes
    filename: str = "jalan-rusak.jpg"
    media_type: str = "image/jpeg"
    sha256: str = ""

    def entry(self) -> dict[str, object]:
        return {
            "complaint_uuid": self.complaint_uuid,
            "sha256": self.sha256 or hashlib.sha256(self.data).hexdigest(),
            "filename": self.filename,
            "media_type": self.media_type,
            "data": self.data,
        }


@dataclass
class BundleDesk:
    office: str = OFFICE_CODE
    signing: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    sealing: X25519PrivateKey = field(default_factory=X25519PrivateKey.generate)
    sequence: int = 0

    def keys_body(self) -> dict[str, str]:
        return {
            "signing_key": b64(raw_public(self.signing.public_key())),
            "sealing_key": b64(raw_public(self.sealing.public_key())),
        }

    def register(self, server: RunningServer, session: requests.Session) -> requests.Response:
        return session.put(
            server.url + "/v1/device-keys", json=self.keys_body(), headers=auth(server, self.office)
        )

    def outbound(
        self,
        server: RunningServer,
        items: Sequence[SubmissionItem] = (),
        *,
        files: Sequence[CarriedFile] = (),
        follow_ups: Sequence[dict[str, object]] = (),
        cursor: str = "",
        bundle_id: str | None = None,
        origin_office: str | None = None,
        recipient: X25519PublicKey | None = None,
    ) -> bytes:
        """An outbound envelope sealed to the server's bundle key (or ``recipient``)."""
        self.sequence += 1
        complaints = [raw_item(item) for item in items]
        attachments = [f.entry() for f in files]
        manifest = {
            "complaints": [
                {"client_uuid": c["client_uuid"], "content_hash": c["content_hash"], "bytes": 0}
                for c in complaints
            ],
            "attachments": [
                {"complaint_uuid": a["complaint_uuid"], "sha256": a["sha256"]} for a in attachments
            ],
            "follow_ups": [
                {"complaint_uuid": f["complaint_uuid"], "message_uuid": f["message_uuid"]}
                for f in follow_ups
            ],
            "cursor": cursor,
            "volumes": [],
        }
        return seal_envelope(
            {
                "manifest": manifest,
                "complaints": complaints,
                "attachments": attachments,
                "follow_ups": list(follow_ups),
            },
            bundle_id=bundle_id or str(uuid.uuid4()),
            kind="outbound",
            sequence=self.sequence,
            origin_office=origin_office or self.office,
            created_at=dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC),
            signer=self.signing,
            sealing_public=self.sealing.public_key(),
            recipient=recipient or server.state.bundle_key.public_key(),
            recipient_kind="national",
            counts={
                "complaints": len(complaints),
                "attachments": len(attachments),
                "follow_ups": len(follow_ups),
            },
        )

    def open_return(self, answer: bytes) -> dict[str, object]:
        return open_envelope(parse_envelope(answer), self.sealing)


def auth(server: RunningServer, office: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.tokens[office]}"}


def follow_up(complaint_uuid: str, text: str = "Foto jalan terlampir.") -> dict[str, object]:
    return {
        "complaint_uuid": complaint_uuid,
        "message_uuid": str(uuid.uuid4()),
        "text": text,
        "written_at": "2026-11-27T01:00:00+00:00",
    }


def upload(server: RunningServer, session: requests.Session, office: str, data: bytes) -> str:
    """The envelope uploaded with the real tus client, as a relay does (no complaint)."""
    sha256 = hashlib.sha256(data).hexdigest()
    source = AttachmentSource(sha256=sha256, length=len(data), stream=io.BytesIO(data))
    state = adapter_for(server, session, office).upload_attachment(source)
    assert getattr(state, "complete", False), state
    return sha256


def relay(
    server: RunningServer, session: requests.Session, envelope: bytes, office: str = "2101"
) -> requests.Response:
    """Upload the envelope (if the server lacks it) and post it, with ``office``'s token."""
    sha256 = hashlib.sha256(envelope).hexdigest()
    if not (server.state.blobs_dir / sha256).exists():
        upload(server, session, office, envelope)
    return session.post(
        server.url + "/v1/bundles", json={"sha256": sha256}, headers=auth(server, office)
    )
