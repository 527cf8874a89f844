"""Importing bundle files: a relay keeps an island's bundle unopened; an island takes its answer.

What a file is decides what happens, never the person's choice of menu: an outbound
bundle for the national service is queued on the relay lane (this desk cannot open it);
a return bundle sealed to this desk is verified (the national signature on the envelope,
then every receipt) and recorded as an online pass records its answers. Nothing is written
unless all of it holds. Two workstations of one office importing the same bundle at once:
the second finds what the first committed and says "already here" (``after_clash``). What
an import changed is announced on the desk's hub and handed back.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from lapor_desktop import durable_files
from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.security.file_modes import private_folder
from lapor_desktop.services import (
    audit,
    bundle_outbox,
    bundle_returns,
    device_keys,
    office_peers,
)
from lapor_desktop.services.bundle_handovers import handover_taken
from lapor_desktop.services.bundle_records import BundleRefused, after_clash
from lapor_desktop.services.bundle_returns import ReturnSummary
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.handover_intake import AdoptResult
from lapor_desktop.services.permissions import require
from lapor_desktop.services.sync_records import named_changes
from lapor_desktop.settings import NationalServiceSettings
from sync.bundles.envelope import BundleHeader, Envelope, open_envelope, parse_envelope
from sync.bundles.handover import district_of, take_handover
from sync.bundles.problems import BundleProblem
from sync.bundles.returns import ReturnAnswers, delivered_by_website, read_answers
from sync.bundles.volumes import join_volumes
from sync.protocol.receipts import key_id, public_key_from_text

RELAY_FOLDER = "relay"
OWN_BUNDLE = N_(
    "This bundle was made on this desk. Carry it to a desk that has a connection: it relays "
    "the bundle to LAPOR! and gives you the return bundle to bring back."
)
NOT_NATIONAL = N_(
    "This return bundle is not signed by the national service this desk trusts: it was not "
    "imported."
)
OTHER_DESK = N_(
    "This return bundle answers another desk's bundle (office {office}): take it to that desk."
)


class Imported(enum.StrEnum):
    RELAY = "relay"
    """Queued unopened on the relay lane: the next sync pass sends it."""
    RELAY_AGAIN = "relay_again"
    """This exact bundle was already here: nothing new was written."""
    RETURN = "return"
    """A return bundle: receipts, refusals and status changes recorded."""
    HANDOVER = "handover"
    """A district's hand-over: its complaints joined this desk's queue."""


@dataclass(frozen=True)
class ImportResult:
    kind: Imported
    sequence: int
    origin_office: str
    counts: dict[str, int]
    summary: ReturnSummary | None = None
    adopted: tuple[AdoptResult, ...] = ()
    changes: DeskChanges = NOTHING
    """The complaints it settled or took in, and the bundles (announced on the hub too)."""


def import_bundle(
    context: DeskContext,
    settings: NationalServiceSettings,
    data_root: Path,
    files: Sequence[Path],
    *,
    actor: Actor,
) -> ImportResult:
    """Join, check and take in the volumes of one bundle; BundleProblem and nothing otherwise."""
    require(actor, Permission.CARRY_BUNDLES)
    envelope = parse_envelope(join_volumes(files))
    header = envelope.header
    if header.kind == "handover":
        taken = _take_handover(context, envelope, actor)
    else:
        with context.database.read() as session:
            ours = device_keys.public_ids(session)
        if header.kind == "outbound":
            if ours is not None and header.sender_key_id == ours.signing_key_id:
                raise BundleProblem("own_bundle", Message(OWN_BUNDLE))
            taken = _relay(context, data_root, envelope, actor)
        else:
            taken = _take_return(context, settings, envelope, actor)
    context.hub.publish(taken.changes)
    return taken


def _take_handover(context: DeskContext, envelope: Envelope, actor: Actor) -> ImportResult:
    """A district's bundle on its parent office's desk: its complaints join this queue."""
    header = envelope.header
    district_of(context, envelope)
    vault, now = context.require_vault(), context.now()
    with context.database.write() as session:
        keys = device_keys.load_or_create(session, device_keys.vault_cipher(vault), now=now)
    payload = open_envelope(envelope, keys.sealing)
    adoption = take_handover(context, envelope, payload, actor)

    def record() -> DeskChanges:
        with context.database.write() as session:
            handover_taken(
                session,
                bundle_id=header.bundle_id,
                sequence=header.sequence,
                origin_office=header.origin_office,
                envelope_sha256=envelope.sha256,
                counts=header.counts,
                now=now,
            )
            return named_changes(session)

    return ImportResult(
        Imported.HANDOVER,
        header.sequence,
        header.origin_office,
        dict(header.counts),
        adopted=adoption.results,
        changes=adoption.changes | after_clash(record),
    )


def _relay(context: DeskContext, data_root: Path, envelope: Envelope, actor: Actor) -> ImportResult:
    header = envelope.header
    folder = private_folder(data_root / RELAY_FOLDER)
    name = f"{header.bundle_id}.envelope"
    durable_files.write_bytes(folder / name, envelope.data, mode=0o600)
    now = context.now()

    def queue() -> tuple[int | None, DeskChanges]:
        with context.database.write() as session:
            entry = bundle_outbox.relay_entry(
                session,
                bundle_id=header.bundle_id,
                sequence=header.sequence,
                origin_office=header.origin_office,
                envelope_sha256=envelope.sha256,
                file_name=f"{RELAY_FOLDER}/{name}",
                counts=header.counts,
                now=now,
            )
            if isinstance(entry, BundleRefused):
                raise BundleProblem(entry.code, entry.message)
            if entry is not None:
                _audit(context, session, actor, "bundle_relay_queued", header.bundle_id, header)
            return entry, named_changes(session)

    entry, changes = after_clash(queue)
    kind = Imported.RELAY if entry is not None else Imported.RELAY_AGAIN
    return ImportResult(
        kind, header.sequence, header.origin_office, dict(header.counts), changes=changes
    )


def _take_return(
    context: DeskContext, settings: NationalServiceSettings, envelope: Envelope, actor: Actor
) -> ImportResult:
    header = envelope.header
    trusted = [public_key_from_text(text) for text in settings.public_keys]
    with context.database.read() as session:
        parent = office_peers.parent(session)
    # The parent office's answer vouches for what its route gave no signature for.
    vouched = parent is not None and (parent.signing_key, parent.signing_key_id) == (
        header.sender_signing_key,
        header.sender_key_id,
    )
    if not vouched and header.sender_key_id not in {key_id(k) for k in trusted}:
        raise BundleProblem("not_national", Message(NOT_NATIONAL))
    vault, now = context.require_vault(), context.now()
    with context.database.write() as session:
        keys = device_keys.load_or_create(session, device_keys.vault_cipher(vault), now=now)
    if header.origin_office != context.office.office_code:
        raise BundleProblem("other_desk", Message(OTHER_DESK, {"office": header.origin_office}))
    payload = open_envelope(envelope, keys.sealing)
    answers = read_answers(payload, trusted, vouched=vouched)

    def record() -> tuple[ReturnSummary, DeskChanges]:
        with context.database.write() as session:
            summary = _record_return(context, session, envelope, answers, vouched, actor, now)
            return summary, named_changes(session)

    summary, changes = after_clash(record)
    return ImportResult(
        Imported.RETURN,
        header.sequence,
        header.origin_office,
        dict(header.counts),
        summary,
        changes=changes,
    )


def _record_return(
    context: DeskContext,
    session: Session,
    envelope: Envelope,
    answers: ReturnAnswers,
    vouched: bool,
    actor: Actor,
    now: dt.datetime,
) -> ReturnSummary:
    header = envelope.header
    summary = bundle_returns.record_return(
        session,
        in_reply_to=header.in_reply_to or "",
        return_bundle_id=header.bundle_id,
        envelope_sha256=envelope.sha256,
        receipts=answers.receipts,
        conflicts=answers.conflicts,
        rejections=answers.rejected,
        uploads_stored=answers.uploads,
        follow_ups_stored=answers.follow_ups,
        changes=answers.changes,
        next_cursor=None if vouched else answers.next_cursor,
        now=now,
        sequence=header.sequence,
        origin_office=header.origin_office,
    )
    if isinstance(summary, BundleRefused):
        raise BundleProblem(summary.code, summary.message)
    if vouched:
        delivered_by_website(session, answers.website)
    _audit(context, session, actor, "bundle_return_imported", header.bundle_id, header)
    return summary


def _audit(
    context: DeskContext,
    session: Session,
    actor: Actor,
    action: str,
    bundle_id: str,
    header: BundleHeader,
) -> None:
    audit.record(
        session,
        at=context.now(),
        actor=actor.username,
        station_id=context.station.station_id,
        action=action,
        entity_type="bundle",
        entity_id=bundle_id,
        details={
            "sequence": header.sequence,
            "origin_office": header.origin_office,
        },
    )
