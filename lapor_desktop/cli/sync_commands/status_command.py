"""``lapor-desktop sync-status [--json] [--no-probe]``: where this desk stands with LAPOR!.

Counts only, no complainant's data, so any signed-in role may look. The
national service is probed with one cheap request (no device token) unless
``--no-probe``: reachable, offline, behind a captive portal, or not configured.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import assert_never

from lapor_desktop.cli.output import EMPTY, Output, local_time
from lapor_desktop.i18n import N_
from lapor_desktop.services.sync_status import CLOCK_WARNING, SyncStatus, read_status
from sync.connection import NotConfigured
from sync.engine import NeedsSignIn, Offline, Unconfigured
from sync.runner import DeskLink, ProbeResult, Reachable

from .desk_access import DeskAccess

REACHABLE, NOT_CHECKED = "reachable", "not_checked"
SERVER_LABELS = {
    REACHABLE: N_("reachable"),
    Offline.kind: N_("cannot be reached (offline)"),
    NeedsSignIn.kind: N_("a captive portal answered (sign in to the hotspot in a browser)"),
    Unconfigured.kind: N_("not configured"),
    NOT_CHECKED: N_("not checked"),
}
"""The probe's answer in words; the keys (``server`` in ``--json``) are the outcomes' kinds."""


def sync_status(args: argparse.Namespace, out: Output, access: DeskAccess) -> int:
    with access.signed_in(args, out) as (desk, _principal):
        status = read_status(desk.context.database, now=desk.context.clock())
        server = NOT_CHECKED
        if not args.no_probe:
            server = _server_state(DeskLink(desk.context, desk.paths.root).probe())
        if args.json:
            out.json(_document(status, server))
        else:
            _print(out, status, server, desk.context.office.timezone)
    return 0


def _server_state(result: ProbeResult) -> str:
    match result:
        case Reachable():
            return REACHABLE
        case Offline() | NeedsSignIn():
            return result.kind
        case NotConfigured():
            return Unconfigured.kind
        case _:
            assert_never(result)


def _document(status: SyncStatus, server: str) -> dict[str, object]:
    def seconds(value: dt.timedelta | None) -> float | None:
        return None if value is None else round(value.total_seconds(), 3)

    return {
        "pending": status.pending,
        "sending": status.sending,
        "waiting_to_retry": status.waiting,
        "typing_on_website": status.typing,
        "quarantined": status.quarantined,
        "sent": status.sent,
        "last_success_at": status.last_success_at,
        "last_attempt_at": status.last_attempt_at,
        "last_outcome": status.last_outcome,
        "clock_offset_seconds": seconds(status.clock_offset),
        "clock_warning": status.clock_warning,
        "oldest_pending_age_seconds": seconds(status.oldest_pending_age),
        "server": server,
    }


def _print(out: Output, status: SyncStatus, server: str, timezone: str) -> None:
    def moment(value: dt.datetime | None) -> str:
        return EMPTY if value is None else local_time(value, timezone)

    out.line(
        out.t(
            N_(
                "Waiting to be sent: {pending} "
                "(sending now: {sending}, waiting to retry: {waiting})"
            ),
            pending=status.pending,
            sending=status.sending,
            waiting=status.waiting,
        )
    )
    if status.typing:
        out.line(
            out.t(
                N_("Waiting for an operator to type into the LAPOR! website: {count}"),
                count=status.typing,
            )
        )
    out.line(out.t(N_("Quarantined (need a decision): {count}"), count=status.quarantined))
    out.line(out.t(N_("Received by LAPOR!: {count}"), count=status.sent))
    out.line(out.t(N_("Last successful sync: {time}"), time=moment(status.last_success_at)))
    if status.last_attempt_at is not None or status.last_outcome:
        out.line(
            out.t(
                N_("Last attempt: {time} ({outcome})"),
                time=moment(status.last_attempt_at),
                outcome=status.last_outcome or EMPTY,
            )
        )
    if status.oldest_pending_age is not None:
        out.line(
            out.t(N_("Oldest waiting record: {age}"), age=_duration(status.oldest_pending_age))
        )
    if status.clock_offset is not None:
        offset = f"{status.clock_offset.total_seconds():+.1f} s"
        out.line(out.t(N_("Clock offset (LAPOR! minus this PC): {offset}"), offset=offset))
        if status.clock_warning:
            minutes = int(CLOCK_WARNING.total_seconds() // 60)
            out.line(
                out.t(
                    N_(
                        "WARNING: this PC's clock is off by more than {minutes} minutes; "
                        "set the date and time (nothing sent depends on it)."
                    ),
                    minutes=minutes,
                )
            )
    out.line(out.t(N_("National service: {state}"), state=out.t(SERVER_LABELS[server])))


def _duration(age: dt.timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
