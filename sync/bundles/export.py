"""Export: the island desk's waiting outbox sealed into bundle N, for a person to carry.

The files are written first and the entries marked "in bundle N" after, so a stick
pulled out mid-write leaves the outbox as it was. Marked entries stay pending: if the
network returns before the return bundle does, they go online under the same UUIDs
and the national service answers the later bundle with the same receipts. The bundle's
number is reserved in the first transaction (``bundle_numbers``), so two workstations of
one office exporting at once never write two bundles under one number.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lapor_desktop.domain.canonical import canonical_bytes
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit, bundle_outbox, device_keys, office_peers
from lapor_desktop.services.bundle_records import BundleContents, Direction
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.permissions import require
from lapor_desktop.services.sync_records import named_changes
from lapor_desktop.storage.models import Complaint
from sync.bundles.envelope import seal_envelope, x25519_from_text
from sync.bundles.problems import BundleProblem
from sync.bundles.volumes import write_volumes

NOTHING_TO_CARRY = N_(
    "Nothing is waiting to be sent that is not in a bundle already: there is nothing to put "
    "in a new bundle."
)
NO_PARENT = N_(
    "This desk has no parent office yet: IT sets it with 'bundle keys --parent-office ...'."
)
NO_NATIONAL_KEY = N_(
    "This desk does not know the national service's bundle key yet. Connect it to the "
    "network once and synchronise, or ask IT to set it ('lapor-desktop bundle keys "
    "--national-key KEY')."
)


@dataclass(frozen=True)
class Exported:
    """Bundle N, written: what it holds and where its volumes are."""

    sequence: int
    bundle_id: str
    paths: tuple[Path, ...]
    counts: dict[str, int]
    envelope_bytes: int
    changes: DeskChanges = NOTHING
    """The rows now "in bundle N" and the new bundle (announced on the desk's hub too)."""


def _desk_fields(session: Session, contents: BundleContents) -> dict[str, dict[str, object]]:
    """What a parent office needs beyond the content: the number on the citizen's receipt."""
    uuids = [c.client_uuid for c in contents.submissions]
    rows = session.execute(
        select(Complaint.uuid, Complaint.registration_number, Complaint.urgent).where(
            Complaint.uuid.in_(uuids)
        )
    )
    return {
        r.uuid: {"registration_number": r.registration_number, "urgent": r.urgent} for r in rows
    }


def stem(office: str, sequence: int) -> str:
    """``LAPOR-2104-B0007``: the office and the bundle's number, for the person carrying it."""
    return f"LAPOR-{office}-B{sequence:04d}"


def export_bundle(
    context: DeskContext,
    folder: Path,
    *,
    actor: Actor,
    max_volume_bytes: int | None = None,
    again: bool = False,
    to_parent: bool = False,
) -> Exported:
    """Seal what waits into the next bundle, write its volumes into ``folder``, mark it carried.

    ``again``: include entries already carried by an earlier bundle (a lost stick).
    ``to_parent``: a hand-over bundle sealed to the parent office's desk, which submits the
    complaints by its own route (``sync/bundles/handover``), instead of the national service.
    The rows it marks and the bundle are announced on the desk's hub once written.
    """
    require(actor, Permission.CARRY_BUNDLES)
    vault = context.require_vault()
    office = context.office.office_code
    with context.database.write() as session:
        keys = device_keys.load_or_create(
            session, device_keys.vault_cipher(vault), now=context.now()
        )
        national = device_keys.national_bundle_key_text(session)
        contents = bundle_outbox.contents_for_bundle(session, vault, again=again)
        cursor = bundle_outbox.feed_cursor(session) or ""
        parent = office_peers.parent(session) if to_parent else None
        numbers = _desk_fields(session, contents) if to_parent else {}
        addressed = parent is not None if to_parent else national is not None
        ready = addressed and not contents.empty
        sequence = bundle_outbox.reserve_sequence(session, context.now()) if ready else 0
    if to_parent and parent is None:
        raise BundleProblem("no_parent", Message(NO_PARENT))
    if not to_parent and national is None:
        raise BundleProblem("no_national_key", Message(NO_NATIONAL_KEY))
    if contents.empty:
        raise BundleProblem("nothing_to_carry", Message(NOTHING_TO_CARRY))
    files = context.attachment_store()
    attachments = []
    for upload in contents.uploads:
        with files.open_plaintext(upload.sha256) as handle:
            data = handle.read()
        attachments.append(
            {
                "complaint_uuid": upload.complaint_uuid,
                "sha256": upload.sha256,
                "filename": upload.filename,
                "media_type": upload.media_type,
                "data": data,
            }
        )
    complaints = [
        {
            "client_uuid": c.client_uuid,
            "content_hash": c.content_hash,
            "content": dict(c.content),
            **({"desk": numbers[c.client_uuid]} if to_parent else {}),
        }
        for c in contents.submissions
    ]
    follow_ups = [
        {
            "complaint_uuid": f.complaint_uuid,
            "message_uuid": f.message_uuid,
            "text": f.text,
            "written_at": f.written_at.isoformat(),
        }
        for f in contents.follow_ups
    ]
    counts = {
        "complaints": len(complaints),
        "attachments": len(attachments),
        "follow_ups": len(follow_ups),
    }
    manifest = {
        "complaints": [
            {
                "client_uuid": c.client_uuid,
                "content_hash": c.content_hash,
                "bytes": len(canonical_bytes(dict(c.content))),
            }
            for c in contents.submissions
        ],
        "attachments": [
            {"complaint_uuid": a["complaint_uuid"], "sha256": a["sha256"], "bytes": len(a["data"])}
            for a in attachments
        ],
        "follow_ups": [
            {"complaint_uuid": f["complaint_uuid"], "message_uuid": f["message_uuid"]}
            for f in follow_ups
        ],
        "cursor": cursor,
    }
    bundle_id = str(uuid.uuid4())
    now = context.now()
    envelope = seal_envelope(
        {
            "manifest": manifest,
            "complaints": complaints,
            "attachments": attachments,
            "follow_ups": follow_ups,
        },
        bundle_id=bundle_id,
        kind="handover" if parent is not None else "outbound",
        sequence=sequence,
        origin_office=office,
        created_at=now,
        signer=keys.signing,
        sealing_public=keys.sealing.public_key(),
        recipient=x25519_from_text(parent.sealing_key if parent is not None else national or ""),
        recipient_kind="office" if parent is not None else "national",
        recipient_office=parent.office_code if parent is not None else None,
        counts=counts,
    )
    paths = write_volumes(
        envelope,
        folder,
        bundle_id=bundle_id,
        stem=stem(office, sequence),
        max_volume_bytes=max_volume_bytes,
    )
    with context.database.write() as session:
        bundle_outbox.start_bundle(
            session,
            bundle_id=bundle_id,
            sequence=sequence,
            origin_office=office,
            envelope_sha256=hashlib.sha256(envelope).hexdigest(),
            counts=counts,
            volumes=len(paths),
            now=now,
            outbox_ids=contents.outbox_ids,
            direction=Direction.TO_PARENT if parent is not None else Direction.OUTBOUND,
        )
        audit.record(
            session,
            at=now,
            actor=actor.username,
            station_id=context.station.station_id,
            action="bundle_exported",
            entity_type="bundle",
            entity_id=bundle_id,
            details={"sequence": sequence, **counts, "volumes": len(paths), "again": again},
        )
        changes = named_changes(session)
    context.hub.publish(changes)
    return Exported(sequence, bundle_id, tuple(paths), counts, len(envelope), changes)
