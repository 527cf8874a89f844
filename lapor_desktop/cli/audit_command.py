"""``audit verify``: walk the hash chain of the audit log and name the first broken entry.

Then every complaint row the chain covers is recomputed (one edited outside the desk is
named by its registration number), and the log is held against the heads the national
service countersigned: a cut tail or a recomputed chain is found, and the output says up
to which anchored entry the log can be trusted.

Needs a role that may view the audit log (supervisor or IT). Signing in adds
its own entry to the chain before the walk, so that entry is checked too.
"""

from __future__ import annotations

import argparse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit, permissions
from lapor_desktop.services.audit_anchors import AnchorCheck
from lapor_desktop.services.audit_covers import EditedComplaint
from lapor_desktop.services.office import load_office
from lapor_desktop.storage.database import Database
from sync.protocol.receipts import public_key_from_text

from .exit_codes import AuditChainBroken, ExitCode
from .opening import data_paths, require_database
from .output import Output
from .session import sign_in_to_database

_BROKEN = N_("The audit log is broken at entry {entry} (after {checked} good entries): {reason}")
_EDITED = N_(
    "The audit log's chain holds ({checked} entries), but these complaints were changed "
    "outside the desk since their last audit entry: {complaints}"
)
_UNANCHORED = N_(
    "The audit log does not hold at entry {entry}, which the national service countersigned: "
    "{reason}"
)
_TRUSTED_UP_TO = N_("The log can be trusted up to anchored entry {entry}.")
_TRUSTED_NOWHERE = N_("No countersigned entry holds: the log cannot be trusted from its start.")
_ANCHORED = N_("Countersigned by the national service up to entry {entry} ({anchors} anchors).")


def _named(edited: tuple[EditedComplaint, ...]) -> str:
    """Registration number (or UUID of a draft) and the entry each no longer matches."""
    return ", ".join(f"{e.registration_number or e.complaint_uuid} (#{e.entry_id})" for e in edited)


def _trusted_keys(database: Database) -> list[Ed25519PublicKey] | None:
    """The receipt keys configured for the national service (None: none, signatures unchecked)."""
    office = load_office(database)
    keys = []
    for text in () if office is None else office.national.public_keys:
        try:
            keys.append(public_key_from_text(text))
        except ValueError:
            continue
    return keys or None


def _trust(anchors: AnchorCheck) -> Message:
    if anchors.trusted_through is None:
        return Message(_TRUSTED_NOWHERE)
    return Message(_TRUSTED_UP_TO, {"entry": anchors.trusted_through})


def audit_verify(args: argparse.Namespace, out: Output) -> int:
    paths = data_paths(args)
    require_database(paths)
    database = Database(paths.database_url())
    try:
        me = sign_in_to_database(database, paths, args, out)
        permissions.require(me.actor, Permission.VIEW_AUDIT_LOG)
        report = audit.verify(database, trusted_keys=_trusted_keys(database))
    finally:
        database.dispose()
    anchors = report.anchors
    if anchors.first_failed is not None:
        reason = Message(
            _UNANCHORED, {"entry": anchors.first_failed, "reason": anchors.reason or ""}
        )
        out.error(reason)
        raise AuditChainBroken(_trust(anchors))
    if report.first_broken_id is not None:
        if anchors.anchors:
            out.error(_trust(anchors))
        raise AuditChainBroken(
            Message(
                _BROKEN,
                {
                    "entry": report.first_broken_id,
                    "checked": report.checked,
                    "reason": report.reason or "",
                },
            )
        )
    if report.edited:
        raise AuditChainBroken(
            Message(_EDITED, {"checked": report.checked, "complaints": _named(report.edited)})
        )
    out.line(
        out.t(N_("The audit log is intact: {checked} entries checked."), checked=report.checked)
    )
    if anchors.trusted_through is not None:
        out.line(out.t(_ANCHORED, entry=anchors.trusted_through, anchors=anchors.anchors))
    return ExitCode.OK
