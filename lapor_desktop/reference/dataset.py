"""Reference datasets as plain rows: read from the bundled CSVs or from the server's JSON.

Both sources go through the same strict checks, so a set that reaches the
database always has unique codes, existing parents and no loops.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from typing import Protocol

from lapor_desktop.i18n import N_, Message

REGION_RELEASE = "2025.2430"
"""Kepmendagri 300.2.2-2430/2025, the region codes in ``bundled/regions.csv``."""
SAMPLE_RELEASE = "lingga-1"
"""The sample agencies and categories for Kabupaten Lingga."""
BUNDLED_VERSION = f"bundled-{REGION_RELEASE}+{SAMPLE_RELEASE}"

LEVELS = ("province", "regency", "district", "village")
REGION_CODE_MAX = 10
CODE_MAX = 32
VERSION_MAX = 64
_VILLAGE_PREFIX = "villages_"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class ReferenceDataset:
    """One complete, consistent set: installed all together or not at all."""

    version: str
    regions: tuple[RegionRow, ...]
    agencies: tuple[AgencyRow, ...]
    categories: tuple[CategoryRow, ...]


class ReferenceDataError(ValueError):
    """A reference set that must not be installed; ``message`` says why, for IT staff."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render("en"))


def load_bundled(province_code: str | None = None) -> ReferenceDataset:
    """The set shipped with the application.

    Regions cover the whole country down to districts ("no wrong door": a
    complaint may concern any place). Villages are bundled per province;
    ``province_code`` keeps only that province's villages, None keeps all.
    """
    folder = resources.files("lapor_desktop.reference").joinpath("bundled")
    regions = [_region(row) for row in _read_csv(folder.joinpath("regions.csv"))]
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not (entry.name.startswith(_VILLAGE_PREFIX) and entry.name.endswith(".csv")):
            continue
        file_province = entry.name.removeprefix(_VILLAGE_PREFIX).split("_", 1)[0]
        if province_code is None or file_province == province_code:
            regions.extend(_region(row) for row in _read_csv(entry))
    agencies = tuple(
        AgencyRow(r["code"], r["name"], r["parent_code"] or None)
        for r in _read_csv(folder.joinpath("agencies.csv"))
    )
    categories = tuple(
        CategoryRow(r["code"], r["name"], r["parent_code"] or None)
        for r in _read_csv(folder.joinpath("categories.csv"))
    )
    return checked(ReferenceDataset(BUNDLED_VERSION, tuple(regions), agencies, categories))


def _read_csv(entry: Traversable) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(entry.read_text(encoding="utf-8"), newline="")))


def _region(row: Mapping[str, str]) -> RegionRow:
    return RegionRow(row["code"], row["name"], row["level"], row["parent_code"] or None)


def dataset_from_json(obj: object) -> ReferenceDataset:
    """A set sent by the server, as parsed JSON; raises :class:`ReferenceDataError`.

    Expected shape: ``{"version": str, "regions": [{"code", "name", "level",
    "parent_code"}], "agencies": [{"code", "name", "parent_code"}],
    "categories": [...]}``; ``parent_code`` is null or absent for a root.
    """
    if not isinstance(obj, dict):
        raise ReferenceDataError(
            Message(
                N_(
                    "The reference data must be an object with a version and lists of "
                    "regions, agencies and categories."
                )
            )
        )
    version = obj.get("version")
    if not isinstance(version, str):
        raise ReferenceDataError(Message(N_("The reference data has no version.")))
    regions = tuple(RegionRow(*fields) for fields in _entries(obj, "regions", with_level=True))
    agencies = tuple(
        AgencyRow(code, name, parent) for code, name, _, parent in _entries(obj, "agencies")
    )
    categories = tuple(
        CategoryRow(code, name, parent) for code, name, _, parent in _entries(obj, "categories")
    )
    return checked(ReferenceDataset(version, regions, agencies, categories))


def _entries(
    obj: Mapping[str, object], dataset: str, *, with_level: bool = False
) -> list[tuple[str, str, str, str | None]]:
    """Each entry of one list as (code, name, level, parent_code), or a precise error."""
    raw_rows = obj.get(dataset)
    if not isinstance(raw_rows, list):
        raise _missing(dataset)
    entries = []
    for index, raw in enumerate(raw_rows, start=1):
        if not isinstance(raw, dict):
            raise _malformed(dataset, index)
        code, name = raw.get("code"), raw.get("name")
        level = raw.get("level") if with_level else ""
        parent = raw.get("parent_code")
        if not (isinstance(code, str) and isinstance(name, str) and isinstance(level, str)):
            raise _malformed(dataset, index)
        if parent is not None and not isinstance(parent, str):
            raise _malformed(dataset, index)
        entries.append((code, name, level, parent))
    return entries


class _Row(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def parent_code(self) -> str | None: ...


def checked(dataset: ReferenceDataset) -> ReferenceDataset:
    """The dataset itself when it is consistent; else :class:`ReferenceDataError`."""
    if not dataset.version.strip():
        raise ReferenceDataError(Message(N_("The reference data has no version.")))
    if len(dataset.version) > VERSION_MAX:
        raise ReferenceDataError(
            Message(
                N_("The version of the reference data is longer than {limit} characters."),
                {"limit": VERSION_MAX},
            )
        )
    regions = _check_tree(dataset.regions, "regions", REGION_CODE_MAX)
    _check_levels(dataset.regions, regions)
    _check_no_loops(dataset.agencies, "agencies", _check_tree(dataset.agencies, "agencies"))
    _check_no_loops(dataset.categories, "categories", _check_tree(dataset.categories, "categories"))
    return dataset


def _check_tree(rows: Sequence[_Row], dataset: str, limit: int = CODE_MAX) -> dict[str, _Row]:
    """Codes present, unique and short enough; names present; every parent in the list."""
    if not rows:
        raise _missing(dataset)
    by_code: dict[str, _Row] = {}
    for index, row in enumerate(rows, start=1):
        if not row.code.strip() or row.code != row.code.strip():
            raise ReferenceDataError(
                Message(
                    N_('Entry {index} of "{dataset}" has an empty code or spaces around it.'),
                    {"index": index, "dataset": dataset},
                )
            )
        if not row.name.strip():
            raise ReferenceDataError(
                Message(
                    N_('{code} in "{dataset}" has no name.'),
                    {"code": row.code, "dataset": dataset},
                )
            )
        if len(row.code) > limit:
            raise ReferenceDataError(
                Message(
                    N_('Code {code} in "{dataset}" is longer than {limit} characters.'),
                    {"code": row.code, "dataset": dataset, "limit": limit},
                )
            )
        if row.code in by_code:
            raise ReferenceDataError(
                Message(
                    N_('Code {code} appears more than once in "{dataset}".'),
                    {"code": row.code, "dataset": dataset},
                )
            )
        by_code[row.code] = row
    for row in rows:
        if row.parent_code is not None and row.parent_code not in by_code:
            raise ReferenceDataError(
                Message(
                    N_('{code} in "{dataset}" names a parent, {parent}, that is not in the list.'),
                    {"code": row.code, "dataset": dataset, "parent": row.parent_code},
                )
            )
    return by_code


def _check_levels(rows: Sequence[RegionRow], by_code: Mapping[str, _Row]) -> None:
    """A province has no parent; every other region's parent is one level up.

    This also rules out loops, because each step up lowers the level.
    """
    for row in rows:
        if row.level not in LEVELS:
            raise ReferenceDataError(
                Message(
                    N_('Region {code} has an unknown level "{level}".'),
                    {"code": row.code, "level": row.level},
                )
            )
        depth = LEVELS.index(row.level)
        if depth == 0:
            if row.parent_code is not None:
                raise ReferenceDataError(
                    Message(
                        N_("Region {code} is a province and cannot have a parent."),
                        {"code": row.code},
                    )
                )
            continue
        parent = by_code.get(row.parent_code or "")
        if not isinstance(parent, RegionRow) or parent.level != LEVELS[depth - 1]:
            raise ReferenceDataError(
                Message(
                    N_("Region {code} ({level}) must have a parent of level {expected}."),
                    {"code": row.code, "level": row.level, "expected": LEVELS[depth - 1]},
                )
            )


def _check_no_loops(rows: Sequence[_Row], dataset: str, by_code: Mapping[str, _Row]) -> None:
    """Walk up from every row; each chain must reach a root (linear overall, thanks to memo)."""
    rooted: set[str] = set()
    for row in rows:
        chain: list[str] = []
        code: str | None = row.code
        while code is not None and code not in rooted:
            if code in chain:
                raise ReferenceDataError(
                    Message(
                        N_('{code} in "{dataset}" is part of a loop of parents.'),
                        {"code": code, "dataset": dataset},
                    )
                )
            chain.append(code)
            code = by_code[code].parent_code
        rooted.update(chain)


def _missing(dataset: str) -> ReferenceDataError:
    return ReferenceDataError(
        Message(
            N_('The list "{dataset}" of the reference data is missing or empty.'),
            {"dataset": dataset},
        )
    )


def _malformed(dataset: str, index: int) -> ReferenceDataError:
    return ReferenceDataError(
        Message(
            N_('Entry {index} of "{dataset}" is not valid: it needs a code and a name as text.'),
            {"index": index, "dataset": dataset},
        )
    )
