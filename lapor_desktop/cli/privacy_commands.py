"""``export`` and ``person``: the register for reports, and requests from a data subject (UU PDP).

The services decide who may do what and audit it; this module only makes
sure nothing is left behind when they refuse: the permission is checked
before an export file is created, and a file is never left half-written.
An export file is created readable by its owner only, since it may hold
identities. Even for a supervisor the command line prints identities masked.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import permissions
from lapor_desktop.services.data_subject import Erasure, PersonRecord

from . import credentials
from .commands import complaint_query, status_label
from .exit_codes import ExitCode, UsageError
from .output import Output, local_time, text_or_empty
from .session import signed_in_desk
from .show import detail_json, print_identity

_CONFIRMATIONS = frozenset({"y", "ya", "yes"})
_Answer = TypeVar("_Answer", PersonRecord, Erasure)


def export(args: argparse.Namespace, out: Output) -> int:
    target = Path(args.file).expanduser()
    file_format = args.format or ("json" if target.suffix.casefold() == ".json" else "csv")
    if target.is_dir():
        raise UsageError(
            Message(N_("{path} is a folder; give a file name."), {"path": str(target)})
        )
    if target.exists() and not args.force:
        raise UsageError(
            Message(N_("{path} exists already; give --force to replace it."), {"path": str(target)})
        )
    if not target.parent.is_dir():
        raise UsageError(Message(N_("There is no folder {path}."), {"path": str(target.parent)}))
    needed = (
        Permission.EXPORT_WITH_IDENTITY
        if args.with_identity
        else Permission.EXPORT_WITHOUT_IDENTITY
    )
    with signed_in_desk(args, out) as (desk, me):
        permissions.require(me.actor, needed)
        query = complaint_query(args, "", desk.context.office.timezone)
        _create_private(target)
        try:
            summary = desk.exports.write(
                query,
                target,
                actor=me.actor,
                with_identity=args.with_identity,
                file_format=file_format,
                separator=args.separator,
                bom=True,  # a spreadsheet reads the file as UTF-8 only with the mark
            )
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    out.line(out.t(N_("Exported {rows} complaints to {path}."), rows=summary.rows, path=target))
    if args.with_identity:
        out.line(
            out.t(
                N_(
                    "{count} of them with the complainant's identity (never for anonymous "
                    "complaints). Keep this file protected and delete it when it is no longer "
                    "needed; the export is recorded in the audit log."
                ),
                count=summary.identities,
            )
        )
    return ExitCode.OK


def person_command(args: argparse.Namespace, out: Output) -> int:
    return _ACTIONS[args.person_command](args, out)


def person_show(args: argparse.Namespace, out: Output) -> int:
    with signed_in_desk(args, out) as (desk, me):
        found = desk.data_subjects.find(actor=me.actor, nik=args.nik or "", phone=args.phone or "")
        timezone = desk.context.office.timezone
    record = _answer(found)
    if args.json:
        out.json({"complaints": [detail_json(d, out) for d in record.complaints]})
        return ExitCode.OK
    if not record.complaints:
        out.line(out.t(N_("Nothing is held about this person.")))
        return ExitCode.OK
    for detail in record.complaints:
        s = detail.summary
        out.line(f"{text_or_empty(s.registration_number)}  {s.uuid}")
        fields = (
            (N_("Title"), s.title),
            (N_("Status"), status_label(s.status, out)),
            (N_("Recorded"), local_time(s.created_at, timezone)),
        )
        for label, value in fields:
            out.line(f"  {out.t(label)}: {value}")
        print_identity(detail, out)
        out.line()
    out.line(out.t(N_("{count} complaints hold this person's data."), count=len(record.complaints)))
    return ExitCode.OK


def person_erase(args: argparse.Namespace, out: Output) -> int:
    """Erase the identity from the person's closed complaints; the complaints themselves stay."""
    if not args.yes and not credentials.interactive():
        raise UsageError(
            Message(N_("Erasing cannot be undone: confirm with --yes to run it from a script."))
        )
    with signed_in_desk(args, out) as (desk, me):
        permissions.require(me.actor, Permission.DATA_SUBJECT_REQUESTS)
        if not args.yes:
            question = N_(
                "Erase this person's identity from every complaint of theirs that is closed "
                "nationally? This cannot be undone. Type 'ya' to continue: "
            )
            if credentials.ask_line(out, out.t(question)).casefold() not in _CONFIRMATIONS:
                out.line(out.t(N_("Nothing was erased.")))
                return ExitCode.OK
        erased = desk.data_subjects.erase(
            actor=me.actor, nik=args.nik or "", phone=args.phone or ""
        )
    result = _answer(erased)
    out.line(out.t(N_("Identity erased from {count} complaints."), count=len(result.erased)))
    for uuid in result.erased:
        out.line(f"  {uuid}")
    if result.still_open:
        out.line(
            out.t(
                N_("Kept for now, not closed nationally yet: {count} complaints."),
                count=len(result.still_open),
            )
        )
        for uuid in result.still_open:
            out.line(f"  {uuid}")
    return ExitCode.OK


def _answer(outcome: _Answer | Message) -> _Answer:
    """The service's result; a Message means the NIK or phone number given was not usable."""
    if isinstance(outcome, Message):
        raise UsageError(outcome)
    return outcome


def _create_private(target: Path) -> None:
    """A new, empty file only its owner may read, for the export service to fill."""
    target.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    os.close(os.open(target, flags, 0o600))


_ACTIONS: dict[str, Callable[[argparse.Namespace, Output], int]] = {
    "show": person_show,
    "erase": person_erase,
}
