"""``audit verify``: walk the hash chain of the audit log and name the first broken entry."""

from __future__ import annotations

import argparse

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services import audit
from lapor_desktop.storage.database import Database

from .exit_codes import AuditChainBroken, ExitCode
from .opening import data_paths, require_database
from .output import Output


def audit_verify(args: argparse.Namespace, out: Output) -> int:
    paths = data_paths(args)
    require_database(paths)
    database = Database(paths.database_url())
    try:
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
