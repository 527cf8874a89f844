"""Hand-over to a parent office: the district's bundle taken in, and the parent's answer.

A district desk seals its outbox to its parent office's desk instead of the national key
(``export_bundle(..., to_parent=True)``); the parent takes the complaints into its own queue
with their origin kept (``services/handover_intake``) and submits them by its route, the
website lane included. ``answer_district`` then writes the return bundle for the district:
tracking IDs, the national receipts where the route gave one, refusals, the follow-ups its
route delivered, and the national status changes the parent's timeline holds, signed by the
parent desk's key. The parent
keeps a row of each answer it wrote (``answer_written``), shown on its Bundles page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit, device_keys, office_peers
from lapor_desktop.services.bundle_handovers import (
    DistrictComplaint,
    DistrictRecord,
    answer_written,
    district_record,
    latest_handover,
)
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.handover_intake import (
    Adoption,
    CarriedComplaint,
    CarriedFile,
    CarriedNote,
    adopt_handover,
)
from lapor_desktop.services.permissions import require
from lapor_desktop.services.sync_records import named_changes
from sync.adapters.capabilities import UNSIGNED_KEY_ID
from sync.bundles.envelope import Envelope, seal_envelope, x25519_from_text
from sync.bundles.export import stem
from sync.bundles.problems import BundleProblem
from sync.bundles.volumes import write_volumes
from sync.protocol.codec import (
    encode_batch_response,
    encode_changes_page,
    encode_follow_up_result,
)
from sync.protocol.messages import (
    Accepted,
    BatchResponse,
    Change,
    ChangeKind,
    ChangesPage,
    Conflict,
    FollowUpOutcome,
    FollowUpResult,
    ItemRejected,
    Receipt,
)

PARENT_CURSOR = "parent"
"""A parent's answer is not a position in the national feed: the district keeps its own."""
UNKNOWN_DISTRICT = N_(
    "This hand-over bundle is signed by a desk this office does not trust (office {office}). "
    "IT adds a district desk with 'bundle keys --trust-office ...'."
)
NOTHING_FROM = N_("No complaints of office {office} were taken from a hand-over bundle here.")


@dataclass(frozen=True)
class Answered:
    office: str
    paths: tuple[Path, ...]
    sent: int
    waiting: int


def take_handover(
    context: DeskContext, envelope: Envelope, payload: Mapping[str, Any], actor: Actor
) -> Adoption:
    """The district's complaints, into this desk's queue (signer checked by the caller)."""
    complaints = [
        CarriedComplaint(
            client_uuid=str(c["client_uuid"]),
            content_hash=str(c["content_hash"]),
            content=dict(c["content"]),
            registration_number=c.get("desk", {}).get("registration_number"),
            urgent=bool(c.get("desk", {}).get("urgent", False)),
            files=tuple(
                CarriedFile(a["sha256"], a["filename"], a["media_type"], a["data"])
                for a in payload.get("attachments", [])
                if a["complaint_uuid"] == c["client_uuid"]
            ),
        )
        for c in payload.get("complaints", [])
    ]
    notes = [
        CarriedNote(f["complaint_uuid"], f["message_uuid"], f["text"], _time(f["written_at"]))
        for f in payload.get("follow_ups", [])
    ]
    return adopt_handover(
        context,
        origin_office=envelope.header.origin_office,
        bundle_id=envelope.header.bundle_id,
        complaints=complaints,
        notes=notes,
        actor=actor,
    )


def district_of(context: DeskContext, envelope: Envelope) -> office_peers.PeerDesk:
    """The trusted district desk that signed this hand-over, or BundleProblem."""
    header = envelope.header
    with context.database.read() as session:
        peer = office_peers.trusted_district(session, header.sender_key_id)
    if (
        peer is None
        or peer.office_code != header.origin_office
        or (peer.signing_key != header.sender_signing_key)
    ):
        raise BundleProblem(
            "unknown_district", Message(UNKNOWN_DISTRICT, {"office": header.origin_office})
        )
    return peer


def answer_district(context: DeskContext, office: str, folder: Path, *, actor: Actor) -> Answered:
    """The return bundle for a district: everything this desk knows of its complaints."""
    require(actor, Permission.CARRY_BUNDLES)
    vault = context.require_vault()
    now = context.now()
    own_office = context.office.office_code
    with context.database.write() as session:
        peer = next(
            (p for p in office_peers.trusted_districts(session) if p.office_code == office), None
        )
        keys = device_keys.load_or_create(session, device_keys.vault_cipher(vault), now=now)
        handover = latest_handover(session, office)
        district = district_record(session, office, own_office=own_office)
    if peer is None:
        raise BundleProblem("unknown_district", Message(UNKNOWN_DISTRICT, {"office": office}))
    if not district.complaints:
        raise BundleProblem("nothing_from", Message(NOTHING_FROM, {"office": office}))
    results, routes = _results(district, now)
    payload = {
        "batch": encode_batch_response(BatchResponse(now, tuple(results))),
        "routes": routes,
        "uploads": [],
        "follow_ups": [
            encode_follow_up_result(
                FollowUpResult(n.message_uuid, FollowUpOutcome.ACCEPTED, n.written_at, now)
            )
            for n in district.follow_ups
        ],
        "changes": encode_changes_page(
            ChangesPage(now, _changes(district, own_office), PARENT_CURSOR, False)
        ),
    }
    sequence = handover.sequence if handover is not None else 0
    bundle_id = str(uuid.uuid4())
    counts = {"complaints": len(results)}
    envelope = seal_envelope(
        payload,
        bundle_id=bundle_id,
        kind="return",
        sequence=sequence,
        origin_office=office,
        created_at=now,
        signer=keys.signing,
        sealing_public=keys.sealing.public_key(),
        recipient=x25519_from_text(peer.sealing_key),
        recipient_kind="office",
        recipient_office=office,
        in_reply_to=handover.bundle_id if handover is not None else None,
        counts=counts,
    )
    paths = write_volumes(
        envelope, folder, bundle_id=bundle_id, stem=f"{stem(office, sequence)}-balasan-induk"
    )
    with context.database.write() as session:
        answer_written(
            session,
            bundle_id=bundle_id,
            office=office,
            answers=handover,
            envelope_sha256=hashlib.sha256(envelope).hexdigest(),
            counts=counts,
            volumes=len(paths),
            now=now,
        )
        audit.record(
            session,
            at=now,
            actor=actor.username,
            station_id=context.station.station_id,
            action="bundle_district_answered",
            entity_type="bundle",
            entity_id=office,
            details={"complaints": len(results), "sent": len(routes)},
        )
        changes = named_changes(session)
    context.hub.publish(changes)
    return Answered(office, tuple(paths), len(routes), len(district.complaints) - len(results))


def _results(
    district: DistrictRecord, now: dt.datetime
) -> tuple[list[Accepted | Conflict | ItemRejected], dict[str, str]]:
    """One answer per complaint the route has settled; the rest wait for the next answer."""
    results: list[Accepted | Conflict | ItemRejected] = []
    routes: dict[str, str] = {}
    for row in district.complaints:
        index = len(results)
        if row.tracking_id:
            receipt = _receipt(row, row.tracking_id, district.digests.get(row.id, ""), now)
            results.append(Accepted(index, row.uuid, row.tracking_id, receipt))
            routes[row.uuid] = row.delivered_via or "protocol"
        elif row.id in district.refusals:
            results.append(
                ItemRejected(index, row.uuid, "refused", district.refusals[row.id], None)
            )
    return results, routes


def _changes(district: DistrictRecord, own_office: str) -> tuple[Change, ...]:
    """The national status changes of the district's complaints LAPOR! knows (a tracking ID)."""
    held = {c.id: c for c in district.complaints}
    return tuple(
        Change(
            change_id=f"parent:{own_office}:{e.id}",
            client_uuid=held[e.complaint_id].uuid,
            tracking_id=held[e.complaint_id].tracking_id or "",
            kind=ChangeKind.STATUS,
            status=e.status,
            text=e.note,
            agency_code=None,
            occurred_at=e.occurred_at,
        )
        for e in district.events
        if held[e.complaint_id].tracking_id
    )


def _receipt(
    row: DistrictComplaint, tracking_id: str, content_hash: str, now: dt.datetime
) -> Receipt:
    """The national receipt as stored when the route gave one; else an unsigned one."""
    stored = row.receipt or {}
    if stored.get("signature"):
        return Receipt(
            client_uuid=row.uuid,
            content_hash=stored["content_hash"],
            tracking_id=stored["tracking_id"],
            server_time=dt.datetime.fromisoformat(stored["server_time"]),
            key_id=stored["key_id"],
            signature=stored["signature"],
        )
    # The wire format wants a signature: name the route instead (the website lane gives none).
    signature = f"{row.delivered_via or 'protocol'}:{tracking_id}"
    return Receipt(
        row.uuid, content_hash, tracking_id, row.sent_at or now, UNSIGNED_KEY_ID, signature
    )


def _time(text: str) -> dt.datetime:
    written = dt.datetime.fromisoformat(text)
    return written if written.tzinfo is not None else written.replace(tzinfo=dt.UTC)
