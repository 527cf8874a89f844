"""``bundle``: offline bundles carried by USB stick or phone (docs/bundles.md).

``bundle export --to FOLDER`` seals what waits on an island desk; ``bundle import FILE...``
takes in whatever bundle it is given (an island's bundle on a connected desk: relayed by the
next ``sync``; a return bundle on the island desk: receipts recorded); ``bundle list`` shows
them all; ``bundle returns --to FOLDER`` copies the return bundles a relay desk received, for
the trip back. Supervisor or IT.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lapor_desktop.i18n import N_, Message

from .exit_codes import BundleRefused, ExitCode, UsageError
from .output import Output, local_time


def bundle(args: argparse.Namespace, out: Output) -> int:
    from sync.bundles.problems import BundleProblem

    try:
        return {
            "export": _export,
            "import": _import,
            "list": _list,
            "returns": _returns,
            "keys": _keys,
            "answer": _answer,
        }[args.bundle_command](args, out)
    except BundleProblem as problem:
        raise BundleRefused(problem.message) from problem


def _folder(text: str) -> Path:
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise UsageError(Message(N_("There is no folder {path}."), {"path": str(folder)}))
    return folder


def _export(args: argparse.Namespace, out: Output) -> int:
    from sync.bundles.export import export_bundle

    from .session import signed_in_desk

    folder = _folder(args.to)
    limit = None if args.max_volume_mb is None else int(args.max_volume_mb * 1024 * 1024)
    with signed_in_desk(args, out) as (desk, me):
        made = export_bundle(
            desk.context,
            folder,
            actor=me.actor,
            max_volume_bytes=limit,
            again=args.again,
            to_parent=args.parent,
        )
    out.line(
        out.t(
            N_(
                "Bundle {sequence} written: {complaints} complaints, {attachments} files, "
                "{follow_ups} follow-ups in {volumes} file(s):"
            ),
            sequence=made.sequence,
            volumes=len(made.paths),
            **made.counts,
        )
    )
    for path in made.paths:
        out.line(f"  {path}")
    out.line(
        out.t(
            N_(
                "Carry every file to a desk with a connection. They stay waiting here too: if the "
                "network comes back first, they are sent as usual and nothing is sent twice."
            )
        )
    )
    return ExitCode.OK


def _import(args: argparse.Namespace, out: Output) -> int:
    from sync.bundles.incoming import Imported, import_bundle

    from .session import signed_in_desk

    files = [Path(f).expanduser() for f in args.files]
    for path in files:
        if not path.is_file():
            raise UsageError(Message(N_("There is no file {path}."), {"path": str(path)}))
    with signed_in_desk(args, out) as (desk, me):
        taken = import_bundle(
            desk.context,
            desk.context.office.national,
            desk.paths.root,
            files,
            actor=me.actor,
        )
    place = {"sequence": taken.sequence, "office": taken.origin_office}
    if taken.kind is Imported.RELAY:
        text = N_(
            "Bundle {sequence} of office {office} is on the relay lane: the next sync sends it "
            "to LAPOR! and writes the return bundle for the trip back ('bundle returns')."
        )
        out.line(out.t(text, **place))
    elif taken.kind is Imported.HANDOVER:
        _report_handover(taken, out)
    elif taken.kind is Imported.RELAY_AGAIN:
        text = N_("Bundle {sequence} of office {office} was already here: nothing was added.")
        out.line(out.t(text, **place))
    else:
        summary = taken.summary
        assert summary is not None
        out.line(
            out.t(
                N_(
                    "Return bundle for bundle {sequence} recorded: {sent} received by LAPOR!, "
                    "{already} known before, {conflicts} conflicts, {rejected} refused, "
                    "{attachments} files, {follow_ups} follow-ups, {changes} status changes."
                ),
                sequence=taken.sequence,
                **summary.counts(),
            )
        )
    return ExitCode.OK


def _list(args: argparse.Namespace, out: Output) -> int:
    from lapor_desktop.services import bundle_outbox
    from lapor_desktop.services.bundle_records import DIRECTION_WORDS, state_words

    from .session import signed_in_desk

    with signed_in_desk(args, out) as (desk, _me):
        with desk.database.read() as session:
            rows = bundle_outbox.bundle_overview(session)
        timezone = desk.context.office.timezone
    if not rows:
        out.line(out.t(N_("No bundles yet.")))
        return ExitCode.OK
    headers = [
        out.t(N_("Bundle")),
        out.t(N_("Direction")),
        out.t(N_("Office")),
        out.t(N_("State")),
        out.t(N_("Since")),
        out.t(N_("Complaints")),
        out.t(N_("Still waiting")),
    ]
    out.table(
        headers,
        [
            [
                str(r.sequence),
                out.t(DIRECTION_WORDS.get(r.direction, r.direction)),
                r.origin_office,
                out.t(state_words(r.direction, r.state) or r.state),
                local_time(r.carried_since or r.created_at, timezone),
                str(r.counts.get("complaints", 0)),
                str(r.pending),
            ]
            for r in rows
        ],
    )
    return ExitCode.OK


def _returns(args: argparse.Namespace, out: Output) -> int:
    from sync.bundles.carry_back import copy_returns

    from .session import signed_in_desk

    folder = _folder(args.to)
    with signed_in_desk(args, out) as (desk, me):
        copied = copy_returns(desk.context, desk.paths.root, folder, actor=me.actor)
    for path in copied.paths:
        out.line(f"  {path}")
    out.line(out.t(N_("{count} return bundle file(s) copied."), count=len(copied.paths)))
    return ExitCode.OK


def _report_handover(taken: Any, out: Output) -> None:
    from lapor_desktop.services.handover_intake import Adopted

    tally = {o: sum(1 for r in taken.adopted if r.outcome is o) for o in Adopted}
    out.line(
        out.t(
            N_(
                "Hand-over bundle {sequence} of office {office}: {new} complaints joined this "
                "desk's queue, {same} were here already, {conflicts} conflicts, {refused} refused."
            ),
            sequence=taken.sequence,
            office=taken.origin_office,
            new=tally[Adopted.NEW],
            same=tally[Adopted.SAME],
            conflicts=tally[Adopted.CONFLICT],
            refused=tally[Adopted.REFUSED],
        )
    )
    for result in taken.adopted:
        if result.reason is not None:
            out.line(f"  {result.reason.render(out.language)}")


def _peers(session: Any, args: argparse.Namespace, now: Any) -> None:
    """``--parent-...`` and ``--trust-...``: the desks this one exchanges hand-overs with."""
    from lapor_desktop.services import office_peers

    for who, store in (("parent", office_peers.set_parent), ("trust", office_peers.trust_district)):
        given = [
            getattr(args, f"{who}_{part}") for part in ("office", "signing_key", "sealing_key")
        ]
        if not any(given):
            continue
        if not all(given):
            raise UsageError(
                Message(
                    N_(
                        "Give --{who}-office, --{who}-signing-key and --{who}-sealing-key together."
                    ),
                    {"who": who},
                )
            )
        peer = office_peers.checked(*given)
        if isinstance(peer, Message):
            raise UsageError(peer)
        store(session, peer, now=now)


def _answer(args: argparse.Namespace, out: Output) -> int:
    from sync.bundles.handover import answer_district

    from .session import signed_in_desk

    folder = _folder(args.to)
    with signed_in_desk(args, out) as (desk, me):
        made = answer_district(desk.context, args.office, folder, actor=me.actor)
    out.line(
        out.t(
            N_(
                "Return bundle for office {office} written: {sent} complaints with a tracking ID, "
                "{waiting} still waiting:"
            ),
            office=made.office,
            sent=made.sent,
            waiting=made.waiting,
        )
    )
    for path in made.paths:
        out.line(f"  {path}")
    return ExitCode.OK


def _keys(args: argparse.Namespace, out: Output) -> int:
    from lapor_desktop.domain.roles import Permission
    from lapor_desktop.services import device_keys
    from lapor_desktop.services.permissions import require

    from .session import signed_in_desk

    with signed_in_desk(args, out) as (desk, me):
        require(me.actor, Permission.CARRY_BUNDLES)
        vault = desk.context.require_vault()
        now = desk.context.now()
        with desk.database.write() as session:
            keys = device_keys.load_or_create(session, device_keys.vault_cipher(vault), now=now)
            _peers(session, args, now)
            if args.national_key:
                problem = device_keys.set_national_bundle_key(session, args.national_key, now=now)
                if problem is not None:
                    raise UsageError(problem)
            registered = device_keys.is_registered(session, keys)
            national = device_keys.national_bundle_key_text(session)
        office = desk.context.office.office_code
    out.line(out.t(N_("Office {office}, this desk's bundle keys:"), office=office))
    out.line(f"  signing-key {keys.signing_public_b64}  ({keys.signing_key_id})")
    out.line(f"  sealing-key {keys.sealing_public_b64}")
    known = N_("known to LAPOR!") if registered else N_("not yet registered at LAPOR!")
    out.line(out.t(known))
    if national is None:
        out.line(out.t(NO_NATIONAL))
    else:
        out.line(out.t(N_("National bundle key: {key}"), key=national))
    return ExitCode.OK


NO_NATIONAL = N_(
    "The national bundle key is not known yet: sync once online, or set it with "
    "'bundle keys --national-key KEY'."
)
