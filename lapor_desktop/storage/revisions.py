"""The schema revisions this version knows, read from the migration scripts' own lines.

``--version`` and the start-up check need only the revision ids; reading them
from each script's ``revision = ...`` and ``down_revision = ...`` lines (with
:mod:`ast`, without running the scripts) spares them loading Alembic, which
costs more than a tenth of a second. Alembic itself runs only for a migration.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

VERSIONS_DIR = Path(__file__).parent / "migrations" / "versions"


@dataclass(frozen=True)
class Revision:
    revision: str
    down_revisions: tuple[str, ...]


def read_revision(script: Path) -> Revision | None:
    """The ids one migration script declares; None for a file that is not a migration."""
    names: dict[str, object] = {}
    for node in ast.parse(script.read_text("utf-8"), str(script)).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            names[node.target.id] = ast.literal_eval(node.value)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                names[target.id] = ast.literal_eval(node.value)
    revision, down = names.get("revision"), names.get("down_revision")
    if not isinstance(revision, str):
        return None
    if down is None:
        return Revision(revision, ())
    if isinstance(down, str):
        return Revision(revision, (down,))
    if isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        return Revision(revision, tuple(str(d) for d in down))
    raise ValueError(f"{script.name}: down_revision is neither an id nor a list of ids")


@functools.cache
def scripts() -> tuple[Revision, ...]:
    found = (read_revision(path) for path in sorted(VERSIONS_DIR.glob("*.py")))
    return tuple(r for r in found if r is not None)


def known_revisions() -> frozenset[str]:
    """Every schema revision this version can read (and upgrade from)."""
    return frozenset(r.revision for r in scripts())


def head_revision() -> str:
    """The revision a database has once this version has migrated it."""
    below = {down for r in scripts() for down in r.down_revisions}
    heads = sorted(known_revisions() - below)
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have one head, they have {heads}")
    return heads[0]
