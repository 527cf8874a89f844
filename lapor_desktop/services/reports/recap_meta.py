"""Who made a recap, when, and the lines that open it (office, period, the state it shows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lapor_desktop.i18n import N_, translate
from lapor_desktop.services.reports.period import day_label
from lapor_desktop.services.reports.service import OfficeReport

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA"}
"""Indonesian zone abbreviations; the rest of the east is WIT."""


@dataclass(frozen=True)
class RecapMeta:
    made_by: str
    """The name of the person who made it (an account's display name, never a complainant's)."""
    made_at: dt.datetime
    timezone: str
    language: str = "id"

    def made_at_text(self) -> str:
        local = self.made_at.astimezone(ZoneInfo(self.timezone))
        zone = ZONE_NAMES.get(self.timezone, "WIT")
        return f"{day_label(local.date())} {local:%H:%M} {zone}"


def cover_lines(report: OfficeReport, meta: RecapMeta) -> tuple[str, ...]:
    def t(msgid: str) -> str:
        return translate(msgid, meta.language)

    return (
        t(N_("Monthly complaint recap")) if report.period.is_month else t(N_("Complaint recap")),
        report.office_name,
        t(N_("Period: {period}")).format(period=report.period.label()),
        t(N_("Figures as of {day}")).format(day=day_label(report.as_of)),
        t(N_("Made by {name} on {when}")).format(name=meta.made_by, when=meta.made_at_text()),
        t(
            N_(
                "Confidential (rahasia) complaints are counted but not described; "
                "this recap holds no complainant's identity."
            )
        ),
    )
