"""``audit verify``: walk the hash chain of the audit log and name the first broken entry.

Needs a role that may view the audit log (supervisor or IT). Signing in adds
its own entry to the chain before the walk, so that entry is checked too.
"""

from __future__ import annotations

import argparse

from lapor_desktop.domain.roles import Permission
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit, permissions
from lapor_desktop.storage.database import Database

from .exit_codes import AuditChainBroken, ExitCode
from .opening import data_paths, require_database
from .output import Output
from .session import sign_in_to_database


def audit_verify(args: argparse.Namespace, out: Output) -> int:
    paths = data_paths(args)
    require_database(paths)
    database = Database(paths.database_url())
    try:
        me = sign_in_to_database(database, paths, args, out)
        permissions.require(me.actor, Permission.VIEW_AUDIT_LOG)
        report = audit.verify(database)
    finally:
        database.dispose()
    if not report.intact:
        raise AuditChainBroken(
            Message(
                N_(
                    "The audit log is broken at entry {entry} (after {checked} good entries): "
                    "{reason}"
                ),
                {
                    "entry": report.first_broken_id,
                    "checked": report.checked,
                    "reason": report.reason or "",
                },
            )
        )
    out.line(
        out.t(N_("The audit log is intact: {checked} entries checked."), checked=report.checked)
    )
    return ExitCode.OK
