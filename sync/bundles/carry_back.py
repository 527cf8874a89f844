"""The return bundles a relay desk received, copied onto a stick for the trip back.

Each copied volume names its bundle, so the desk marks those returns handed out: its
Bundles page then says which answers are on their way back and which still wait here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop.domain.roles import Permission
from lapor_desktop.services.bundle_returns import handed_out
from lapor_desktop.services.changes import NOTHING, DeskChanges
from lapor_desktop.services.context import Actor, DeskContext
from lapor_desktop.services.permissions import require
from lapor_desktop.services.sync_records import named_changes
from sync.bundles.problems import BundleProblem
from sync.bundles.volumes import SUFFIX, read_volume

RETURNS_FOLDER = ("relay", "returns")
"""Where the relay lane writes the returns, under the data folder."""


@dataclass(frozen=True)
class Copied:
    paths: tuple[Path, ...]
    changes: DeskChanges = NOTHING


def copy_returns(context: DeskContext, data_root: Path, folder: Path, *, actor: Actor) -> Copied:
    """Copy every return volume into ``folder`` and mark those returns handed out."""
    require(actor, Permission.CARRY_BUNDLES)
    source = data_root.joinpath(*RETURNS_FOLDER)
    copied: list[Path] = []
    bundles: set[str] = set()
    for path in sorted(source.glob(f"*{SUFFIX}")) if source.is_dir() else []:
        shutil.copyfile(path, folder / path.name)
        copied.append(folder / path.name)
        try:
            header, _part = read_volume(path)
        except BundleProblem:
            continue  # copied as it is; the island desk says what is wrong with it
        bundles.add(header.bundle_id)
    with context.database.write() as session:
        handed_out(session, sorted(bundles), context.now())
        changes = named_changes(session)
    context.hub.publish(changes)
    return Copied(tuple(copied), changes)
