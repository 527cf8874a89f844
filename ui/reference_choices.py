"""The picker entries for regions, categories and agencies, built once off the GUI thread.

Each entry reads as a person searches ("Daik, Lingga, Kabupaten Lingga,
Kepulauan Riau") and ends with its code, so typing either finds it.
The office's own regency comes first: most walk-in complaints are local.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from lapor_desktop.reference.store import ReferenceLookup

CATEGORY_SEPARATOR = " › "


@dataclass(frozen=True)
class Choice:
    code: str
    text: str


@dataclass(frozen=True)
class ReferenceChoices:
    regions: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    agencies: tuple[Choice, ...]

    def name_of(self, kind: str, code: str | None) -> str:
        """The entry's text for a code, or the code itself when it is unknown."""
        if not code:
            return ""
        entries: tuple[Choice, ...] = getattr(self, kind)
        for choice in entries:
            if choice.code == code:
                return choice.text
        return code


def load_choices(references: ReferenceLookup, office_code: str) -> ReferenceChoices:
    """Every entry of the installed reference set; reads the database on first use."""
    regions: list[Choice] = []
    pending = deque(row.code for row in references.children(None))
    while pending:
        code = pending.popleft()
        regions.append(Choice(code, f"{references.region_label(code)} ({code})"))
        pending.extend(row.code for row in references.children(code))
    regions.sort(key=lambda c: (not c.code.startswith(office_code), len(c.code), c.code))
    category_rows = references.categories()
    names = {row.code: row.name for row in category_rows}
    categories = tuple(
        Choice(
            row.code,
            (
                f"{names.get(row.parent_code, row.parent_code)}{CATEGORY_SEPARATOR}{row.name}"
                if row.parent_code
                else row.name
            )
            + f" ({row.code})",
        )
        for row in category_rows
    )
    agencies = tuple(Choice(row.code, f"{row.name} ({row.code})") for row in references.agencies())
    return ReferenceChoices(tuple(regions), categories, agencies)
