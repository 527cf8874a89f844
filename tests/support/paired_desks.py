"""A regency desk and one of its district desks, paired for hand-over bundles, in one process.

Both are real desks on their own SQLite files; each knows the other's public keys as IT
tells them (``bundle keys --parent-office`` / ``--trust-office``). The parent's route is
stood in for by ``submitted_by_route``: tracking IDs written as its lane would write them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select, update

from lapor_desktop.desk import Desk
from lapor_desktop.paths import DataPaths
from lapor_desktop.services import device_keys, office_peers
from lapor_desktop.services.context import Actor
from lapor_desktop.services.outbox import SUBMISSION_KINDS
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.storage.models import Complaint, OutboxEntry
from tests.support import accounts
from tests.support.clock import FakeClock

PARENT_OFFICE = "2104"
DISTRICT_OFFICE = "210401"


@dataclasses.dataclass(frozen=True)
class Paired:
    parent: Desk
    district: Desk
    parent_boss: Actor
    district_boss: Actor

    def close(self) -> None:
        self.district.close()
        self.parent.close()


def _peer(desk: Desk) -> office_peers.PeerDesk:
    vault = desk.context.require_vault()
    with desk.database.write() as session:
        keys = device_keys.load_or_create(
            session, device_keys.vault_cipher(vault), now=desk.context.now()
        )
    peer = office_peers.checked(
        desk.context.office.office_code, keys.signing_public_b64, keys.sealing_public_b64
    )
    assert isinstance(peer, office_peers.PeerDesk)
    return peer


def paired_desks(root: Path, clock: FakeClock) -> Paired:
    parent = accounts.initialise_desk(
        DataPaths(root / "induk").ensure(), OfficeSettings(PARENT_OFFICE, "Kabupaten Lingga"), clock
    )
    district = accounts.initialise_desk(
        DataPaths(root / "kecamatan").ensure(),
        OfficeSettings(DISTRICT_OFFICE, "Kecamatan Lingga"),
        clock,
    )
    parent_boss = accounts.sign_in_supervisor(parent).actor
    district_boss = accounts.sign_in_supervisor(district).actor
    parent_peer, district_peer = _peer(parent), _peer(district)
    with district.database.write() as session:
        office_peers.set_parent(session, parent_peer, now=clock())
    with parent.database.write() as session:
        office_peers.trust_district(session, district_peer, now=clock())
    return Paired(parent, district, parent_boss, district_boss)


def submitted_by_route(
    desk: Desk, uuids: Iterable[str], prefix: str = "LPR-", *, via: str = "protocol"
) -> None:
    """As if the parent's route (``via``) had delivered these: a tracking ID, the submission
    done, no national receipt kept (as the website lane keeps none)."""
    with desk.database.write() as session:
        for number, uuid in enumerate(uuids, 1):
            found = session.scalar(select(Complaint.id).where(Complaint.uuid == uuid))
            session.execute(
                update(Complaint)
                .where(Complaint.id == found)
                .values(
                    tracking_id=f"{prefix}{number}",
                    status="sent",
                    sync_state="sent",
                    delivered_via=via,
                    sent_at=desk.context.now(),
                )
            )
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.complaint_id == found, OutboxEntry.kind.in_(SUBMISSION_KINDS))
                .values(state="done")
            )
